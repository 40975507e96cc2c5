"""The one definition of every record and table.

Each ``*Record`` model below is the editable form a curator writes in
``dataset/records/<resource>.yaml`` *and* the definition of the published
table of the same name. ``schema_gen.py`` walks these models to produce the
Table Schemas (``schema/*.json``), the Parquet schemas, ``datapackage.json``
and the codebook; nothing else lists columns.

How a model field becomes columns (see ``schema_gen.columns``):

* a plain field becomes one column of the same name;
* a :data:`WrittenDate` field ``x`` becomes ``x_text``, ``x_start``,
  ``x_end``, ``x_precision`` and ``x_missing_reason``;
* a :data:`Knowable` field ``x`` (a value, or ``{unknown: "why"}``) becomes
  ``x`` and ``x_missing_reason``;
* ``citations`` and ``links`` become rows of the ``citations`` and
  ``claim_links`` tables, and every event, statement and figure a row of the
  ``claims`` key registry; a source's ``relays`` become rows of ``source_relays``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from .derived_rows import CitationRow, ClaimLinkRow, ClaimRow, SourceRelayRow
from .fields import (  # also read by other modules as models.<name>
    ActorId,
    Cell,
    Country,
    EventId,
    FigureId,
    Knowable,
    Number,
    SourceId,
    StatementId,
    Subdivision,
    Text,
    Url,
    WrittenDate,
    fk,
)
from .record_parts import Citation as Citation  # re-exported: other modules read models.Citation, models.Link
from .record_parts import ClaimRecord, Record
from .record_parts import Link as Link  # and its fields' words are the claim_links columns'
from .record_parts import Relay as Relay  # and the source_relays columns'
from .vocabularies import (
    ActorType,
    ArchiveStatus,
    EventType,
    Measure,
    Medium,
    PlacePrecision,
    Qualifier,
    RecordType,
    SourceKind,
    StatementForm,
    TextRights,
    Unit,
)

# --------------------------------------------------------------------------- the records


def _place_code() -> Any:
    return Field(
        None,
        description="ISO 3166-2 code of the subdivision the place is in, where the sources name a subdivision.",
        examples=["RU-KRS"],
    )


def _place_precision() -> Any:
    return Field(None, description="How precisely the sources name the place.", examples=["subdivision"])


class SourceRecord(Record):
    resource = "sources"
    title = "Sources"
    description = (
        "Documents that report the claims. Archived sources are kept byte-for-byte in seeds/ and are the only ones "
        "records may cite; sources that are only relayed (a news agency report an archived article is built on) are "
        "listed so the relay chain can be followed."
    )
    primary_key = "source_id"

    source_id: SourceId
    status: ArchiveStatus = Field(
        description="Whether the document's text is archived in seeds/.", examples=["archived"]
    )
    archived_file: Annotated[str, Cell(pattern=r"^seeds/[A-Za-z0-9_.-]+\.txt$")] | None = Field(
        None,
        description="Path of the archived text, relative to the repository root; empty when not archived.",
        examples=["seeds/000_903a45e1dc248108.txt"],
    )
    sha256: Annotated[str, Cell(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None,
        description="SHA-256 of the archived file's bytes; empty when not archived.",
        examples=["6eb91f26597d850788a6556a45dd764cfed30de3002170fa344d3a7c1a84af2e"],
    )
    original_file: Annotated[str, Cell(pattern=r"^seeds/[A-Za-z0-9_.-]+\.html$")] | None = Field(
        None,
        description="Path of the saved web page the archived text was extracted from, kept byte-for-byte next to it "
        "(relative to the repository root); empty when the archived text is the document as saved. The notes say "
        "how the text was extracted.",
        examples=["seeds/005_1f3a9c0b2d4e6f70.html"],
    )
    original_sha256: Annotated[str, Cell(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None,
        description="SHA-256 of the saved web page's bytes; empty when there is no original_file.",
        examples=["9c1185a5c5e9fc54612808977ee8f548b2258d31d8a2a6bbd5ebf0e5c6e5e1a8"],
    )
    kind: SourceKind = Field(description="What sort of document it is.", examples=["interview"])
    full_text: TextRights = Field(
        TextRights.not_republishable,
        description="Whether the archived text may be republished in full (the public site shows it whole only then; "
        "otherwise each cited excerpt within its sentence). Default: not_republishable.",
        examples=["not_republishable"],
    )
    full_text_reason: Text | None = Field(
        None,
        description="Why the archived text may or may not be republished in full: its licence, or whose copyright it is.",
        examples=["A news article under its publisher's copyright; no licence to republish it is known."],
    )
    outlet: Knowable[Text] = Field(
        description="Outlet that published the document, as the document names it.", examples=["The Korea Times"]
    )
    headline: Knowable[Text] = Field(
        description="Headline as printed in the document.",
        examples=["Kyiv open to talks with South Korea on captured North Korean soldiers, ambassador says"],
    )
    byline: Knowable[Text] = Field(description="Author(s) as printed in the document.", examples=["Kateryna Denisova"])
    published: WrittenDate = Field(description="Publication date as printed in the document.", examples=["2025-02-06"])
    url: Knowable[Url] = Field(
        description="Address of the document (http or https, with no user name or password), only where the document itself shows it.",
        examples=["https://www.koreatimes.co.kr/"],
    )
    language: Knowable[Annotated[str, Cell(pattern=r"^[a-z]{2}$")]] = Field(
        description="ISO 639-1 code of the document's language.", examples=["en"]
    )
    relays: list[Relay] = Field(
        default_factory=list,
        description="The sources this document is built on (interviews, agency reports it restates), each with what it "
        "relays; empty if none.",
    )
    notes: Text | None = Field(
        None,
        description="Curator's notes on the document.",
        examples=["Ends with unrelated news-feed items, which are out of scope."],
    )


class ActorRecord(Record):
    resource = "actors"
    title = "Actors"
    description = "People, offices, states, armed forces and organisations that act, speak or claim in the records."
    primary_key = "actor_id"

    actor_id: ActorId
    name: Text = Field(
        description="Name as the sources give it (the most complete form).", examples=["Dmytro Ponomarenko"]
    )
    actor_type: ActorType = Field(description="What kind of actor.", examples=["person"])
    country: Country | None = Field(
        None,
        description="ISO 3166-1 alpha-2 code of the state the actor belongs to or is; empty for international bodies.",
        examples=["UA"],
    )
    role: Text | None = Field(
        None,
        description="Role or title held at the time of the records that involve the actor.",
        examples=["Ambassador of Ukraine to South Korea"],
    )
    affiliation_actor_id: ActorId | None = fk(
        "actors.actor_id", "The body the actor belongs to or serves, if recorded.", "ukraine"
    )
    notes: Text | None = Field(None, description="Curator's notes.", examples=["Also called 'the envoy' in seed 000."])


class EventRecord(ClaimRecord):
    resource = "events"
    title = "Events"
    description = "Things that happened, as claimed: deployments, captures, calls, offers."
    primary_key = "event_id"
    record_type = RecordType.event

    event_id: EventId
    event_type: EventType = Field(description="What sort of event.", examples=["capture"])
    summary: Text = Field(
        description="One sentence in the curators' words saying what happened, as claimed.",
        examples=["Ukrainian forces capture two North Korean soldiers in Russia's Kursk region."],
    )
    date: WrittenDate = Field(
        description="When it happened, as precisely as the sources say.", examples=["mid-January 2025"]
    )
    place: Text | None = Field(
        None, description="Where it happened, as the sources name the place.", examples=["Kursk region"]
    )
    country: Country | None = Field(None, description="ISO code of the country where it happened.", examples=["RU"])
    place_code: Subdivision | None = _place_code()
    place_precision: PlacePrecision | None = _place_precision()
    actor_id: ActorId | None = fk("actors.actor_id", "Who did it.", "ukrainian-forces")
    counterpart_actor_id: ActorId | None = fk("actors.actor_id", "Who it was done to or with.", "north-korean-troops")
    claimant_actor_id: ActorId | None = fk(
        "actors.actor_id",
        "Who the sources say claims it happened; empty when no one they name does: the citing source's own voice, "
        "or someone it leaves unnamed (each citation's voice says which).",
        "volodymyr-zelensky",
    )


class StatementRecord(ClaimRecord):
    resource = "statements"
    title = "Statements"
    description = "Things said: verbatim quotations and paraphrases, each with its speaker, date and medium."
    primary_key = "statement_id"
    record_type = RecordType.statement

    statement_id: StatementId
    speaker_actor_id: ActorId = fk(
        "actors.actor_id", "Who said it (the claimant of the statement).", "dmytro-ponomarenko", required=True
    )
    form: StatementForm = Field(
        description="Whether text is the speaker's exact words or a paraphrase.", examples=["verbatim"]
    )
    text: Text = Field(
        description="The words: for verbatim statements exactly as quoted (the fullest version the sources give); for paraphrases as the reporter put them.",
        examples=["Ukraine wants to end this war more than any other country"],
    )
    date: WrittenDate = Field(description="When it was said.", examples=["by 2025-02-05"])
    medium: Medium = Field(description="How it was said.", examples=["written_interview"])
    event_id: EventId | None = fk(
        "events.event_id",
        "The occasion it was said at (an interview, a call), if recorded as an event.",
        "ev-ponomarenko-korea-times-interview",
    )


FIGURE_MAX = 1_000_000_000
"""The largest value a figure may give: no head count in this dataset can pass a billion (the world's armed forces
are under 30 million), and a share is at most 1. A larger number is a typo, and one near the largest float stopped
the figures plot with a traceback."""


class FigureRecord(ClaimRecord):
    resource = "figures"
    title = "Figures"
    description = "Numbers as claimed (troops deployed, killed, wounded, captured), with qualifier, unit, as-of date and claimant. Never summed or derived by the curators."
    primary_key = "figure_id"
    record_type = RecordType.figure

    figure_id: FigureId
    measure: Measure = Field(description="What is counted.", examples=["killed_or_wounded"])
    subject: Text = Field(
        description="Whose number it is, in the sources' words.",
        examples=["North Korean military personnel fighting in Russia"],
    )
    value: Annotated[Number, Cell(ge=0, le=FIGURE_MAX)] | None = Field(
        None, description="The number as stated; empty for a pure range.", examples=[4000]
    )
    value_low: Annotated[Number, Cell(ge=0, le=FIGURE_MAX)] | None = Field(
        None, description="Lower end, when the claim gives one.", examples=[300]
    )
    value_high: Annotated[Number, Cell(ge=0, le=FIGURE_MAX)] | None = Field(
        None, description="Upper end, when the claim gives one.", examples=[12000]
    )
    value_text: Text | None = Field(
        None,
        description="The number as printed, where it is not written in digits or is a share or phrase "
        "('approximately one-third', 'dozens'); value holds what it means.",
        examples=["approximately one-third"],
    )
    qualifier: Qualifier = Field(description="The hedge the claim puts on the number.", examples=["approximately"])
    unit: Unit = Field(description="Unit of value, value_low and value_high.", examples=["persons"])
    as_of: WrittenDate = Field(description="The date the number refers to.", examples=["mid-January 2025"])
    place: Text | None = Field(
        None, description="Where the counted people are or were, as the sources name it.", examples=["Kursk region"]
    )
    country: Country | None = Field(None, description="ISO code of that place's country.", examples=["RU"])
    place_code: Subdivision | None = _place_code()
    place_precision: PlacePrecision | None = _place_precision()
    claimant_actor_id: ActorId | None = fk(
        "actors.actor_id",
        "Who claims the number; empty when no one the sources name does: the citing source's own voice, or someone "
        "it leaves unnamed (each citation's voice says which).",
        "south-korea-nis",
    )
    statement_id: StatementId | None = fk(
        "statements.statement_id", "The statement the number was given in, if recorded.", "st-ponomarenko-heavy-losses"
    )


CURATED: tuple[type[Record], ...] = (SourceRecord, ActorRecord, EventRecord, StatementRecord, FigureRecord)
"""Models written by hand in dataset/records/<resource>.yaml, in load order."""

CLAIMS: tuple[type[ClaimRecord], ...] = (EventRecord, StatementRecord, FigureRecord)

PUBLISHED: tuple[type[Record], ...] = (
    SourceRecord,
    ActorRecord,
    ClaimRow,
    EventRecord,
    StatementRecord,
    FigureRecord,
    CitationRow,
    ClaimLinkRow,
    SourceRelayRow,
)
"""Every published table, in the order of datapackage.json (referenced tables first)."""

BY_RESOURCE: dict[str, type[Record]] = {m.resource: m for m in PUBLISHED}
