"""What to check in each published table: its columns (``schema_gen.columns``, every cell rule as data on the
column), and the groups of columns a written date or an explained unknown becomes. No pyarrow here: this
module is cheap to import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from .. import models as M
from ..schema_gen import Column, columns

# Strict lexical forms, as Table Schema defines them (a leading sign is allowed, though our writer writes no '+').
# frictionless-py accepts more (float("1_0"), strptime("2021-7-04")); inf, NaN and numbers too large for a
# float are refused after the cast (see cells.check_column).
INTEGER_RE = r"^[-+]?[0-9]+$"
NUMBER_RE = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True)
class DateGroup:
    """The five columns a WrittenDate field becomes."""

    base: str
    text: str
    start: str
    end: str
    precision: str
    missing_reason: str


@dataclass(frozen=True)
class TableSpec:
    resource: str
    model: type[M.Record]
    columns: tuple[Column, ...]
    primary_key: str
    date_groups: tuple[DateGroup, ...]
    knowable_pairs: tuple[tuple[str, str], ...]  # (x, x_missing_reason)
    by_name: dict[str, Column] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def table_spec(model: type[M.Record]) -> TableSpec:
    cols = columns(model)
    groups = []
    pairs = []
    for c in cols:
        if c.part == "text":
            b = c.source_field
            groups.append(DateGroup(b, f"{b}_text", f"{b}_start", f"{b}_end", f"{b}_precision", f"{b}_missing_reason"))
        elif c.part == "missing_reason" and f"{c.source_field}_text" not in {x.name for x in cols}:
            pairs.append((c.source_field, c.name))
    spec = TableSpec(model.resource, model, tuple(cols), model.primary_key, tuple(groups), tuple(pairs))
    spec.by_name.update({c.name: c for c in cols})
    return spec
