"""The curated records checked as the tables they publish, by the one table checker (``engine``).

The valid records' rows (``tables.build_rows``) are written as the CSV tables of a package in a temporary
folder outside the repository, with its descriptor; the engine checks that package with the repository's
seeds/ as its archive: keys and foreign keys, the rules between fields and between rows (self-links,
duplicate links and relays, cycles), every cell rule again, the archived texts and their hashes, citations
of sources that are not archived. Each problem found in a row is located back in the records file: the
record, or its citation, link or relay, and the field the column comes from.

What a table cannot hold is checked before (``checks``): a record's shape, the records files themselves,
and finding each excerpt's offsets in its text.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from . import problems as P
from . import rulebook as R
from .descriptor import CSV_DIR, csv_descriptor
from .models import CLAIMS, CURATED, PUBLISHED, Record
from .records import Dataset, Located
from .schema_gen import columns
from .tables import Origin, Tables
from .writers import to_csv

FIELD_OF = {
    ("citations", "char_start"): "excerpt",
    ("citations", "char_end"): "excerpt",
    ("source_relays", "relayed_source_id"): "source_id",
}
"""Columns of the derived tables that a record writes under another name (the others keep theirs)."""


SEED_NAMED = re.compile(r"'(seeds/[^/]+?)' (?:has|is) ")
"""The entry of seeds/ a problem of ``seeds.undescribed_seeds`` names first."""

AS_WRITTEN_KINDS = (P.DanglingReference, P.DuplicateId)
"""What is reported on the rows of a record that failed its own checks (those checks said the rest)."""


def check_as_tables(dataset: Dataset, tables: Tables) -> list[P.Problem]:
    """Every problem the table checker finds in the records' tables, located in the records files. The
    records that failed their own checks are in the tables too, with their keys and references only, so
    their references are checked and references to them are not dangling."""
    from .engine import validate_tables

    tables = _with_invalid(dataset, tables)
    files = {f"{CSV_DIR}/{m.resource}.csv": to_csv(m, tables.rows[m.resource]) for m in PUBLISHED}
    files["datapackage.json"] = csv_descriptor(files, tables.rows["sources"])
    with tempfile.TemporaryDirectory(prefix="nk-troops-validate-") as tmp:
        for rel, data in files.items():
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / rel).write_bytes(data)
        found = validate_tables(
            Path(tmp) / "datapackage.json", workers=1, seeds_root=dataset.root, where=_where(tables)
        )
    out: list[P.Problem] = []
    seen: set[tuple] = set()
    for problem in found:
        located = _locate(problem, tables, dataset)
        if located is None:
            continue
        key = (located.type, located.file, located.line, located.column, located.field)
        if key not in seen:  # a duplicate id is found in its table and again in the claims registry
            seen.add(key)
            out.append(located)
    return out


def _as_written(model: type[Record], item: dict[str, Any]) -> dict[str, Any]:
    """The key and reference cells of a record as written (text only; every other cell empty)."""
    keys = {c.name for c in columns(model) if c.fk or c.name == model.primary_key}
    return {
        c.name: item.get(c.source_field) if c.name in keys and isinstance(item.get(c.source_field), str) else None
        for c in columns(model)
    }


def _items(value: object) -> list[tuple[int, dict]]:
    return [(j, v) for j, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _with_invalid(dataset: Dataset, tables: Tables) -> Tables:
    rows = {r: list(v) for r, v in tables.rows.items()}
    origins = {r: list(v) for r, v in tables.origins.items()}

    def add(resource: str, row: dict[str, Any], origin: Origin) -> None:
        model = next(m for m in PUBLISHED if m.resource == resource)
        rows[resource].append(
            {c.name: row.get(c.name) if isinstance(row.get(c.name), str) else None for c in columns(model)}
        )
        origins[resource].append(origin)

    for model in CURATED:
        record_type = getattr(model, "record_type", None)
        for loc in dataset.invalid.get(model.resource, []):
            rid = loc.id
            add(model.resource, _as_written(model, loc.item), Origin(loc, valid=False))
            if model.resource == "sources":
                for j, relay in _items(loc.item.get("relays")):
                    other = relay.get("source_id")
                    row = {"relay_id": f"{rid}/r{j + 1}", "source_id": rid, "relayed_source_id": other, "what": None}
                    add(
                        "source_relays",
                        {k: v if isinstance(v, str) else None for k, v in row.items()},
                        Origin(loc, ("relays", j), valid=False),
                    )
            if record_type is None:
                continue
            add("claims", {"claim_id": rid, "record_type": record_type.value}, Origin(loc, valid=False))
            for j, cit in _items(loc.item.get("citations")):
                row = {"citation_id": f"{rid}/c{j + 1}", "claim_id": rid, "source_id": cit.get("source_id")}
                add(
                    "citations",
                    {k: v if isinstance(v, str) else None for k, v in row.items()},
                    Origin(loc, ("citations", j), found=False, valid=False),
                )
            for j, link in _items(loc.item.get("links")):
                row = {"link_id": f"{rid}/l{j + 1}", "claim_id": rid, "other_claim_id": link.get("other_claim_id")}
                add(
                    "claim_links",
                    {k: v if isinstance(v, str) else None for k, v in row.items()},
                    Origin(loc, ("links", j), valid=False),
                )
    return Tables(rows, origins)


def _where(tables: Tables):
    def where(resource: str, row: int) -> str:
        origin = tables.origins[resource][row - 2]
        if origin.part:
            return f"{P.dotted(origin.part)}, line {origin.loc.at(*origin.part)[0]}"
        return f"the record at {origin.loc.file}:{origin.loc.at()[0]}"

    return where


def _key(loc: Located) -> str:
    model = loc.model or type(loc.record)
    return str(getattr(model, "primary_key", ""))


OWN_KEY_COLUMNS = {
    "citations": ("citation_id", "claim_id"),
    "claim_links": ("link_id", "claim_id"),
    "source_relays": ("relay_id", "source_id"),
}
"""Columns of the derived tables the build makes (a problem there is the citation's, link's or relay's)."""


def _path(resource: str, origin: Origin, column: str | None) -> tuple:
    """The path, inside the record, of the value a column holds."""
    if column is None:
        return origin.part
    if resource == "claims":
        return (_key(origin.loc),)
    if resource in OWN_KEY_COLUMNS:
        if column in OWN_KEY_COLUMNS[resource]:
            return origin.part
        return (*origin.part, FIELD_OF.get((resource, column), column))
    model = next(m for m in CURATED if m.resource == resource)
    col = next((c for c in columns(model) if c.name == column), None)
    return (col.source_field if col else column,)


def _written(loc: Located, path: tuple) -> object:
    value: object = loc.item
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _target(resource: str, column: str | None) -> str | None:
    """The table a foreign-key column refers to."""
    model = next((m for m in PUBLISHED if m.resource == resource), None)
    col = next((c for c in columns(model) if c.name == column), None) if model else None
    return col.fk.split(".")[0] if col and col.fk else None


def _known_elsewhere(dataset: Dataset, target: str, value: object) -> bool:
    """A reference to a record that failed its own checks, or into a file that could not be read: already
    reported, so not a dangling reference."""
    resources = [m.resource for m in CLAIMS] if target == "claims" else [target]
    return any(r in dataset.unread or value in dataset.invalid_ids(r) for r in resources)


def _locate(problem: P.Problem, tables: Tables, dataset: Dataset) -> P.Problem | None:
    """The problem located in the records; None when it is not one (see the cases below)."""
    resource, row = problem.resource, problem.row
    if resource is None or row is None or row < 2 or row - 2 >= len(tables.origins.get(resource, [])):
        if isinstance(problem, P.SeedUndescribed) and (dataset.invalid.get("sources") or "sources" in dataset.unread):
            return None  # a source record that failed its checks may describe it
        seed = SEED_NAMED.match(problem.message) if isinstance(problem, P.SeedUndescribed) else None
        file = seed.group(1) if seed else "dataset/records/sources.yaml"
        return type(problem)(problem.message, file=file, hint=problem.hint)
    origin = tables.origins[resource][row - 2]
    if not origin.valid and not isinstance(problem, AS_WRITTEN_KINDS):
        return None
    if not origin.found and problem.field in ("char_start", "char_end"):
        return None  # the excerpt was not found: reported where its offsets were looked for
    path = _path(resource, origin, problem.field)
    hint = problem.hint
    if (
        resource == "citations"
        and problem.message == R.CITES_ARCHIVED.message(source_id=_written(origin.loc, (*origin.part, "source_id")))
        and _known_elsewhere(dataset, "sources", _written(origin.loc, (*origin.part, "source_id")))
    ):
        return None  # a source that failed its own checks: whether it is archived is not known
    if isinstance(problem, P.DanglingReference):
        target = _target(resource, problem.field)
        value = _written(origin.loc, path)
        if target and _known_elsewhere(dataset, target, value):
            return None
        if target and isinstance(value, str):
            hint = _reference_hint(dataset, target, value)
    line, column = origin.loc.at(*path)
    return type(problem)(
        problem.message,
        file=origin.loc.file,
        line=line,
        column=column,
        record_id=origin.loc.id,
        field=P.dotted(path),
        hint=hint,
    )


def _reference_hint(dataset: Dataset, target: str, value: str) -> str:
    """The id meant, if one is close; else where to add the record referred to."""
    from .hints import Candidates, reference_hint

    resources = [m.resource for m in CLAIMS] if target == "claims" else [target]
    known = {loc.id: loc for r in resources for loc in dataset.of(r) if loc.id}
    where = "events.yaml, statements.yaml or figures.yaml" if target == "claims" else f"{target}.yaml"
    return reference_hint(value, Candidates(known)) or f"add the {target[:-1]} to dataset/records/{where}"
