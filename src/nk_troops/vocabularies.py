"""Controlled vocabularies: every enum value carries the sentence that defines it.

These enums are the one place where a value is allowed and documented; the
Table Schemas (`enum` constraints), the Parquet dictionary columns and the
codebook all read them from here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic_core import core_schema


class DocEnum(StrEnum):
    """A string enum whose members are declared as ``name = "value", "definition"``; str() and f-strings show the
    value, not Class.member."""

    definition: str

    def __new__(cls, value: str, definition: str) -> DocEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.definition = definition
        return member

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        """In a record, a vocabulary's field must be a string; whether it is an allowed value is checked once,
        on the tables, by the table checker's enum rule (engine/cells.py). A record holds the member, or the
        string as written when it is none (a record with one is reported, never published)."""
        return core_schema.no_info_after_validator_function(
            lambda v: cls._value2member_map_.get(v, v), core_schema.str_schema(strict=True)
        )

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def definitions(cls) -> dict[str, str]:
        return {m.value: m.definition for m in cls}


class ActorType(DocEnum):
    person = "person", "A named individual."
    office = "office", "A government office, ministry, agency or intelligence service, as an institution."
    state = "state", "A state acting as a whole (for example 'Ukraine', 'South Korea')."
    armed_force = (
        "armed_force",
        "A state's armed forces or a part of them, as a collective (for example 'Ukrainian forces').",
    )
    organisation = (
        "organisation",
        "Any other body: a news outlet or agency, an alliance such as NATO, a non-governmental organisation.",
    )


class SourceKind(DocEnum):
    news_article = "news_article", "An article written by an outlet's own staff."
    interview = "interview", "An interview published by an outlet (question-and-answer or written interview)."
    news_agency_report = "news_agency_report", "A report distributed by a news agency (for example Yonhap)."
    rewrite = "rewrite", "A text that restates another outlet's article, such as an aggregator summary."


class ArchiveStatus(DocEnum):
    archived = "archived", "The document's text is kept byte-for-byte in seeds/ and excerpts are verified against it."
    not_archived = (
        "not_archived",
        "Known only because an archived document relays or names it; its text is not kept, so nothing may cite it with an excerpt.",
    )


class TextRights(DocEnum):
    republishable = (
        "republishable",
        "The archived text may be republished in full (its licence or owner allows it): the site shows it whole.",
    )
    not_republishable = (
        "not_republishable",
        "The archived text may not be republished in full (for example a news article under its publisher's "
        "copyright): the public site shows each cited excerpt within its sentence and collapses the rest.",
    )


class DatePrecision(DocEnum):
    day = "day", "An exact calendar day (written YYYY-MM-DD)."
    month_part = (
        "month_part",
        "The early (days 1-10), mid (11-20) or late (21-end) part of a month (written 'mid-January 2025').",
    )
    month = "month", "A calendar month (written 'January 2025' or YYYY-MM)."
    season = (
        "season",
        "A meteorological season of the northern hemisphere: spring Mar-May, summer Jun-Aug, autumn Sep-Nov, winter Dec-Feb (written 'autumn 2024'; winter YYYY runs from December YYYY-1).",
    )
    year_part = (
        "year_part",
        "The early (Jan-Apr), mid (May-Aug) or late (Sep-Dec) part of a year (written 'late 2024').",
    )
    year = "year", "A calendar year (written YYYY)."
    on_or_before = (
        "on_or_before",
        "Not known beyond happening on or before a day (written 'by YYYY-MM-DD'); date_start is empty.",
    )
    on_or_after = (
        "on_or_after",
        "Not known beyond happening on or after a day (written 'from YYYY-MM-DD'); date_end is empty.",
    )
    range = "range", "Somewhere between two days, both included (written 'YYYY-MM-DD..YYYY-MM-DD')."
    unknown = "unknown", "The sources do not establish the date; the record's *_missing_reason column says why."


class EventType(DocEnum):
    deployment = "deployment", "Troops sent to, or present in, a theatre of operations."
    combat = "combat", "Troops taking part in fighting."
    combat_cessation = (
        "combat_cessation",
        "Troops stopping or pausing combat operations, or being withdrawn from the front.",
    )
    incursion = "incursion", "A cross-border ground offensive (for example Ukraine's incursion into Kursk)."
    capture = "capture", "Soldiers taken prisoner."
    transfer = "transfer", "Prisoners moved from one place or custody to another."
    interrogation = "interrogation", "Prisoners questioned by their captors."
    medical_treatment = "medical_treatment", "Prisoners or soldiers receiving medical care."
    disclosure = (
        "disclosure",
        "Information, footage or images made public by an official (for example interrogation footage).",
    )
    offer = (
        "offer",
        "A public offer or stated readiness to do something (an exchange, a transfer, accepting defectors).",
    )
    diplomatic_contact = (
        "diplomatic_contact",
        "A meeting, call or exchange of messages between officials of two states.",
    )
    interview = (
        "interview",
        "An interview given to the media, as an occurrence (the statements made in it are in the statements table).",
    )
    other = "other", "An in-scope occurrence that fits no other type; the summary says what it was."


class StatementForm(DocEnum):
    verbatim = (
        "verbatim",
        "The exact words, as printed inside quotation marks (or set off as a quotation) by the citing source.",
    )
    paraphrase = "paraphrase", "The reporter's rendering of what the speaker said, without quotation marks."


class Medium(DocEnum):
    written_interview = "written_interview", "Answers given in writing to a media outlet's questions."
    interview = (
        "interview",
        "A spoken interview with a media outlet, or an interview whose form the sources do not give.",
    )
    media_interview = "media_interview", "Interviews given to media generally, outlet not named."
    interrogation = "interrogation", "Words spoken under questioning by captors (for example recorded on footage)."
    phone_call = "phone_call", "A telephone or video call between officials."
    social_media = "social_media", "A post on a social-media account."
    official_statement = "official_statement", "A statement, briefing or communication issued by an office or official."
    intelligence_briefing = (
        "intelligence_briefing",
        "An assessment released or briefed by an intelligence or military agency.",
    )
    unknown = "unknown", "The sources do not say how it was said."


class Measure(DocEnum):
    deployed = "deployed", "Troops sent to the theatre (cumulative)."
    fighting = "fighting", "Troops still engaged in fighting at the as-of date."
    killed = "killed", "Troops killed."
    wounded = "wounded", "Troops wounded."
    killed_or_wounded = (
        "killed_or_wounded",
        "Troops killed or wounded, counted together (casualties, excluding captured unless stated).",
    )
    captured = "captured", "Troops taken prisoner."
    share_killed_or_wounded = (
        "share_killed_or_wounded",
        "Killed or wounded as a share of those deployed (unit 'share', 0-1).",
    )
    other = "other", "Any other count; the subject says what is counted."


class Qualifier(DocEnum):
    exact = "exact", "Stated as exact by the source's own words ('exactly', 'a total of', 'only'): an exact count."
    unhedged = (
        "unhedged",
        "Printed with no hedge ('another 2,700 wounded'): the source gives no word on how exact it is, so it is not "
        "an exact count.",
    )
    approximately = "approximately", "'approximately', 'about', 'around', 'some', 'roughly', 'estimated'."
    at_least = "at_least", "'at least', 'no fewer than'."
    up_to = "up_to", "'up to', 'as many as', 'at most'."
    more_than = "more_than", "'more than', 'over'."
    range = "range", "Stated as a range; value_low and value_high hold its ends."


class Unit(DocEnum):
    persons = "persons", "A head count."
    share = "share", "A proportion between 0 and 1 (for example one-third = 0.3333)."


class Provenance(DocEnum):
    hand_curated = "hand_curated", "Written by a curator reading the archived source."
    scripted_reviewed = (
        "scripted_reviewed",
        "Proposed by the scripted first pass (scripts/extract_candidates.py, or a draft add-source wrote), "
        "then checked and completed by a curator.",
    )


class LinkRelation(DocEnum):
    contradicts = (
        "contradicts",
        "Both claims cannot be true at once, as worded (8,000 still fighting against 'appear to have ceased').",
    )
    disputes = (
        "disputes",
        "One claim argues against the other, but as worded both can be true (a norm invoked against an offer).",
    )
    alternative_estimate = (
        "alternative_estimate",
        "Another estimate of the same or an overlapping quantity, from a different claimant or time; neither is preferred.",
    )
    corroborates = (
        "corroborates",
        "A different claimant states the same thing, with the same hedge (both assert it, or both say it is likely).",
    )
    consistent_with = (
        "consistent_with",
        "The claims agree without one confirming the other: different hedges ('likely' and 'not ruling out') or "
        "different scope.",
    )
    elaborates = "elaborates", "Adds detail to the other claim without contradicting it."
    responds_to = "responds_to", "A statement made in answer to the other claim (a reply, a rebuttal, a comment on it)."
    updates = "updates", "A later claim by the same claimant that revises or replaces the earlier one."
    same_event = (
        "same_event",
        "Two records of one occurrence, kept apart because their claimants or sources differ in what they say of it.",
    )


class Hedge(DocEnum):
    """How sure the source sounds about a claim, as worded: the words themselves are kept in ``hedge_words``."""

    asserted = "asserted", "Stated as fact, with no hedge ('captured', 'said', 'were deployed')."
    likely = "likely", "'likely', 'probably', 'believed to', 'expected to'."
    possible = "possible", "'may', 'might', 'could', 'possibly', 'not ruling out'."
    appears = "appears", "'appear(s) to', 'seem(s) to', 'apparently'."
    suggested = "suggested", "'suggest(s)', 'indicate(s)', 'point(s) to'."
    reported = (
        "reported",
        "Attributed to unnamed reports or sources: 'reportedly', 'reports say', 'according to sources'.",
    )
    claimed = "claimed", "Attributed with a distancing verb: 'claimed', 'alleged', 'purported'."
    denied = "denied", "The claim as it is denied or not acknowledged: 'denied', 'has not acknowledged'."


class CitationVoice(DocEnum):
    """Whose voice a citing source gives the claim in."""

    own_voice = "own_voice", "The citing outlet states the claim in its own words, attributing it to no one."
    claimant = "claimant", "The outlet attributes the claim to the record's claimant (or speaker): 'X said'."
    other = (
        "other",
        "The outlet attributes the claim to someone other than the record's claimant: another outlet, unnamed "
        "reports or sources.",
    )


class PlacePrecision(DocEnum):
    """How precisely a place is named, as UCDP and ACLED code it."""

    country = "country", "Only the country ('in Russia')."
    subdivision = "subdivision", "A first-level subdivision ('Kursk region', 'Kursk Oblast')."
    locality = "locality", "A town, village or site within a subdivision ('Sudzha')."


class RecordType(DocEnum):
    event = "event", "A row of the events table."
    statement = "statement", "A row of the statements table."
    figure = "figure", "A row of the figures table."
