"""The pieces every record model of ``models.py`` is built from: the base :class:`Record`, a claim's
citations and links, and a source's relays (which the build turns into rows of the ``citations``,
``claim_links`` and ``source_relays`` tables)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from .fields import ClaimId, Excerpt, SourceId, Text, fk
from .vocabularies import CitationVoice, Hedge, LinkRelation, Provenance, RecordType

OCCURRENCE_MAX = 1_000
"""The largest ``occurrence`` a citation may give: an excerpt found in more places must quote more (the places
are searched for no further, so that a short excerpt in a long text costs no more than this many)."""


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
        description="Verbatim words from the archived source that support the record (matched as docs/validation.md, Excerpt matching, says).",
        examples=["In mid-January, Ukrainian forces captured two North Korean soldiers"],
    )
    voice: CitationVoice = Field(
        description="Whose voice this source gives the claim in: its own, the claimant's, or someone else's.",
        examples=["claimant"],
    )
    variant: Text | None = Field(
        None,
        description="What this source says where its wording changes the claim (another recipient, number or "
        "hedge than the record's); empty when it says what the record says.",
        examples=["open for a dialogue regarding transfer to third countries"],
    )
    occurrence: Annotated[int, Field(strict=True, ge=1, le=OCCURRENCE_MAX)] | None = Field(
        None,
        description="Which place of the archived text the excerpt is, where it occurs in more than one: 1 for the "
        "first, counted from the start of the text. Left out where it occurs once. Records only: the citations "
        "table gives the place as char_start and char_end.",
        examples=[2],
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


class Relay(BaseModel):
    """Another source this document is built on (an interview or agency report it restates), and what of it."""

    model_config = ConfigDict(extra="forbid")
    source_id: SourceId = fk(
        "sources.source_id",
        "The source this document relays.",
        "seed-000-korea-times-ponomarenko-interview",
        required=True,
    )
    what: Text = Field(
        description="What the document takes from that source, in the curator's words, and how it says so.",
        examples=["Ponomarenko's remarks from 'an interview with The Korea Times published on Feb. 5', quoted."],
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
    hedge: Hedge = Field(description="How sure the sources sound about the claim, as worded.", examples=["likely"])
    hedge_words: Text | None = Field(
        None,
        description="The words that hedge the claim, verbatim from a cited excerpt; empty when it is asserted.",
        examples=["are likely"],
    )
    notes: Text | None = Field(
        None,
        description="Curator's notes: wording differences between sources, borderline decisions.",
        examples=["Seed 001 gives the same quote, shortened."],
    )
    citations: list[Citation] = Field(  # at least one: the tables' coverage rule (engine/references.py)
        description="Sources that report this claim, each with a verbatim excerpt."
    )
    links: list[Link] = Field(
        default_factory=list, description="Links to other claims (conflicts, alternative estimates)."
    )
