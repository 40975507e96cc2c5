"""The curated records checked as the tables they publish, by the one table checker (``engine``).

The valid records' rows (``tables.build_rows``) are written as the CSV tables of a package in a temporary
folder outside the repository, with its descriptor; the engine checks that package with the repository's
seeds/ as its archive: keys and foreign keys, the rules between fields and between rows (self-links,
duplicate links and relays, cycles), every cell rule again, the archived texts and their hashes, citations
of sources that are not archived. Each problem found in a row is located back in the records file: the
record, or its citation, link or relay, and the field the column comes from.

What a table cannot hold is checked before: the records files themselves and each record's shape
(``records``), and each excerpt's offsets in its text (``checks``).
"""

from __future__ import annotations

import difflib
import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import problems as P
from . import rulebook as R
from .descriptor import CSV_DIR, csv_package
from .hints import Candidates, reference_hint
from .models import BY_RESOURCE, CLAIMS, CURATED, PUBLISHED, Record
from .records import Dataset, Located, _nfc, record_at
from .schema_gen import columns
from .tables import Origin, Tables
from .writers import to_csv

RENAMED = {("source_relays", "relayed_source_id"): "source_id"}
"""Columns of the derived tables that hold a field a record writes under another name."""

FIELD_OF = {("citations", "char_start"): "excerpt", ("citations", "char_end"): "excerpt", **RENAMED}
"""Columns of the derived tables and the field of the record they come from (the others keep their names)."""


SOURCES_FILE = "dataset/records/sources.yaml"

SEED_FIELDS = ("archived_file", "original_file")
"""A source record's fields naming an entry of seeds/."""

AS_WRITTEN_KINDS = (P.DanglingReference, P.DuplicateId)
"""What is reported on the rows of a record that failed its own checks (those checks said the rest)."""


def check_as_tables(dataset: Dataset, tables: Tables) -> list[P.Problem]:
    """Every problem the table checker finds in the records' tables, located in the records files. The
    records that failed their own checks are in the tables too, with their keys and references only, so
    their references are checked and references to them are not dangling."""
    from .engine import validate_tables

    tables = _with_invalid(dataset, tables)
    files = {f"{CSV_DIR}/{m.resource}.csv": to_csv(m, tables.rows[m.resource]) for m in PUBLISHED}
    # read by the checker alone: written compactly (an indented dump is Python's slow JSON encoder)
    files["datapackage.json"] = json.dumps(csv_package(files, tables.rows["sources"]), ensure_ascii=False).encode()
    try:
        with tempfile.TemporaryDirectory(prefix="nk-troops-validate-") as tmp:
            for rel, data in files.items():
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / rel).write_bytes(data)
            found = validate_tables(
                Path(tmp) / "datapackage.json", workers=1, seeds_root=dataset.root, where=_where(tables)
            )
    except OSError as e:
        return [
            P.FileUnreadable(
                f"could not write the records' tables to a temporary folder to check them ({e})",
                hint="set TMPDIR to a writable folder with free space",
            )
        ]
    locator = _Locator(dataset, tables, found)
    out: list[P.Problem] = []
    seen: set[tuple] = set()
    for problem in found:
        located = locator.locate(problem)
        if located is None:
            continue
        at = (located.type, located.file, located.line, located.column)
        keys = {(*at, "field", located.field), (*at, "message", located.message)}
        if not keys & seen:  # a duplicate id is found in its table and again in the claims registry; a rule
            seen |= keys  # on two fields the record leaves out says the same thing twice at the record
            out.append(located)
    return _one_per_reference(out + _invalid_records_cells(dataset))


def _one_per_reference(problems: list[P.Problem]) -> list[P.Problem]:
    """A reference that names no record and also breaks its field's own rules is reported once, as the
    dangling reference: its hint names the closest id, and every id keeps those rules (a CSV package gets both,
    as frictionless-py reports both)."""
    dangling = {(p.file, p.line, p.column, p.field) for p in problems if isinstance(p, P.DanglingReference)}
    return [
        p for p in problems if not (isinstance(p, P.FieldProblem) and (p.file, p.line, p.column, p.field) in dangling)
    ]


def _invalid_records_cells(dataset: Dataset) -> list[P.Problem]:
    """The cell rules of the records that failed their shape check, on each text they hold that the shape
    check did not already report: so that one run reports a wrong value beside a missing field."""
    out = []
    for model in CURATED:
        for loc in dataset.invalid.get(model.resource, []):
            for path, problem in written_cell_problems(model, _nfc(loc.item)).items():  # as the shape check reads it
                field = P.dotted(path)
                if field not in loc.reported:
                    line, column = loc.at(*path)
                    out.append(replace(problem, file=loc.file, line=line, column=column, record_id=loc.id, field=field))
    return out


COLUMNS = {m.resource: {c.name: c for c in columns(m)} for m in PUBLISHED}
"""Each published table's columns, by name."""


def _as_written(model: type[Record], loc: Located) -> dict[str, Any]:
    """The key and reference cells of a record as written (every other cell empty, and every reference whose
    value its own check refused: it was reported there, once)."""
    return {
        name: loc.item.get(c.source_field)
        if name == model.primary_key or (c.fk and c.source_field not in loc.reported)
        else None
        for name, c in COLUMNS[model.resource].items()
    }


def _items(value: object) -> list[tuple[int, dict]]:
    return [(j, v) for j, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def _with_invalid(dataset: Dataset, tables: Tables) -> Tables:
    """``tables`` and the rows, as written, of the records that failed their own checks (``Origin.valid``)."""
    rows = {r: list(v) for r, v in tables.rows.items()}
    origins = {r: list(v) for r, v in tables.origins.items()}

    def add(resource: str, row: dict[str, Any], loc: Located, part: tuple = ()) -> None:
        rows[resource].append({n: v if isinstance(v, str) else None for n, v in row.items()})
        origins[resource].append(Origin(loc, part, found=False, valid=False))

    def sub_rows(resource: str, loc: Located, name: str, mark: str, cells: dict[str, str]) -> None:
        """A row of ``resource`` for each item of the record's list ``name``: its id, the record's id, and
        each of ``cells`` (column: the item's field)."""
        owner = OWN_KEY_COLUMNS[resource][1]
        for j, part in _items(loc.item.get(name)):
            row = dict.fromkeys(COLUMNS[resource])
            said = {c for c, f in cells.items() if P.dotted((name, j, f)) in loc.reported}
            row.update({c: part.get(f) for c, f in cells.items() if c not in said}, **{owner: loc.id})
            row[OWN_KEY_COLUMNS[resource][0]] = f"{loc.id}/{mark}{j + 1}"
            add(resource, row, loc, (name, j))

    for model in CURATED:
        record_type = getattr(model, "record_type", None)
        for loc in dataset.invalid.get(model.resource, []):
            add(model.resource, _as_written(model, loc), loc)
            if record_type is None:
                if model.resource == "sources":
                    sub_rows("source_relays", loc, "relays", "r", {"relayed_source_id": "source_id"})
                continue
            add("claims", {"claim_id": loc.id, "record_type": record_type.value}, loc)
            sub_rows("citations", loc, "citations", "c", {"source_id": "source_id"})
            sub_rows("claim_links", loc, "links", "l", {"other_claim_id": "other_claim_id"})
    return Tables(rows, origins)


def _where(tables: Tables):
    def where(resource: str, row: int) -> str:
        origin = tables.origins[resource][row - 2]
        if origin.part:
            return f"{P.dotted(origin.part)}, line {origin.loc.at(*origin.part)[0]}"
        return record_at(origin.loc.file, origin.loc.at()[0])

    return where


def _likeness(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _key(loc: Located) -> str:
    model = loc.model or type(loc.record)
    return str(getattr(model, "primary_key", ""))


OWN_KEY_COLUMNS = {
    "citations": ("citation_id", "claim_id"),
    "claim_links": ("link_id", "claim_id"),
    "source_relays": ("relay_id", "source_id"),
}
"""Columns of the derived tables the build makes (a problem there is the citation's, link's or relay's)."""

BUILT = {"claims": ("claim_id", "record_type"), **OWN_KEY_COLUMNS}
"""Columns of the derived tables that the build makes from a record's id (its claims registry entry; its
citations', links' and relays' ids and owner)."""


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
    col = COLUMNS[resource].get(column)
    if col is None:
        return (column,)
    return (col.source_field, "unknown") if col.part == "missing_reason" else (col.source_field,)


def _written(loc: Located, path: tuple) -> object:
    """The value at ``path`` in the record as written (None where there is none)."""
    value: object = loc.item
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


class _Locator:
    """Locates the engine's problems in the records; what it needs is prepared once per check."""

    def __init__(self, dataset: Dataset, tables: Tables, found: list[P.Problem]) -> None:
        self.dataset, self.tables = dataset, tables
        self.nearest: dict[str, Candidates] = {}
        self.refused_ids: dict[str, Located] = {}  # records whose id breaks its cell rules (as the engine found)
        for p in found:
            model = BY_RESOURCE.get(p.resource or "")
            origins = tables.origins.get(p.resource or "", [])
            if type(p) is P.FieldProblem and model is not None and p.field == model.primary_key and p.row:
                if 2 <= p.row < len(origins) + 2 and not origins[p.row - 2].part and origins[p.row - 2].loc.id:
                    self.refused_ids[str(origins[p.row - 2].loc.id)] = origins[p.row - 2].loc
        self.named_by_invalid = {  # the seeds/ entries that source records which failed their checks name
            v
            for loc in dataset.invalid.get("sources", [])
            for n in SEED_FIELDS
            if isinstance(v := loc.item.get(n), str)
        }

    def _tables_of(self, target: str) -> list[str]:
        return [m.resource for m in CLAIMS] if target == "claims" else [target]

    def known_elsewhere(self, target: str, value: object) -> bool:
        """A reference into a file that could not be read, or to a source that failed its own checks:
        already reported, so not reported again."""
        resources = self._tables_of(target)
        return any(r in self.dataset.unread for r in resources) or (
            target == "sources" and value in self.dataset.invalid_ids("sources")
        )

    def reference_hint(self, target: str, value: str) -> str:
        """The id meant, if one is close; else the record whose refused id is close (the reference is right, the
        id is not: following a did-you-mean to it would break the reference); else where to add the record."""
        if target not in self.nearest:
            records = [loc for r in self._tables_of(target) for loc in self.dataset.of(r)]
            records += [loc for r in self._tables_of(target) for loc in self.dataset.invalid.get(r, [])]
            # a record with other errors is still meant; one whose id is refused is not a name to copy
            refused = {loc.id: loc for loc in records if loc.id and _key(loc) in loc.reported}
            self.refused_ids.update(refused)
            known = {loc.id: loc for loc in records if loc.id and loc.id not in self.refused_ids}
            self.nearest[target] = Candidates(known)
            self.nearest[f"{target} refused"] = Candidates(loc.id for loc in records if loc.id in self.refused_ids)
        where = "events.yaml, statements.yaml or figures.yaml" if target == "claims" else f"{target}.yaml"
        bad = self.nearest[f"{target} refused"].most_like(value)
        good = self.nearest[target].most_like(value)
        if bad is not None and (good is None or _likeness(value, bad) >= _likeness(value, good)):
            loc = self.refused_ids[bad]
            return f"{record_at(loc.file, loc.at()[0])} has the id '{bad}', which is refused: correct that id"
        return reference_hint(value, self.nearest[target]) or f"add the {target[:-1]} to dataset/records/{where}"

    def locate(self, problem: P.Problem) -> P.Problem | None:
        """The problem located in the records; None when it is not one (see the cases below)."""
        resource, row, dataset = problem.resource, problem.row, self.dataset
        origins = self.tables.origins.get(resource or "", [])
        if resource is None or row is None or not 2 <= row < len(origins) + 2:
            if isinstance(problem, P.SeedUndescribed) and (
                "sources" in dataset.unread or problem.file in self.named_by_invalid
            ):
                return None  # the sources file is unread, or a source record that failed its checks names it
            return problem if problem.file else type(problem)(problem.message, file=SOURCES_FILE, hint=problem.hint)
        origin = origins[row - 2]
        if resource == "claims" and isinstance(problem, P.MissingCitation):
            if not origin.valid and _written(origin.loc, ("citations",)) != []:
                return None  # citations missing or not a list of mappings: the record's own checks reported it
            path: tuple = ("citations",)
        elif not origin.valid and not isinstance(problem, AS_WRITTEN_KINDS):
            return None  # the record's own checks reported it
        elif problem.field in BUILT.get(resource, ()) and not isinstance(problem, P.DuplicateId):
            return None  # made by the build from the record's id: a problem there is the id's, reported in its table
        elif not origin.found and problem.field in ("char_start", "char_end"):
            return None  # the excerpt was not found: reported where its offsets were looked for
        else:
            path = _path(resource, origin, problem.field)
        hint = problem.hint
        if isinstance(problem, R.CITES_ARCHIVED.kind):
            cited = _written(origin.loc, (*origin.part, "source_id"))
            if self.known_elsewhere("sources", cited):
                return None  # a source that failed its own checks: whether it is archived is not known
        if isinstance(problem, P.DanglingReference):
            col = COLUMNS[resource].get(problem.field or "")
            target = col.fk_table if col else None
            value = _written(origin.loc, path)
            if target and self.known_elsewhere(target, value):
                return None
            if target and isinstance(value, str):
                hint = self.reference_hint(target, value)
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


LISTS = {"citations": "citations", "links": "claim_links", "relays": "source_relays"}
"""A record's lists of parts, and the table each part is a row of."""

COLUMN_OF = {(resource, field): column for (resource, column), field in RENAMED.items()}
"""The column that holds a part's field written under another name."""


def written_cell_problems(model: type[Record], item: dict[str, Any]) -> dict[tuple, P.Problem]:
    """Path in the record: the first cell rule the text written there breaks, for every text of a record as
    written that is one cell of a table (its own fields, its citations', links' and relays'), by the table
    checker's code (``engine.cells.cell_problems``). For what no table row shows: the records that failed
    their shape check (they are in the tables with their keys only) and the drafts."""
    from .engine.cells import cell_problems

    out: dict[tuple, P.Problem] = {}

    def run(resource: str, written: dict[tuple, tuple[str, str]]) -> None:
        found = cell_problems(BY_RESOURCE[resource], dict(written.values()))
        out.update({path: found[column] for path, (column, _) in written.items() if column in found})

    own = COLUMNS[model.resource].values()
    run(
        model.resource,
        {(c.source_field,): (c.name, v) for c in own if not c.part and isinstance(v := item.get(c.source_field), str)},
    )
    for name, resource in LISTS.items():
        for j, part in _items(item.get(name)):
            cells = {}
            for key, value in part.items():
                column = COLUMN_OF.get((resource, key), key)
                if isinstance(value, str) and column in COLUMNS[resource] and column not in BUILT[resource]:
                    cells[(name, j, key)] = (column, value)
            run(resource, cells)
    return out
