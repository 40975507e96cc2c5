"""Write records as the hand-edited YAML of dataset/records/ is written: one list item per record, two-space
indents, texts in double quotes, identifiers and controlled values bare, ``{unknown: why}`` as a nested mapping,
citations and links as lists of mappings. Used by ``add-source`` for the source record and the drafts."""

from __future__ import annotations

import json
import re
from enum import Enum

from .yaml_loader import yaml_1_1_kind

_BARE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")  # YAML reads NEL, LS, PS as line breaks; C1 and BOM unprintable
BARE_FIELDS = {"source_id", "status", "kind", "provenance", "relation", "other_claim_id", "measure", "qualifier", "unit",
               "form", "medium", "claimant_actor_id", "speaker_actor_id", "statement_id", "event_id", "figure_id",
               "actor_id", "event_type"}  # fmt: skip
"""Fields whose values (identifiers, controlled values) are written without quotes, as the curated files do."""


def scalar(value: object, key: str = "") -> str:
    """One value as YAML: numbers and bare identifiers as they are, every text in JSON-style double quotes."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{key}: no YAML form for {value!r}")
    if isinstance(value, int | float):
        # 1e-05 is text to a YAML 1.1 reader: its exponent needs a decimal point
        return re.sub(r"^(-?[0-9]+)e", r"\1.0e", repr(value))
    text = str(value)
    if key in BARE_FIELDS and _BARE.fullmatch(text) and yaml_1_1_kind(text) is str and text != "null":
        return text
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def item(record: dict[str, object], comments: list[str] | None = None) -> str:
    """One record as a list item, with ``# comment`` lines above it; ends with a line break."""
    out = [f"# {c}" for c in comments or []]
    first = True
    for key, value in record.items():
        lead = "- " if first else "  "
        first = False
        if isinstance(value, dict):  # {unknown: why}
            out.append(f"{lead}{key}:")
            out += [f"    {k}: {scalar(v, k)}" for k, v in value.items()]
        elif isinstance(value, list):
            out.append(f"{lead}{key}:")
            for entry in value:
                assert isinstance(entry, dict)
                for j, (k, v) in enumerate(entry.items()):
                    out.append(f"    {'- ' if j == 0 else '  '}{k}: {scalar(v, k)}")
        else:
            out.append(f"{lead}{key}: {scalar(value, key)}")
    return "\n".join(out) + "\n"
