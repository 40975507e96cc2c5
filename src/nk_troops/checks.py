"""Find every citation's excerpt in the archived text it cites: the offsets its row in the citations table
needs. An excerpt that is not there is reported here, with the nearest passage as a hint; every other check
between records is the table checker's (``records_as_tables``).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field, replace

from . import problems as P
from . import rulebook as R
from .confine import Refusal, seed_file
from .excerpt_hint import nearest_passage
from .excerpts import PLACES_SHOWN, NormalisedText, find_excerpt, normalise
from .hints import Candidates
from .models import CLAIMS, Citation, SourceRecord
from .record_parts import OCCURRENCE_MAX
from .records import Dataset
from .seeds import MAX_SEED_BYTES
from .vocabularies import ArchiveStatus


@dataclass
class CheckResult:
    problems: list[P.Problem] = field(default_factory=list)
    spans: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    """(claim id, citation index) → (char_start, char_end) in the archived text."""


def check_dataset(dataset: Dataset) -> CheckResult:
    """Find every citation's excerpt in its archived text (the offsets its row needs)."""
    result = CheckResult()
    _check_citations(dataset, readable_texts(dataset), result)
    return result


def readable_texts(dataset: Dataset) -> dict[str, NormalisedText]:
    """The archived text of every valid source whose file is a plain file in seeds/ with its recorded sha256.
    A source whose text cannot be read is reported by the table checker (``records_as_tables``)."""
    texts: dict[str, NormalisedText] = {}
    for loc in dataset.of("sources"):
        src: SourceRecord = loc.record  # type: ignore[assignment]
        if src.status != ArchiveStatus.archived or src.archived_file is None:
            continue
        resolved = seed_file(dataset.root, src.archived_file)  # never opened unless a regular file in seeds/
        if isinstance(resolved, Refusal) or resolved.stat().st_size > MAX_SEED_BYTES:
            continue
        raw = resolved.read_bytes()
        if hashlib.sha256(raw).hexdigest() != src.sha256:
            continue
        try:
            texts[src.source_id] = normalise(raw.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return texts


EXCERPT_MAX = next(m.max_length for m in Citation.model_fields["excerpt"].metadata if hasattr(m, "max_length"))
"""The longest excerpt a citation may have (models.Excerpt): a longer one is not searched for."""


def _check_citations(dataset: Dataset, texts: dict[str, NormalisedText], result: CheckResult) -> None:
    """Every excerpt is in its archived source; checked on citations as written, so records with other errors are covered too."""
    passages: dict[str, Candidates] = {}  # for each source cited wrongly: its passages, prepared for the hint
    places: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for model in CLAIMS:
        for loc in [*dataset.of(model.resource), *dataset.invalid.get(model.resource, [])]:
            citations = loc.item.get("citations")
            for j, cit in enumerate(citations if isinstance(citations, list) else []):
                source_id = cit.get("source_id") if isinstance(cit, dict) else None
                excerpt = cit.get("excerpt") if isinstance(cit, dict) else None
                if not isinstance(source_id, str) or not isinstance(excerpt, str) or len(excerpt) > EXCERPT_MAX:
                    continue  # malformed citation, or an excerpt too long to publish: reported by the record's own checks
                text = texts.get(source_id)
                if text is None:
                    continue  # not an archived source whose text can be read: the table checker reports why
                if len(normalise(excerpt).text) < R.EXCERPT_MIN:
                    continue  # too short to be looked for: the excerpt-length rule reports it, with no hint elsewhere
                if (source_id, excerpt) not in places:  # the same words cited again are not searched for again
                    places[source_id, excerpt] = find_excerpt(excerpt, text, limit=OCCURRENCE_MAX + 1)
                spans = places[source_id, excerpt]
                if not spans:
                    line, col = loc.at("citations", j, "excerpt")
                    result.problems.append(
                        R.EXCERPT_IN_SOURCE.kind(
                            R.EXCERPT_IN_SOURCE.message(source_id=source_id),
                            file=loc.file,
                            line=line,
                            column=col,
                            record_id=loc.id,
                            field=f"citations[{j}].excerpt",
                            hint=nearest_passage(excerpt, text, passages, source_id),
                        )
                    )
                    continue
                span = excerpt_place(spans, cit, text, source_id)
                if isinstance(span, P.Problem):
                    key = place_field(cit)
                    line, col = loc.at("citations", j, key)
                    result.problems.append(
                        replace(
                            span, file=loc.file, line=line, column=col, record_id=loc.id, field=f"citations[{j}].{key}"
                        )
                    )
                elif span is not None and loc.record is not None and loc.id is not None:
                    result.spans.setdefault((loc.id, j), span)  # the first of two records with one id


def excerpt_place(
    spans: list[tuple[int, int]], citation: dict, text: NormalisedText, source_id: str
) -> tuple[int, int] | P.Problem | None:
    """The one place of the source a citation's excerpt is (``spans``: every place it occurs, in order): the only
    one, or the one its ``occurrence`` names; a problem (not yet located) where it occurs more than once and the
    citation does not say which, or names a place there is not; None where ``occurrence`` is not a number the
    record's own check accepts (that check reports it)."""
    occurrence = citation.get("occurrence")
    count = min(len(spans), OCCURRENCE_MAX)  # spans holds one more place than that where there are more
    if occurrence is None:
        if count == 1:
            return spans[0]
        places = "; ".join(
            f"{n}: line {text.line(a)}, {_before(text, a)}" for n, (a, _) in enumerate(spans[:PLACES_SHOWN], 1)
        )
        if count > PLACES_SHOWN:
            places += f"; and {count - PLACES_SHOWN if len(spans) == count else 'many'} more"
        rule = R.EXCERPT_ONE_PLACE
        times = f"{count}" if len(spans) == count else f"more than {count:,}"
        return rule.kind(rule.message(count=times, source_id=source_id, places=places), hint=_hint(rule, count))
    if type(occurrence) is not int or not 1 <= occurrence <= OCCURRENCE_MAX:
        return None
    if occurrence > count:
        rule = R.OCCURRENCE_EXISTS
        times = "once" if count == 1 else f"{count} times"
        message = rule.message(occurrence=occurrence, times=times, source_id=source_id)
        return rule.kind(message, hint=_hint(rule, count))
    return spans[occurrence - 1]


def place_field(citation: dict) -> str:
    """The field of a citation a problem of excerpt_place is located at: its occurrence, where it gives one."""
    return "occurrence" if "occurrence" in citation else "excerpt"


def _hint(rule: R.Rule, count: int) -> str:
    return (rule.hint or "").format(count=count)


def _before(text: NormalisedText, start: int, width: int = 30) -> str:
    """Where the original offset ``start`` is: after which words of the text (on one line)."""
    at = bisect.bisect_left(text.origin, start)
    words = " ".join(text.text[max(0, at - width) : at].split())
    return f"after '{'...' if at > width else ''}{words}'" if words else "at the start of the text"
