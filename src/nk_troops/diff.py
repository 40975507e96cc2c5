"""Compare two versions of the published package, and say which version bump the changes need.

The comparison reads the root ``datapackage.json`` (schemas, metadata) and
the CSV tables of each version (see ``snapshot.py``): tables added or
removed; fields added, removed, renamed (a removed and an added field of the
same type holding the same values in every shared record), reordered or
changed (type, format, constraints, description); records added, removed or
changed, field by field, matched by primary key.

Each change carries the bump it needs under the rules in docs/versioning.md;
``required_bump`` is the largest of them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .descriptor import FIELD_DEFAULTS
from .problems import inert
from .snapshot import Snapshot, Table

BUMPS = ("none", "patch", "minor", "major")


def _derived() -> frozenset[str]:
    """Tables built from others (no records of their own). The models import pydantic: only when diffing."""
    from .models import CURATED, PUBLISHED

    return frozenset(m.resource for m in PUBLISHED) - frozenset(m.resource for m in CURATED)


"""Tables the build derives from the claims (claims, citations, claim_links): their rows follow their claim."""

MAJOR_FIELD_KEYS = ("type", "format", "decimalChar", "groupChar", "bareNumber", "trueValues", "falseValues")
"""A field's properties that change how its values are read."""
DOC_FIELD_KEYS = ("description", "title", "example", "rdfType")
MAJOR_TABLE_KEYS = ("primaryKey", "missingValues")
MAJOR_PACKAGE_KEYS = ("name", "licenses", "profile")
PATCH_PACKAGE_KEYS = ("title", "description", "keywords", "contributors", "homepage", "sources")
RESOURCE_KEYS_COMPARED = {
    "path": "major",
    "licenses": "major",
    "profile": "major",
    "title": "patch",
    "description": "patch",
    "sources": "patch",
    "homepage": "patch",
    "keywords": "patch",
}
"""A resource's properties besides its schema, and the bump a change of each needs (a reader's script names the
path; a resource's licences override the package's; R's frictionless reads only a tabular-data-resource)."""


def bump_max(levels: Any) -> str:
    return max(levels, key=BUMPS.index, default="none")


@dataclass
class SchemaChange:
    """A change to the package, a table or a field definition."""

    kind: str  # package_changed, table_added, table_removed, table_changed, field_added, field_removed, field_renamed, field_changed, fields_reordered
    bump: str
    table: str | None = None
    field: str | None = None
    to: str | None = None  # the new name of a renamed field
    attribute: str | None = None  # what changed (type, constraints.enum, description, ...)
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        where = f"{self.table}." if self.table else ""
        if self.kind == "table_added":
            return f"table '{self.table}' added ({self.new} records)"
        if self.kind == "table_removed":
            return f"table '{self.table}' removed ({self.old} records)"
        if self.kind == "field_added":
            return f"field '{where}{self.field}' added ({self.new})"
        if self.kind == "field_removed":
            return f"field '{where}{self.field}' removed ({self.old})"
        if self.kind == "field_renamed":
            return f"field '{where}{self.field}' renamed to '{self.to}' (same values)"
        if self.kind == "fields_reordered":
            return f"the fields of '{self.table}' are in a new order: {', '.join(self.new)}"
        if self.kind == "field_changed":
            return f"field '{where}{self.field}': {self.attribute} {show_change(self.old, self.new)}"
        if self.kind == "table_changed":
            return f"table '{self.table}': {self.attribute} {show_change(self.old, self.new)}"
        return f"package {self.attribute}: {show_change(self.old, self.new)}"


@dataclass
class RecordChange:
    """A record (row) added, removed or changed in a table present in both versions."""

    kind: str  # added, removed, changed
    bump: str
    table: str
    id: str
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # changed: name -> {old, new}
    row: dict[str, str] | None = None  # added / removed: the whole row

    def describe(self) -> str:
        if self.kind != "changed":
            return f"{self.table} '{self.id}' {self.kind}"
        parts = [f"{name} {show_change(v['old'], v['new'])}" for name, v in self.fields.items()]
        return f"{self.table} '{self.id}': " + "; ".join(parts)


@dataclass
class Diff:
    old_label: str
    new_label: str
    old_version: str
    new_version: str
    schema: list[SchemaChange] = field(default_factory=list)
    records: list[RecordChange] = field(default_factory=list)

    @property
    def changes(self) -> list[SchemaChange | RecordChange]:
        return [*self.schema, *self.records]

    def to_json(self) -> dict[str, Any]:
        return {
            "old": {"label": self.old_label, "version": self.old_version},
            "new": {"label": self.new_label, "version": self.new_version},
            "required_bump": required_bump(self),
            "schema": [
                {
                    k: v
                    for k, v in asdict(c).items()
                    if v is not None or (k in ("old", "new") and c.kind.endswith("_changed"))
                }
                for c in self.schema
            ],
            "records": [{k: v for k, v in asdict(c).items() if v not in (None, {})} for c in self.records],
        }


def show(value: Any, limit: int = 120) -> str:
    """A value for people: JSON-quoted, empty cells as (empty), cut at ``limit`` characters."""
    if value == "":
        return "(empty)"
    if value is None:
        return "(not set)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


CONTEXT = 30
"""Characters of unchanged text shown on either side of a change in a long text."""


def show_change(old: Any, new: Any, limit: int = 120) -> str:
    """``old → new`` for people. Two long texts are shown around where they differ, the unchanged start and end
    elided with "…", so that a change late in a long note is seen (cut at the same point, both sides looked alike)."""
    texts = isinstance(old, str) and isinstance(new, str) and old and new
    if not texts or max(len(json.dumps(v, ensure_ascii=False)) for v in (old, new)) <= limit:
        return f"{show(old, limit)} → {show(new, limit)}"
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(0, head - CONTEXT)
    if start:  # begin at a word, if one begins within the context
        space = old.find(" ", start, head)
        start = space + 1 if space >= 0 else start

    def window(text: str) -> str:
        end = min(len(text), len(text) - tail + CONTEXT)
        piece = text[start:end]
        cut_end = end < len(text)
        if len(piece) > limit:
            piece, cut_end = piece[:limit], True
        return (
            '"' + ("…" if start else "") + json.dumps(piece, ensure_ascii=False)[1:-1] + ("…" if cut_end else "") + '"'
        )

    return f"{window(old)} → {window(new)}"


def required_bump(diff: Diff) -> str:
    """The smallest version bump that covers every change: 'major', 'minor', 'patch' or 'none'."""
    return bump_max(c.bump for c in diff.changes)


# --------------------------------------------------------------------------- schema


def _field_summary(f: dict[str, Any]) -> str:
    return f.get("type", "any") + (", required" if f.get("constraints", {}).get("required") else "")


def _compare_field(table: str, name: str, old: dict[str, Any], new: dict[str, Any], out: list[SchemaChange]) -> None:
    for key in sorted((set(old) | set(new)) - {"name", "constraints"}):
        before, after = old.get(key, FIELD_DEFAULTS.get(key)), new.get(key, FIELD_DEFAULTS.get(key))
        if before != after:  # a property left out and the same one given at its default read alike
            bump = "major" if key in MAJOR_FIELD_KEYS else "patch" if key in DOC_FIELD_KEYS else "minor"
            out.append(SchemaChange("field_changed", bump, table, name, attribute=key, old=before, new=after))
    oc, nc = old.get("constraints", {}), new.get("constraints", {})
    for key in sorted(set(oc) | set(nc)):
        if oc.get(key) == nc.get(key):
            continue
        bump = "minor"
        if key == "enum" and set(oc.get("enum") or []) - set(nc.get("enum") or []):
            bump = "major"  # a value readers may rely on is no longer allowed
        elif key == "enum" and "enum" in oc and "enum" not in nc:
            bump = "major"
        out.append(
            SchemaChange(
                "field_changed", bump, table, name, attribute=f"constraints.{key}", old=oc.get(key), new=nc.get(key)
            )
        )


def _renames(old: Table, new: Table, removed: list[str], added: list[str]) -> dict[str, str]:
    """Removed fields whose values reappear, unchanged, under exactly one added field of the same type."""
    shared = [k for k in old.rows if k in new.rows]
    old_f = {f["name"]: f for f in old.fields}
    new_f = {f["name"]: f for f in new.fields}
    found: dict[str, str] = {}
    for r in removed:
        if not shared or all(old.rows[k].get(r, "") == "" for k in shared):
            continue  # nothing to recognise the field by
        hits = [
            a
            for a in added
            if a not in found.values()
            and old_f[r].get("type") == new_f[a].get("type")
            and all(old.rows[k].get(r, "") == new.rows[k].get(a, "") for k in shared)
        ]
        if len(hits) == 1:
            found[r] = hits[0]
    return found


def _compare_table_schema(old: Table, new: Table, out: list[SchemaChange]) -> dict[str, str]:
    """Append the schema changes of one table; return the renamed fields (old name -> new name)."""
    name = new.name
    os_, ns = old.resource.get("schema", {}), new.resource.get("schema", {})
    for key in sorted((set(os_) | set(ns)) - {"fields"}):
        if os_.get(key) != ns.get(key):
            bump = "major" if key in MAJOR_TABLE_KEYS else "minor"
            out.append(SchemaChange("table_changed", bump, name, attribute=key, old=os_.get(key), new=ns.get(key)))
    for key, bump in RESOURCE_KEYS_COMPARED.items():
        if old.resource.get(key) != new.resource.get(key):
            before, after = old.resource.get(key), new.resource.get(key)
            out.append(SchemaChange("table_changed", bump, name, attribute=key, old=before, new=after))
    old_f = {f["name"]: f for f in old.fields}
    new_f = {f["name"]: f for f in new.fields}
    removed = [n for n in old.field_names if n not in new_f]
    added = [n for n in new.field_names if n not in old_f]
    renames = _renames(old, new, removed, added)
    for r, a in renames.items():
        out.append(SchemaChange("field_renamed", "major", name, r, to=a))
    for r in removed:
        if r not in renames:
            out.append(SchemaChange("field_removed", "major", name, r, old=_field_summary(old_f[r])))
    for a in added:
        if a not in renames.values():
            out.append(SchemaChange("field_added", "minor", name, a, new=_field_summary(new_f[a])))
    for n in new.field_names:
        if n in old_f:
            _compare_field(name, n, old_f[n], new_f[n], out)
    kept_old = [renames.get(n, n) for n in old.field_names if n in new_f or n in renames]
    kept_new = [n for n in new.field_names if n in kept_old]
    if kept_old != kept_new:
        out.append(SchemaChange("fields_reordered", "minor", name, old=old.field_names, new=new.field_names))
    return renames


def _compare_package(old: Snapshot, new: Snapshot, out: list[SchemaChange]) -> None:
    for key in (*MAJOR_PACKAGE_KEYS, *PATCH_PACKAGE_KEYS):
        if old.descriptor.get(key) != new.descriptor.get(key):
            bump = "major" if key in MAJOR_PACKAGE_KEYS else "patch"
            out.append(
                SchemaChange(
                    "package_changed", bump, attribute=key, old=old.descriptor.get(key), new=new.descriptor.get(key)
                )
            )


# --------------------------------------------------------------------------- records


def _compare_rows(old: Table, new: Table, renames: dict[str, str], out: list[RecordChange]) -> None:
    derived = new.name in _derived()
    compared = [(n, renames.get(n, n)) for n in old.field_names if renames.get(n, n) in new.field_names]
    for key, row in new.rows.items():
        if key not in old.rows:
            out.append(RecordChange("added", "patch" if derived else "minor", new.name, key, row=row))
    for key, row in old.rows.items():
        if key not in new.rows:
            out.append(RecordChange("removed", "patch" if derived else "major", new.name, key, row=row))
            continue
        before, after = row, new.rows[key]
        fields = {
            n2: {"old": before.get(n1, ""), "new": after.get(n2, "")}
            for n1, n2 in compared
            if before.get(n1, "") != after.get(n2, "")
        }
        if fields:
            out.append(RecordChange("changed", "patch", new.name, key, fields=fields))


def compare(old: Snapshot, new: Snapshot) -> Diff:
    """Every difference between two package versions, each with the bump it needs."""
    diff = Diff(old.label, new.label, old.version, new.version)
    _compare_package(old, new, diff.schema)
    for name, table in old.tables.items():
        if name not in new.tables:
            diff.schema.append(SchemaChange("table_removed", "major", name, old=len(table.rows)))
    for name, table in new.tables.items():
        if name not in old.tables:
            diff.schema.append(SchemaChange("table_added", "minor", name, new=len(table.rows)))
            continue
        renames = _compare_table_schema(old.tables[name], table, diff.schema)
        if old.tables[name].primary_key == table.primary_key:
            _compare_rows(old.tables[name], table, renames, diff.records)
    return diff


# --------------------------------------------------------------------------- output


def render_text(diff: Diff) -> str:
    lines = [
        f"Comparing {diff.old_label} (version {diff.old_version})",
        f"     with {diff.new_label} (version {diff.new_version})",
        f"Required version bump: {required_bump(diff)}",
    ]
    if not diff.changes:
        return "\n".join([*lines, "", "No differences in the tables, their schemas or the package metadata."])
    if diff.schema:
        lines += ["", "Schema and package:"]
        lines += [f"  [{c.bump}] {c.describe()}" for c in diff.schema]
    if diff.records:
        lines += ["", "Records:"]
        tables = list(dict.fromkeys(c.table for c in diff.records))
        for t in tables:
            changes = [c for c in diff.records if c.table == t]
            counts = {k: sum(c.kind == k for c in changes) for k in ("added", "removed", "changed")}
            lines.append(f"  {t}: " + ", ".join(f"{n} {k}" for k, n in counts.items() if n))
            for c in changes:
                mark = {"added": "+", "removed": "-", "changed": "~"}[c.kind]
                lines.append(f"    {mark} {c.id}  [{c.bump}]")
                for name, v in c.fields.items():
                    lines.append(f"        {name}: {show_change(v['old'], v['new'])}")
    return "\n".join(inert(line) for line in lines)  # an id from a package is shown, never acted on by a terminal
