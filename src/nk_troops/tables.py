"""Turn validated records into the rows of every published table.

Rows are plain dicts keyed by column name, holding Python values (str, int,
float, datetime.date or None); rows are sorted by primary key so the output
does not depend on the order records were written in. Each row keeps its
origin (the record, and the citation, link or relay in it), so a problem the
table checker finds in a row is located in the records file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .fields import Unknown
from .models import CLAIMS, CURATED, ClaimRecord, Record, SourceRecord
from .records import Dataset, Located
from .schema_gen import Column, columns
from .vague_dates import VagueDate
from .vocabularies import DatePrecision, DocEnum

Rows = list[dict[str, Any]]
Spans = dict[tuple[str, int], tuple[int, int]]
"""(claim id, citation index) → (char_start, char_end) of the excerpt in its archived text."""


@dataclass(frozen=True)
class Origin:
    """Where a row comes from: a record, and the citation, link or relay in it (``part``, e.g.
    ``("links", 0)``); ``found`` False for a citation whose excerpt was not found (no offsets);
    ``valid`` False for a row of a record that failed its own checks (only its keys and references)."""

    loc: Located
    part: tuple = ()
    found: bool = True
    valid: bool = True


@dataclass
class Tables:
    rows: dict[str, Rows]
    origins: dict[str, list[Origin]]


def _cell(record: Record, col: Column) -> Any:
    value = getattr(record, col.source_field)
    if col.part in ("text", "start", "end", "precision"):
        if isinstance(value, Unknown):
            return DatePrecision.unknown.value if col.part == "precision" else None
        assert isinstance(value, VagueDate)
        if col.part == "precision":
            return value.precision.value
        if col.part == "text":
            return value.text if value.precision is not DatePrecision.unknown else None
        return getattr(value, col.part)
    if col.part == "missing_reason":
        return value.unknown if isinstance(value, Unknown) else None
    if isinstance(value, Unknown):
        return None
    if isinstance(value, DocEnum):
        return value.value
    return value  # also a vocabulary's value that is none of its members: the table checker reports it


def record_row(record: Record) -> dict[str, Any]:
    return {col.name: _cell(record, col) for col in columns(type(record))}


def _sorted(pairs: list[tuple[dict[str, Any], Origin]], key) -> tuple[Rows, list[Origin]]:
    pairs = sorted(pairs, key=lambda p: key(p[0]))
    return [r for r, _ in pairs], [o for _, o in pairs]


def _position(row_id: str, mark: str) -> int:
    return int(row_id.rsplit(mark, 1)[1])


def build_rows(dataset: Dataset, spans: Spans) -> Tables:
    """All published tables from the valid records. A claim or source whose id an earlier record holds gives
    no citation, link or relay rows (the duplicate id is the problem). A citation whose excerpt has no offsets
    (not found: already reported) has its row with ``char_start`` and ``char_end`` empty, so that its other
    cells are checked; a build happens only when every excerpt was found."""
    rows: dict[str, Rows] = {}
    origins: dict[str, list[Origin]] = {}
    row: dict[str, Any]
    for model in CURATED:
        pairs = [(record_row(loc.record), Origin(loc)) for loc in dataset.of(model.resource) if loc.record]
        rows[model.resource], origins[model.resource] = _sorted(pairs, lambda r, k=model.primary_key: r[k])
    relays: list[tuple[dict[str, Any], Origin]] = []
    seen: set[str | None] = set()
    for loc in dataset.of("sources"):
        src = loc.record
        assert isinstance(src, SourceRecord)
        if src.source_id in seen:
            continue
        seen.add(src.source_id)
        for j, relay in enumerate(src.relays):
            row = {
                "relay_id": f"{src.source_id}/r{j + 1}",
                "source_id": src.source_id,
                "relayed_source_id": relay.source_id,
                "what": relay.what,
            }
            relays.append((row, Origin(loc, ("relays", j))))
    rows["source_relays"], origins["source_relays"] = _sorted(
        relays, lambda r: (r["source_id"], _position(r["relay_id"], "/r"))
    )
    claims: list[tuple[dict[str, Any], Origin]] = []
    citations: list[tuple[dict[str, Any], Origin]] = []
    links: list[tuple[dict[str, Any], Origin]] = []
    seen = set()
    for model in CLAIMS:
        for loc in dataset.of(model.resource):
            rec = loc.record
            assert isinstance(rec, ClaimRecord) and loc.id is not None  # dataset.of() holds valid records only
            claims.append(({"claim_id": loc.id, "record_type": model.record_type.value}, Origin(loc)))
            if loc.id in seen:
                continue
            seen.add(loc.id)
            for j, cit in enumerate(rec.citations):
                span = spans.get((loc.id, j))
                start, end = span or (None, None)
                row = {
                    "citation_id": f"{loc.id}/c{j + 1}",
                    "claim_id": loc.id,
                    "source_id": cit.source_id,
                    "excerpt": cit.excerpt,
                    "char_start": start,
                    "char_end": end,
                    "voice": str(cit.voice),
                    "variant": cit.variant,
                }
                citations.append((row, Origin(loc, ("citations", j), span is not None)))
            for j, link in enumerate(rec.links):
                row = {
                    "link_id": f"{loc.id}/l{j + 1}",
                    "claim_id": loc.id,
                    "relation": str(link.relation),
                    "other_claim_id": link.other_claim_id,
                    "note": link.note,
                }
                links.append((row, Origin(loc, ("links", j))))
    rows["claims"], origins["claims"] = _sorted(claims, lambda r: r["claim_id"])
    rows["citations"], origins["citations"] = _sorted(
        citations, lambda r: (r["claim_id"], _position(r["citation_id"], "/c"))
    )
    rows["claim_links"], origins["claim_links"] = _sorted(
        links, lambda r: (r["claim_id"], _position(r["link_id"], "/l"))
    )
    return Tables(rows, origins)
