"""The pieces every record model of ``models.py`` is built from: the base :class:`Record`, and a claim's
citations and links (which the build turns into rows of the ``citations`` and ``claim_links`` tables)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from .fields import ClaimId, Excerpt, SourceId, Text, fk
from .vocabularies import LinkRelation, Provenance, RecordType


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
