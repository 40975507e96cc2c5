"""The derived tables: rows the build makes from the records (the claims registry, a claim's citations and links,
a source's relays), each defined once here, its words taken from the sub-record it is made of."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .fields import Cell, ClaimId, Excerpt, SourceId, Text, fk
from .record_parts import Citation, Link, Record, Relay
from .vocabularies import CitationVoice, LinkRelation, RecordType


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

    citation_id: Annotated[str, Cell(pattern=r"^(ev|st|fg)-[a-z0-9-]+/c[0-9]+$")] = Field(
        description="The claim id, '/c' and the citation's position in the record (from 1).",
        examples=["fg-ponomarenko-killed-or-wounded/c1"],
    )
    claim_id: ClaimId = fk("claims.claim_id", "The claim cited.", "fg-ponomarenko-killed-or-wounded", required=True)
    source_id: SourceId = fk(
        "sources.source_id", "The archived source.", "korea-times-2025-ponomarenko-interview", required=True
    )
    excerpt: Excerpt = Field(
        description="The source's words as the curator wrote them: the archived span (text[char_start:char_end]) "
        "itself, or that span with only the differences docs/validation.md allows (typographic quotes, spacing and "
        "line breaks, Unicode normalisation, a word broken across lines).",
        examples=["approximately 4,000 killed or wounded so far"],
    )
    char_start: Annotated[int, Cell(ge=0)] = Field(
        description="Offset of the excerpt's first character in the archived text (Unicode code points from 0).",
        examples=[3120],
    )
    char_end: Annotated[int, Cell(ge=1)] = Field(
        description="Offset just past the excerpt's last character: text[char_start:char_end] is the archived span "
        "the excerpt matches.",
        examples=[3163],
    )
    voice: CitationVoice = Field(
        description=Citation.model_fields["voice"].description, examples=Citation.model_fields["voice"].examples
    )
    variant: Text | None = Field(
        None,
        description=Citation.model_fields["variant"].description,
        examples=Citation.model_fields["variant"].examples,
    )


class ClaimLinkRow(Record):
    resource = "claim_links"
    title = "Claim links"
    description = "Typed links between claims, such as conflicting figures; both claims stay in their tables. Derived by the build from each record's links."
    primary_key = "link_id"

    link_id: Annotated[str, Cell(pattern=r"^(ev|st|fg)-[a-z0-9-]+/l[0-9]+$")] = Field(
        description="The claim id, '/l' and the link's position in the record (from 1).",
        examples=["fg-ponomarenko-killed-or-wounded/l1"],
    )
    claim_id: ClaimId = fk(
        "claims.claim_id", "The claim the link is written on.", "fg-ponomarenko-killed-or-wounded", required=True
    )
    relation: LinkRelation = Field(
        description=Link.model_fields["relation"].description, examples=Link.model_fields["relation"].examples
    )
    other_claim_id: ClaimId = fk("claims.claim_id", "The other claim.", "fg-nis-killed-mid-january", required=True)
    note: Text | None = Field(
        None, description=Link.model_fields["note"].description, examples=Link.model_fields["note"].examples
    )


class SourceRelayRow(Record):
    resource = "source_relays"
    title = "Source relays"
    description = "Which sources each source is built on (an article restating an interview, a news agency report), and what it takes from each. Derived by the build from each source's relays."
    primary_key = "relay_id"

    relay_id: Annotated[str, Cell(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*/r[0-9]+$")] = Field(
        description="The source id, '/r' and the relay's position in the source's record (from 1).",
        examples=["seed-001-denisova-kyiv-open-to-talks/r1"],
    )
    source_id: SourceId = fk(
        "sources.source_id", "The source that relays another.", "seed-001-denisova-kyiv-open-to-talks", required=True
    )
    relayed_source_id: SourceId = fk(
        "sources.source_id",
        Relay.model_fields["source_id"].description or "",
        "seed-000-korea-times-ponomarenko-interview",
        required=True,
    )
    what: Text = Field(description=Relay.model_fields["what"].description, examples=Relay.model_fields["what"].examples)
