"""What the site's pages show, read from the published tables (rows as ``tables.build_rows`` gives them).

Plain data for the templates, no HTML: which claims there are, each one's date, claimant, value and sources, the
links between claims both ways, what each actor claims and is claimed about, which sources relay which, and every
column of a row with its codebook description. ``site.py`` renders it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .claimants import nobody_named
from .models import CLAIMS, Record
from .schema_gen import columns
from .tables import Rows
from .vocabularies import LinkRelation

DATE_FIELD = {"event": "date", "statement": "date", "figure": "as_of"}
CLAIMANT_FIELD = {"event": "claimant_actor_id", "statement": "speaker_actor_id", "figure": "claimant_actor_id"}
PAGE_DIR = {"actors": "actors", "sources": "sources", "claims": "claims", "events": "claims", "statements": "claims"}
"""The folder of the page a foreign key's target has (every claim's page is in claims/)."""


def show(value: Any) -> str:
    """A cell as text: numbers without a needless '.0' and with thousands separators, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if isinstance(value, (int, float)):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass
class Cell:
    """One column of a row, named and described as the codebook does."""

    name: str
    description: str
    value: str
    link: str | None = None  # page of the row a foreign key names, relative to the site's root
    definition: str = ""  # of a controlled value


def cells(model: type[Record], row: dict[str, Any]) -> list[Cell]:
    out = []
    for col in columns(model):
        value = row.get(col.name)
        text = show(value)
        link = None
        if col.fk and value is not None:
            folder = PAGE_DIR.get(col.fk.split(".")[0])
            link = f"{folder}/{value}.html" if folder else None
        definition = ""
        if col.enum is not None and value is not None:
            definition = col.enum.definitions().get(str(value), "")
        out.append(Cell(col.name, col.description, text, link, definition))
    return out


@dataclass
class Claim:
    claim_id: str
    record_type: str
    row: dict[str, Any]
    headline: str  # summary, words or number: what the claim says, in one line
    date_text: str  # as the sources give it; empty when they give none
    date_reason: str  # why the sources give no date
    date_precision: str
    date_start: str
    date_end: str
    claimant: str | None
    qualifier: str = ""
    value: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    links: list[tuple[str, str, str, str]] = field(default_factory=list)  # (direction, relation, other id, note)

    @property
    def sources(self) -> list[str]:
        return sorted({c["source_id"] for c in self.citations})

    @property
    def nobody_named(self) -> str:
        """Who makes the claim when the record names no claimant (from its citations' voices)."""
        return nobody_named(c["voice"] for c in self.citations)


QUALIFIER_WORDS = {"exact": "exactly", "unhedged": "", "range": ""}
"""How a figure's qualifier reads before its number (the others read as their code with spaces): 'unhedged' is
the source printing no word, and a range shows its ends."""


def _digits(row: dict[str, Any]) -> str:
    """A figure's value in digits, or its range."""
    if row.get("qualifier") == "range" or row.get("value") is None:
        return f"{show(row.get('value_low'))}–{show(row.get('value_high'))}"
    number = show(row["value"])
    if row.get("value_low") is not None or row.get("value_high") is not None:
        number += f" ({show(row.get('value_low'))}–{show(row.get('value_high'))})"
    return number


def _number(row: dict[str, Any]) -> str:
    """A figure's number as the claim says it: the source's own words where it printed no digits, else the
    qualifier's words and the digits."""
    if row.get("value_text"):
        return str(row["value_text"])
    qualifier = str(row.get("qualifier", ""))
    return f"{QUALIFIER_WORDS.get(qualifier, qualifier.replace('_', ' '))} {_digits(row)}".strip()


def _figure_value(row: dict[str, Any]) -> str:
    """A figure's number as the claim says it, with its value and unit."""
    unit = row.get("unit") or ""
    if row.get("value_text"):
        return f"{row['value_text']} ({_digits(row)} {unit})".replace(" )", ")")
    return f"{_number(row)} {unit}".strip()


def _headline(kind: str, row: dict[str, Any]) -> str:
    if kind == "event":
        return str(row["summary"])
    if kind == "statement":
        return str(row["text"])
    measure = str(row.get("measure", "")).replace("_", " ")  # says the unit: 'share killed or wounded'
    return f"{_number(row)} {measure}: {row.get('subject', '')}".strip()


class SiteData:
    """Every table indexed the ways the pages read it."""

    def __init__(self, tables: dict[str, Rows]):
        self.tables = tables
        self.sources = {r["source_id"]: r for r in tables["sources"]}
        self.actors = {r["actor_id"]: r for r in tables["actors"]}
        self.relays = tables.get("source_relays", [])
        self.claims: dict[str, Claim] = {}
        for model in CLAIMS:
            kind = model.record_type.value
            for row in tables[model.resource]:
                cid = row[model.primary_key]
                d = DATE_FIELD[kind]
                self.claims[cid] = Claim(
                    claim_id=cid,
                    record_type=kind,
                    row=row,
                    headline=_headline(kind, row),
                    date_text=show(row.get(f"{d}_text")),
                    date_reason=show(row.get(f"{d}_missing_reason")),
                    date_precision=show(row.get(f"{d}_precision")).replace("_", " "),
                    date_start=show(row.get(f"{d}_start")),
                    date_end=show(row.get(f"{d}_end")),
                    claimant=row.get(CLAIMANT_FIELD[kind]),
                    qualifier=show(row.get("qualifier")) if kind == "figure" else "",
                    value=_figure_value(row) if kind == "figure" else "",
                )
        self.claims = dict(sorted(self.claims.items()))
        self.by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for cit in tables["citations"]:
            if cit["claim_id"] in self.claims:
                self.claims[cit["claim_id"]].citations.append(cit)
            self.by_source[cit["source_id"]].append(cit)
        for link in tables["claim_links"]:
            a, b = link["claim_id"], link["other_claim_id"]
            note = show(link.get("note"))
            if a in self.claims:
                self.claims[a].links.append(("to", link["relation"], b, note))
            if b in self.claims:
                self.claims[b].links.append(("from", link["relation"], a, note))

    def model_of(self, claim: Claim) -> type[Record]:
        return next(m for m in CLAIMS if m.record_type.value == claim.record_type)

    def claims_made_by(self, actor_id: str) -> list[Claim]:
        return [c for c in self.claims.values() if c.claimant == actor_id]

    def claims_about(self, actor_id: str) -> list[tuple[str, Claim]]:
        """(the column naming the actor, the claim) for every claim that names the actor other than as claimant."""
        out = []
        for c in self.claims.values():
            for col in ("actor_id", "counterpart_actor_id"):
                if c.record_type == "event" and c.row.get(col) == actor_id:
                    out.append((col, c))
        return out

    def relays_of(self, source_id: str) -> list[dict[str, Any]]:
        """The source's relays (rows of source_relays, in their order) whose relayed source is listed."""
        return [r for r in self.relays if r["source_id"] == source_id and r["relayed_source_id"] in self.sources]

    def relayed_by(self, source_id: str) -> list[dict[str, Any]]:
        """The relays of this source by others (rows of source_relays), by the relaying source."""
        return sorted(
            (r for r in self.relays if r["relayed_source_id"] == source_id and r["source_id"] in self.sources),
            key=lambda r: r["relay_id"],
        )

    def members(self, actor_id: str) -> list[str]:
        return sorted(a for a, r in self.actors.items() if r.get("affiliation_actor_id") == actor_id)

    def actor_name(self, actor_id: str | None) -> str:
        if actor_id is None:
            return ""
        row = self.actors.get(actor_id)
        return show(row["name"]) if row else actor_id

    def source_label(self, source_id: str) -> str:
        row = self.sources.get(source_id)
        if row is None:
            return source_id
        return show(row.get("headline")) or show(row.get("outlet")) or source_id


def relation_words(relation: str, direction: str) -> str:
    """The relation spelt out, read from this claim's side."""
    words = {
        "contradicts": ("contradicts", "is contradicted by"),
        "alternative_estimate": ("is an alternative estimate to", "has as an alternative estimate"),
        "corroborates": ("corroborates", "is corroborated by"),
        "elaborates": ("elaborates on", "is elaborated on by"),
    }.get(relation, (relation, f"is the target of '{relation}' from"))
    return words[0] if direction == "to" else words[1]


def relation_definition(relation: str) -> str:
    return LinkRelation.definitions().get(relation, "") if relation in LinkRelation.values() else ""
