"""Turn validated records into the rows of every published table.

Rows are plain dicts keyed by column name, holding Python values (str, int,
float, datetime.date or None); rows are sorted by primary key so the output
does not depend on the order records were written in.
"""

from __future__ import annotations

from typing import Any

from .checks import CheckResult
from .fields import Unknown
from .models import CLAIMS, CURATED, ClaimRecord, Record, SourceRecord
from .records import Dataset
from .schema_gen import Column, columns
from .vague_dates import VagueDate
from .vocabularies import DatePrecision, DocEnum

Rows = list[dict[str, Any]]


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
    return value


def record_row(record: Record) -> dict[str, Any]:
    return {col.name: _cell(record, col) for col in columns(type(record))}


def build_rows(dataset: Dataset, checked: CheckResult) -> dict[str, Rows]:
    """All published tables, from records that passed every check."""
    tables: dict[str, Rows] = {}
    for model in CURATED:
        rows = [record_row(loc.record) for loc in dataset.of(model.resource) if loc.record is not None]
        tables[model.resource] = sorted(rows, key=lambda r: r[model.primary_key])
    relays = []
    for loc in dataset.of("sources"):
        src = loc.record
        assert isinstance(src, SourceRecord)
        for j, relay in enumerate(src.relays):
            relays.append(
                {
                    "relay_id": f"{src.source_id}/r{j + 1}",
                    "source_id": src.source_id,
                    "relayed_source_id": relay.source_id,
                    "what": relay.what,
                }
            )
    tables["source_relays"] = sorted(relays, key=lambda r: (r["source_id"], int(r["relay_id"].rsplit("/r", 1)[1])))
    claims, citations, links = [], [], []
    for model in CLAIMS:
        for loc in dataset.of(model.resource):
            rec = loc.record
            assert isinstance(rec, ClaimRecord) and loc.id is not None  # dataset.of() holds valid records only
            claims.append({"claim_id": loc.id, "record_type": model.record_type.value})
            for j, cit in enumerate(rec.citations):
                start, end = checked.spans[(loc.id, j)]
                citations.append(
                    {
                        "citation_id": f"{loc.id}/c{j + 1}",
                        "claim_id": loc.id,
                        "source_id": cit.source_id,
                        "excerpt": cit.excerpt,
                        "char_start": start,
                        "char_end": end,
                        "voice": cit.voice.value,
                        "variant": cit.variant,
                    }
                )
            for j, link in enumerate(rec.links):
                links.append(
                    {
                        "link_id": f"{loc.id}/l{j + 1}",
                        "claim_id": loc.id,
                        "relation": link.relation.value,
                        "other_claim_id": link.other_claim_id,
                        "note": link.note,
                    }
                )
    tables["claims"] = sorted(claims, key=lambda r: r["claim_id"])
    tables["citations"] = sorted(citations, key=lambda r: (r["claim_id"], int(r["citation_id"].rsplit("/c", 1)[1])))
    tables["claim_links"] = sorted(links, key=lambda r: (r["claim_id"], int(r["link_id"].rsplit("/l", 1)[1])))
    return tables
