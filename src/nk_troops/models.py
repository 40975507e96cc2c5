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
  ``claims`` key registry.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, ClassVar, TypeAlias, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from . import rulebook as R
from .vague_dates import VagueDate, parse_vague_date
from .vocabularies import (
    ActorType,
    ArchiveStatus,
    EventType,
    LinkRelation,
    Measure,
    Medium,
    Provenance,
    Qualifier,
    RecordType,
    SourceKind,
    StatementForm,
    Unit,
)

# --------------------------------------------------------------------------- text rules

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x0600, 0x0605),
    (0x061C, 0x061C),  # Arabic letter mark
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, joiners, left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte-order mark)
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),  # language tag
    (0xE0020, 0xE007F),  # tag characters
)
"""The characters Unicode classes as format characters (category Cf, Unicode 14): invisible, or changing the
direction of the text around them, so that a text can read other than it is."""

INVISIBLE = "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in INVISIBLE_RANGES) + "]"
"""The same, as a regular expression character class (Python's re and Arrow's RE2 read it alike)."""

_INVISIBLE = re.compile(INVISIBLE)


def text_problem(value: str, *, excerpt: bool = False) -> str | None:
    """The first text rule ``value`` breaks, or None. Every text: no space or line break at either end, no control
    character but the line break, nothing a spreadsheet would run. Every text but an excerpt, which holds what its
    archived source holds: no invisible or direction-changing character (:data:`INVISIBLE`)."""
    if value != value.strip():
        return "remove the spaces or line breaks at the start or end of the text"
    bad = next((ch for ch in value if (ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) < 0xA0), None)
    if bad is not None:
        return f"the text holds the control character U+{ord(bad):04X}; remove it (line breaks are the only control character allowed)"
    hidden = None if excerpt else _INVISIBLE.search(value)
    if hidden is not None:
        ch = hidden.group()
        return (
            f"the text holds the invisible character U+{ord(ch):04X} ({unicodedata.name(ch, 'a format character')}); "
            "remove it (invisible and direction-changing characters are allowed only in excerpts, as their source has them)"
        )
    if value.startswith(FORMULA_STARTS):
        return (
            f"text may not start with {value[0]!r}: a spreadsheet would run the cell as a formula; "
            "reword it, or start with a letter or a quotation mark"
        )
    return None


def _safe_text(value: str) -> str:
    """Text cells: see :func:`text_problem`."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _safe_excerpt(value: str) -> str:
    """Excerpts: the rules of every text, but they may hold the invisible characters their archived source holds."""
    problem = text_problem(value, excerpt=True)
    if problem is not None:
        raise ValueError(problem)
    return value


Text = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_safe_text)]
Excerpt = Annotated[str, Field(min_length=8, max_length=2_000), AfterValidator(_safe_excerpt)]
"""Verbatim words from an archived text: in a record's citation and in the published citations table alike
(a record's excerpt is published as written, so it has the table's text rules, but for invisible characters)."""

Url = Annotated[str, Field(pattern=r"^https?://[^\s/?#@]+([/?#][^\s]*)?$"), AfterValidator(_safe_text)]
"""An http(s) address with no user name or password in it (no '@' before the path: a published link must not carry
credentials, nor disguise its host as one); a text too (no control or invisible character: a link can hide one)."""


Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A number as Table Schema defines it, and finite: written as a YAML number (never as text or a boolean), not inf
or NaN (a published table cannot hold them: check-tables refuses them)."""


@lru_cache(maxsize=1)
def iso3166_alpha2() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, read from the IANA tz database's iso3166.tab (package tzdata)."""
    table = (resources.files("tzdata.zoneinfo") / "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(line.split("\t", 1)[0] for line in table.splitlines() if line and not line.startswith("#"))


def _iso_country(value: str) -> str:
    if value not in iso3166_alpha2():
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (for example UA, RU, KP, KR, US)")
    return value


Country = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code.", examples=["KP"]),
    AfterValidator(_iso_country),
]


def _id(prefix: str, what: str, example: str) -> Any:
    """The Field of an identifier column: lowercase letters, digits and hyphens after ``prefix``."""
    body = r"[a-z0-9]+(-[a-z0-9]+)*"
    return Field(
        pattern=f"^{prefix}{body}$",
        max_length=80,
        description=f"Identifier of the {what}: lowercase letters, digits and hyphens"
        + (f", starting '{prefix}'." if prefix else "."),
        examples=[example],
    )


SourceId = Annotated[str, _id("", "source", "korea-times-2025-ponomarenko-interview")]
ActorId = Annotated[str, _id("", "actor", "dmytro-ponomarenko")]
EventId = Annotated[str, _id("ev-", "event", "ev-capture-two-soldiers-kursk")]
StatementId = Annotated[str, _id("st-", "statement", "st-ponomarenko-open-to-dialogue")]
FigureId = Annotated[str, _id("fg-", "figure", "fg-ponomarenko-killed-or-wounded")]
ClaimId = Annotated[
    str,
    Field(
        pattern=r"^(ev|st|fg)-[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=80,
        description="Identifier of an event, statement or figure (they share one namespace).",
        examples=["fg-ponomarenko-killed-or-wounded"],
    ),
]


def fk(target: str, description: str, example: str | None = None, *, required: bool = False) -> Any:
    """Metadata for a column that refers to another table's key, e.g. ``fk("actors.actor_id", ...)``.

    Optional references default to empty (None); ``required=True`` makes the field mandatory.
    """
    return Field(
        ... if required else None,
        description=description,
        examples=[example] if example else None,
        json_schema_extra={"fk": target},
    )


# --------------------------------------------------------------------------- unknowns and dates


class Unknown(BaseModel):
    """Written ``{unknown: "why the sources do not establish this"}`` in place of a value."""

    model_config = ConfigDict(extra="forbid")
    unknown: Text


class KnowableMarker:
    """Marks a field that must hold a value or an explained ``{unknown: ...}``."""


_V = TypeVar("_V")

Knowable: TypeAlias = Annotated[_V | Unknown, KnowableMarker()]
"""A value of the given type, or ``{unknown: "why"}``: ``x: Knowable[Text] = Field(description=..., examples=[...])``."""


class WrittenDateMarker:
    """Marks a field written as a vague date (see vague_dates.py) and published as five columns."""


def _parse_written_date(value: Any) -> VagueDate | Unknown:
    if isinstance(value, (Unknown, VagueDate)):
        return value
    if isinstance(value, dict):
        reason = value.get("unknown")
        if set(value) != {"unknown"} or not isinstance(reason, str) or not reason.strip():
            raise ValueError(
                'write the date as text (for example "mid-January 2025"), or {unknown: "why the sources do not say"}'
            )
        return Unknown(unknown=_safe_text(reason))
    return parse_vague_date(value)


WrittenDate: TypeAlias = Annotated[Any, WrittenDateMarker(), AfterValidator(_parse_written_date)]
"""A date in the vague-date grammar, or ``{unknown: "why"}``; after validation a :class:`VagueDate` or
:class:`Unknown` (declared ``Any`` because the raw YAML value, a string or a mapping, is what pydantic receives):
``x: WrittenDate = Field(description=..., examples=[...])``."""


# --------------------------------------------------------------------------- shared pieces


class Citation(BaseModel):
    """One archived source and the verbatim words in it that support the record."""

    model_config = ConfigDict(extra="forbid")
    source_id: SourceId = fk(
        "sources.source_id",
        "The archived source that reports the record.",
        "korea-times-2025-ponomarenko-interview",
        required=True,
    )
    excerpt: Excerpt = Field(
        description="Verbatim words from the archived source (see README: excerpt matching) that support the record.",
        examples=["In mid-January, Ukrainian forces captured two North Korean soldiers"],
    )


class Link(BaseModel):
    """A typed link from this claim to another claim (both kept; neither overrides the other)."""

    model_config = ConfigDict(extra="forbid")
    relation: LinkRelation = Field(description="How the two claims relate.", examples=["alternative_estimate"])
    other_claim_id: ClaimId = fk(
        "claims.claim_id", "The claim this one is linked to.", "fg-nis-killed-mid-january", required=True
    )
    note: Text | None = Field(
        None, description="Why the link was made.", examples=["Both count North Korean casualties in Kursk."]
    )


class Record(BaseModel):
    """Base of every editable record; ``extra="forbid"`` turns a misspelt field into an error."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    resource: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    primary_key: ClassVar[str]


class ClaimRecord(Record):
    """An event, statement or figure: a claim made by someone and reported by cited sources."""

    record_type: ClassVar[RecordType]
    provenance: Provenance = Field(
        Provenance.hand_curated, description="How the record was made.", examples=["hand_curated"]
    )
    notes: Text | None = Field(
        None,
        description="Curator's notes: wording differences between sources, borderline decisions.",
        examples=["Seed 001 gives the same quote, shortened."],
    )
    citations: list[Citation] = Field(
        min_length=1, description="Sources that report this claim, each with a verbatim excerpt."
    )
    links: list[Link] = Field(
        default_factory=list, description="Links to other claims (conflicts, alternative estimates)."
    )


# --------------------------------------------------------------------------- the records


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
    archived_file: Annotated[str, Field(pattern=r"^seeds/[A-Za-z0-9_.-]+\.txt$")] | None = Field(
        None,
        description="Path of the archived text, relative to the repository root; empty when not archived.",
        examples=["seeds/000_903a45e1dc248108.txt"],
    )
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None,
        description="SHA-256 of the archived file's bytes; empty when not archived.",
        examples=["6eb91f26597d850788a6556a45dd764cfed30de3002170fa344d3a7c1a84af2e"],
    )
    kind: SourceKind = Field(description="What sort of document it is.", examples=["interview"])
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
    language: Knowable[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(
        description="ISO 639-1 code of the document's language.", examples=["en"]
    )
    relays_source_id: SourceId | None = fk(
        "sources.source_id",
        "The source this document is built on (an interview or agency report it restates); empty if none.",
        "korea-times-2025-ponomarenko-interview",
    )
    relay_note: Text | None = Field(
        None,
        description="What the document relays and how it says so.",
        examples=["Built on The Korea Times' written interview, which it names."],
    )
    notes: Text | None = Field(
        None,
        description="Curator's notes on the document.",
        examples=["Ends with unrelated news-feed items, which are out of scope."],
    )

    @model_validator(mode="after")
    def _archive_fields(self) -> SourceRecord:
        if self.status is ArchiveStatus.archived and (self.archived_file is None or self.sha256 is None):
            raise ValueError(R.ARCHIVED_FIELDS.message())
        if self.status is ArchiveStatus.not_archived and (self.archived_file or self.sha256):
            raise ValueError(R.NOT_ARCHIVED_FIELDS.message())
        return self


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
    actor_id: ActorId | None = fk("actors.actor_id", "Who did it.", "ukrainian-forces")
    counterpart_actor_id: ActorId | None = fk("actors.actor_id", "Who it was done to or with.", "north-korean-troops")
    claimant_actor_id: ActorId | None = fk(
        "actors.actor_id",
        "Who the sources say claims it happened; empty when the citing sources state it in their own voice.",
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
    value: Annotated[Number, Field(ge=0)] | None = Field(
        None, description="The number as stated; empty for a pure range.", examples=[4000]
    )
    value_low: Annotated[Number, Field(ge=0)] | None = Field(
        None, description="Lower end, when the claim gives one.", examples=[300]
    )
    value_high: Annotated[Number, Field(ge=0)] | None = Field(
        None, description="Upper end, when the claim gives one.", examples=[12000]
    )
    qualifier: Qualifier = Field(description="The hedge the claim puts on the number.", examples=["approximately"])
    unit: Unit = Field(description="Unit of value, value_low and value_high.", examples=["persons"])
    as_of: WrittenDate = Field(description="The date the number refers to.", examples=["mid-January 2025"])
    place: Text | None = Field(
        None, description="Where the counted people are or were, as the sources name it.", examples=["Kursk region"]
    )
    country: Country | None = Field(None, description="ISO code of that place's country.", examples=["RU"])
    claimant_actor_id: ActorId | None = fk(
        "actors.actor_id",
        "Who claims the number; empty when the citing sources state it in their own voice.",
        "south-korea-nis",
    )
    statement_id: StatementId | None = fk(
        "statements.statement_id", "The statement the number was given in, if recorded.", "st-ponomarenko-heavy-losses"
    )

    @model_validator(mode="after")
    def _numbers(self) -> FigureRecord:
        if self.qualifier is Qualifier.range:
            if self.value_low is None or self.value_high is None:
                raise ValueError(R.RANGE_BOUNDS.message())
        elif self.value is None:
            raise ValueError(R.NEEDS_VALUE.message(qualifier=self.qualifier.value))
        if self.value_low is not None and self.value_high is not None and self.value_low > self.value_high:
            raise ValueError(R.LOW_ABOVE_HIGH.message(low=self.value_low, high=self.value_high))
        if self.value is not None:
            if self.value_low is not None and self.value < self.value_low:
                raise ValueError(R.VALUE_BELOW_LOW.message(value=self.value, low=self.value_low))
            if self.value_high is not None and self.value > self.value_high:
                raise ValueError(R.VALUE_ABOVE_HIGH.message(value=self.value, high=self.value_high))
        if self.unit is Unit.share:
            for name in ("value", "value_low", "value_high"):
                v = getattr(self, name)
                if v is not None and v > 1:
                    raise ValueError(R.SHARE_AT_MOST_ONE.message(name=name, value=v))
        return self


# --------------------------------------------------------------------------- derived tables


class ClaimRow(Record):
    resource = "claims"
    title = "Claims (key registry)"
    description = "Every event, statement and figure id with its table, so citations and links can refer to any of them with one foreign key. Derived by the build."
    primary_key = "claim_id"

    claim_id: ClaimId
    record_type: RecordType = Field(description="The table the claim is in.", examples=["figure"])


class CitationRow(Record):
    resource = "citations"
    title = "Citations"
    description = "Each claim's sources, with the verbatim excerpt and where it stands in the archived text. Derived by the build from each record's citations."
    primary_key = "citation_id"

    citation_id: Annotated[str, Field(pattern=r"^(ev|st|fg)-[a-z0-9-]+/c[0-9]+$")] = Field(
        description="The claim id, '/c' and the citation's position in the record (from 1).",
        examples=["fg-ponomarenko-killed-or-wounded/c1"],
    )
    claim_id: ClaimId = fk("claims.claim_id", "The claim cited.", "fg-ponomarenko-killed-or-wounded", required=True)
    source_id: SourceId = fk(
        "sources.source_id", "The archived source.", "korea-times-2025-ponomarenko-interview", required=True
    )
    excerpt: Excerpt = Field(
        description="The verbatim words, as the curator wrote them.",
        examples=["approximately 4,000 killed or wounded so far"],
    )
    char_start: Annotated[int, Field(ge=0)] = Field(
        description="Offset of the excerpt's first character in the archived text (Unicode code points from 0).",
        examples=[3120],
    )
    char_end: Annotated[int, Field(ge=1)] = Field(
        description="Offset just past the excerpt's last character (so text[char_start:char_end] is the matched span).",
        examples=[3163],
    )


class ClaimLinkRow(Record):
    resource = "claim_links"
    title = "Claim links"
    description = "Typed links between claims, such as conflicting figures; both claims stay in their tables. Derived by the build from each record's links."
    primary_key = "link_id"

    link_id: Annotated[str, Field(pattern=r"^(ev|st|fg)-[a-z0-9-]+/l[0-9]+$")] = Field(
        description="The claim id, '/l' and the link's position in the record (from 1).",
        examples=["fg-ponomarenko-killed-or-wounded/l1"],
    )
    claim_id: ClaimId = fk(
        "claims.claim_id", "The claim the link is written on.", "fg-ponomarenko-killed-or-wounded", required=True
    )
    relation: LinkRelation = Field(description="How the two claims relate.", examples=["alternative_estimate"])
    other_claim_id: ClaimId = fk("claims.claim_id", "The other claim.", "fg-nis-killed-mid-january", required=True)
    note: Text | None = Field(
        None, description="Why the link was made.", examples=["Both count North Korean casualties in Kursk."]
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
)
"""Every published table, in the order of datapackage.json (referenced tables first)."""

BY_RESOURCE: dict[str, type[Record]] = {m.resource: m for m in PUBLISHED}

ID_PREFIX = re.compile(r"^(ev|st|fg)-")
