"""Every rule between fields, rows and tables, declared once: what it checks, the tables it applies to, the kind of
problem it raises and the words of that problem.

Cell rules (type, required, controlled values, pattern, length, range, safe text, country codes) are data on each
column (``schema_gen.columns``, from the field definitions in ``models.py``). The rules here are the ones a column
cannot state. The table checker (``engine/``) runs them on a package's tables and on the curated records' tables
(``records_as_tables``); the few a record is checked for before it is a row (a claim's first citation, a written
date, an explained unknown) take their messages from here too, so a message is written once; ``docs/rules.md`` is
generated from this list and the columns by ``nk-troops build``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import problems as P


@dataclass(frozen=True)
class Rule:
    id: str
    kind: type[P.Problem]
    tables: tuple[str, ...]
    checks: str
    """What the rule requires, in a sentence (for docs/rules.md)."""
    text: str | None
    """The problem's message, a ``str.format`` template over the values named in braces; None where the
    message is built by the code that checks the rule (``where`` names it)."""
    hint: str | None = None
    where: str | None = None
    """For a rule whose message is not written here: the functions that check it."""

    def message(self, **values: object) -> str:
        if self.text is None:
            raise ValueError(f"rule {self.id} has no message template: see {self.where}")
        return self.text.format(**values)


RANGE_BOUNDS = Rule(
    "figure-range-bounds",
    P.RecordRule,
    ("figures",),
    "A figure whose qualifier is 'range' gives both value_low and value_high.",
    "qualifier 'range' needs value_low and value_high",
)
NEEDS_VALUE = Rule(
    "figure-needs-value",
    P.RecordRule,
    ("figures",),
    "A figure with any qualifier but 'range' gives its value.",
    "qualifier '{qualifier}' needs a value",
)
LOW_ABOVE_HIGH = Rule(
    "figure-low-not-above-high",
    P.RecordRule,
    ("figures",),
    "value_low is not greater than value_high.",
    "value_low ({low:.15g}) is greater than value_high ({high:.15g})",
)
VALUE_BELOW_LOW = Rule(
    "figure-value-within-low",
    P.RecordRule,
    ("figures",),
    "A value given with a lower end is not below it.",
    "value ({value:.15g}) is below value_low ({low:.15g})",
)
VALUE_ABOVE_HIGH = Rule(
    "figure-value-within-high",
    P.RecordRule,
    ("figures",),
    "A value given with an upper end is not above it.",
    "value ({value:.15g}) is above value_high ({high:.15g})",
)
SHARE_AT_MOST_ONE = Rule(
    "figure-share-at-most-one",
    P.RecordRule,
    ("figures",),
    "A figure whose unit is 'share' has value, value_low and value_high between 0 and 1.",
    "{name} ({value:.15g}) is a share and must lie between 0 and 1",
)
PERSONS_WHOLE = Rule(
    "figure-persons-whole",
    P.RecordRule,
    ("figures",),
    "A figure whose unit is 'persons' gives value, value_low and value_high as whole numbers.",
    "{name} ({value:.15g}) is a count of persons and must be a whole number",
)
HEDGE_WORDS = Rule(
    "hedge-words-given",
    P.RecordRule,
    ("events", "statements", "figures"),
    "A claim whose hedge is not 'asserted' gives the hedge words as the source prints them; an asserted one gives none.",
    "hedge '{hedge}' needs hedge_words: the words of the source that hedge the claim",
)
ASSERTED_NO_WORDS = Rule(
    "asserted-without-hedge-words",
    P.RecordRule,
    ("events", "statements", "figures"),
    "A claim stated as fact (hedge 'asserted') has no hedge words.",
    "an asserted claim has no hedge_words; give the hedge the words call for",
)
PLACE_PRECISION = Rule(
    "place-precision-given",
    P.RecordRule,
    ("events", "figures"),
    "A place gives its precision (country, subdivision, locality); with no place there is none.",
    "{present} is given but {missing} is not: give both or neither",
)
SUBDIVISION_IN_COUNTRY = Rule(
    "subdivision-in-country",
    P.RecordRule,
    ("events", "figures"),
    "A place's ISO 3166-2 code begins with the record's country code, which is then given.",
    "place_code {code} is not in country {country}",
)
ARCHIVED_FIELDS = Rule(
    "source-archived-fields",
    P.RecordRule,
    ("sources",),
    "An archived source names its archived file and that file's sha256.",
    "an archived source needs both archived_file and sha256",
)
NOT_ARCHIVED_FIELDS = Rule(
    "source-not-archived-fields",
    P.RecordRule,
    ("sources",),
    "A source that is not archived has neither an archived file nor a sha256.",
    "a source that is not archived has no archived_file or sha256",
)
ORIGINAL_FIELDS = Rule(
    "source-original-fields",
    P.RecordRule,
    ("sources",),
    "A saved original (the page an archived text was extracted from) is named only for an archived source, and "
    "with both its file and that file's sha256.",
    "original_file and original_sha256 go together, and only on an archived source",
)

SEED_HASH = Rule(
    "seed-hash",
    P.SeedHashMismatch,
    ("sources",),
    "The bytes of an archived source have the sha256 its record gives.",
    "the bytes of '{path}' have sha256 {digest}, not the recorded {recorded}",
    "archived sources must not change; restore the original file (git checkout -- FILE). "
    "If a new version of the document is archived on purpose, add it as a new source",
)
CITES_ARCHIVED = Rule(
    "citation-of-archived-source",
    P.CitesUnarchived,
    ("citations",),
    "A citation cites an archived source, whose text the excerpt can be checked against.",
    "'{source_id}' is not archived, so its excerpt cannot be verified",
    "cite the archived document that relays it",
)
EXCERPT_IN_SOURCE = Rule(
    "excerpt-in-source",
    P.ExcerptNotFound,
    ("citations",),
    "A citation's excerpt is in its archived source (as docs/validation.md, Excerpt matching, says).",
    "the excerpt is not in '{source_id}'",
    "copy the words exactly from the archived text",
)
EXCERPT_WHOLE_WORDS = Rule(
    "excerpt-whole-words",
    P.RecordRule,
    ("citations",),
    "A citation's excerpt begins and ends between words: not inside a word of a script with capital letters "
    "(Latin, Cyrillic, Greek), nor inside a number (a script without them, such as Hangul, is not checked).",
    "the excerpt {edge} inside the word '{word}' of '{source_id}'",
    "quote the whole word",
)
EXCERPT_ONE_PLACE = Rule(
    "excerpt-one-place",
    P.ExcerptPlace,
    ("citations",),
    "A record's citation whose excerpt occurs in more than one place of its archived source says which, with "
    "`occurrence` (a row of the citations table says it with its offsets).",
    "the excerpt occurs {count} times in '{source_id}' ({places}); say which with occurrence",
    "add 'occurrence: N' to the citation (N from 1 to {count}, the places counted from the start of the text), "
    "or quote more of the passage so that the excerpt occurs once",
)
OCCURRENCE_EXISTS = Rule(
    "excerpt-occurrence-exists",
    P.ExcerptPlace,
    ("citations",),
    "A record's citation's `occurrence` is at most the number of places its excerpt occurs in the source.",
    "occurrence is {occurrence}, but the excerpt occurs {times} in '{source_id}'",
    "give the place's number (from 1 to {count}, counted from the start of the text), or leave occurrence out "
    "where the excerpt occurs once",
)

CITATION_PLACE = ("claim_id", "source_id", "char_start", "char_end")
"""What makes a citation: a claim cites a place of a source at most once."""
CITATION_ONCE = Rule(
    "citation-written-once",
    P.RecordRule,
    ("citations",),
    "A claim cites the same place of the same source at most once.",
    "the claim already cites this place of '{source_id}' ({first})",
    "write each citation once: remove this one, or cite the other passage it was meant to",
)

EXCERPT_MIN = 8
"""The fewest characters an excerpt has once normalised (the column's minimum length, counted as matched)."""
EXCERPT_LONG_ENOUGH = Rule(
    "excerpt-long-enough",
    P.FieldProblem,
    ("citations",),
    f"An excerpt has at least {EXCERPT_MIN} characters once normalised as it is matched (so line breaks or "
    "spaces cannot pad a shorter one).",
    "the excerpt is {length} characters once its spacing and line breaks are normalised; quote at least {minimum}",
    "quote more of the passage, exactly as it stands in the archived text",
)
LINK_TO_ITSELF = Rule(
    "link-not-to-itself",
    P.RecordRule,
    ("claim_links",),
    "A claim is not linked to itself.",
    "a claim cannot be linked to itself",
)
LINK_ONCE = Rule(
    "link-written-once",
    P.RecordRule,
    ("claim_links",),
    "A claim holds at most one link with the same relation to the same other claim.",
    "the claim is already linked to '{other}' as {relation} ({first})",
    "write each link once: remove this one, or give it the relation it was meant to have",
)
RELAY_TO_ITSELF = Rule(
    "relay-not-of-itself",
    P.RecordRule,
    ("source_relays",),
    "A source does not relay itself.",
    "a source cannot relay itself",
    "name the other source this document is built on, or remove the relay",
)
RELAY_ONCE = Rule(
    "relay-written-once",
    P.RecordRule,
    ("source_relays",),
    "A source relays another source at most once (one relay says all it takes from it).",
    "the source already relays '{other}' ({first})",
    "write each relay once: merge what the two say into one relay's what",
)
REFERENCE_LOOP = Rule(
    "self-reference-ends",
    P.RecordRule,
    ("actors", "source_relays"),
    "A chain of references within one table ends: it never comes back to a record it passed (an actor's "
    "affiliation_actor_id; a source's relays, where each source may relay several, so every loop through them).",
    "{column} comes back to this record: {loop}",
    "a chain of {column} must end: empty or change one of the references in the loop",
)
UNIQUE_KEY = Rule(
    "primary-key-unique",
    P.DuplicateId,
    ("sources", "actors", "claims", "events", "statements", "figures", "citations", "claim_links", "source_relays"),
    "Every row's key is used once (for claims: once across events, statements and figures; a draft's id is used "
    "by no record and no other draft).",
    "'{value}' is already used by {first}",
    "give this record its own id, or merge the two records",
    where="engine/references.py check_keys, engine/reread.py, drafts.py check_drafts",
)
REFERENCE_EXISTS = Rule(
    "foreign-key-exists",
    P.DanglingReference,
    ("actors", "events", "statements", "figures", "citations", "claim_links", "source_relays"),
    "Every reference names an existing row of the table it refers to (with the closest id as a hint).",
    None,
    where="engine/references.py check_keys",
)
CLAIM_CITED = Rule(
    "claim-cited",
    P.MissingCitation,
    ("events", "statements", "figures", "citations"),
    "Every event, statement and figure has at least one citation.",
    None,
    where="engine/references.py check_keys",
)
CLAIMS_REGISTRY = Rule(
    "claims-registry",
    P.RecordRule,
    ("claims", "events", "statements", "figures"),
    "The claims table lists exactly the events, statements and figures, each with the record_type its id prefix says.",
    None,
    where="tables.build_rows; engine/rules.py rule_claims, engine/references.py check_keys",
)
DATE_BOUNDS = Rule(
    "written-date-bounds",
    P.RecordRule,
    ("sources", "events", "statements", "figures"),
    "A written date gives exactly the start, end and precision published beside it; an unknown date has a reason.",
    None,
    where="vague_dates.parse_vague_date; engine/rules.py rule_dates",
)
VALUE_OR_REASON = Rule(
    "value-or-missing-reason",
    P.RecordRule,
    ("sources",),
    "A field that may be unknown holds a value or, when empty, the reason in its *_missing_reason column, not both.",
    None,
    where="fields.Knowable; engine/rules.py rule_knowable",
)
CHILD_ID = Rule(
    "child-id-names-its-claim",
    P.RecordRule,
    ("citations", "claim_links", "source_relays"),
    "A citation_id or link_id is its claim_id followed by /c or /l and its position; a relay_id is its source_id "
    "followed by /r and its position.",
    None,
    where="tables.build_rows; engine/rules.py rule_child_ids",
)

RULES: tuple[Rule, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Rule))
"""Every rule declared here, in the order above."""
