"""The words of a data package descriptor (titles, descriptions, licenses, contributors...) as a reader requires
them: frictionless-py refuses a package whose words are not of their JSON type, though every table be right."""

from __future__ import annotations

import re
from datetime import datetime

from .confine import show

TEXT_WORDS = frozenset(
    {"name", "title", "description", "version", "created", "homepage", "image", "mediatype", "rdfType", "$schema"}
)
"""Words of a package, a resource, a dialect, a schema or a field that a reader requires to be text."""
LIST_WORDS = {"licenses": ("name", "path"), "contributors": ("title",), "sources": ("title",), "keywords": ()}
"""Words a reader requires to be lists: of objects whose members are text, one of these among them; or (none
named) of text."""
_PACKAGE_NAME = re.compile(r"[-a-z0-9._/]+")
"""A package's name as the Data Package standard allows it."""


def words_said(obj: dict) -> list[tuple[str, str]]:
    """(key, why) for each word of a package, resource, dialect, schema or field that is not of the JSON type a
    reader requires (frictionless-py refuses the package for it, though every table be right)."""
    said = [
        (k, f"'{k}' is {show(obj[k])}, not text")
        for k in sorted(TEXT_WORDS & obj.keys())
        if not isinstance(obj[k], str)
    ]
    for key, named in LIST_WORDS.items():
        items = obj.get(key, [])
        if not isinstance(items, list):
            said.append((key, f"'{key}' is {show(items)}, not a list"))
        elif not all(_word_item(item, named) for item in items):
            what = f"objects of text naming their {' or '.join(named)}" if named else "text"
            said.append((key, f"'{key}' is {show(items)}, not a list of {what}"))
    created = obj.get("created")
    if isinstance(created, str) and not _is_datetime(created):
        said.append(("created", f"'created' is {show(created)}, not a date and time (2025-02-05T00:00:00Z)"))
    return said


def _word_item(item: object, named: tuple[str, ...]) -> bool:
    if not named:
        return isinstance(item, str)
    return (
        isinstance(item, dict)
        and any(isinstance(item.get(n), str) for n in named)
        and all(isinstance(v, str) or (k == "roles" and isinstance(v, list)) for k, v in item.items())
    )


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


def package_said(desc: dict) -> list[tuple[str, str]]:
    """(key, why) for what frictionless-py refuses a package for, though every table be right: a word of the wrong
    JSON type, a name not of the standard's form."""
    said = [(k, m) for k, m in words_said(desc) if k != "$schema"]  # a package's $schema: a standard one's URL
    if isinstance(desc.get("name"), str) and not _PACKAGE_NAME.fullmatch(desc["name"]):
        said.append(("name", f"the package's name {show(desc['name'])} is not lower-case letters, digits and . _ - /"))
    return said
