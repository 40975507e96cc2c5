"""Drafts: the scripted first pass over one archived source, written as records for a curator to review.

``nk-troops add-source`` writes ``dataset/drafts/<source_id>.yaml``: every figure and quotation candidate of
:mod:`nk_troops.candidates` as a figure or statement record in the form of ``dataset/records/`` (id, claimant or
speaker where the sentence names one, qualifier, unit, form, excerpt, a citation of the new source), with
``provenance: scripted`` and a comment above each record saying what the script guessed.

``nk-troops validate`` checks the drafts (:func:`check_drafts`): each record's shape against its model, its
provenance, and that every excerpt is found in the archived source it cites; problems are located in the draft
file. References to actors and claims are not checked in a draft (a speaker the script found may have no actor
record yet). ``nk-troops build`` never reads dataset/drafts/: nothing in it is published. A curator moves a
reviewed record into dataset/records/ and sets its provenance to ``scripted_reviewed``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from . import problems as P
from . import rulebook as R
from .candidate_text import FigureCandidate, QuoteCandidate
from .characters import INVISIBLE
from .checks import excerpt_place, place_field
from .excerpts import NormalisedText, find_excerpt
from .models import CLAIMS, Citation
from .record_parts import OCCURRENCE_MAX
from .records import record_at
from .vocabularies import CitationVoice, Hedge, Measure, Medium, Unit

DRAFTS_DIR = "dataset/drafts"
DRAFT_PROVENANCE = "scripted"
"""The provenance of every draft record: proposed by the script, not yet reviewed. It is not a value of the
published ``provenance`` column: a reviewed record moved into dataset/records/ says ``scripted_reviewed``."""
PROVENANCE_HINT = (
    f"a draft record says provenance: {DRAFT_PROVENANCE}; once reviewed, move it to dataset/records/ "
    "and set provenance: scripted_reviewed"
)
EXCERPT_MAX = next(m.max_length for m in Citation.model_fields["excerpt"].metadata if hasattr(m, "max_length"))

# --------------------------------------------------------------------------- writing


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Actors:
    """The curated actors, to turn a speaker found in a sentence into an actor id."""

    def __init__(self, actors: list[dict[str, Any]]) -> None:
        self.by_name: dict[str, str] = {}
        surnames: dict[str, set[str]] = {}
        for a in actors:
            aid, name = a.get("actor_id"), a.get("name")
            if isinstance(aid, str) and isinstance(name, str):
                self.by_name[name.casefold()] = aid
                if " " in name:
                    surnames.setdefault(name.split()[-1].casefold(), set()).add(aid)
        self.by_surname = {k: next(iter(v)) for k, v in surnames.items() if len(v) == 1}

    def match(self, speaker: str) -> tuple[str, str]:
        """(actor id, what was done to find it) for a speaker phrase as the script found it."""
        key = re.sub(r"^the ", "", speaker.strip(), flags=re.IGNORECASE).casefold()
        if key in self.by_name:
            return self.by_name[key], f"the actor named '{speaker}' in actors.yaml"
        last = key.split()[-1] if key.split() else ""
        if last in self.by_surname:
            aid = self.by_surname[last]
            return aid, f"'{aid}', the only actor whose name ends '{speaker.split()[-1]}'"
        slug = _slug(speaker) or "unidentified-speaker"
        return slug, f"'{slug}' is a new id made from '{speaker}': no actor in actors.yaml has that name (add one)"


_MEASURES = (
    (("killed or wounded", "killed or injured", "injured or killed", "wounded or killed", "casualties"),
     Measure.killed_or_wounded),
    (("killed", "dead", "died"), Measure.killed),
    (("wounded", "injured"), Measure.wounded),
    (("captured", "prisoners", "pows", "taken prisoner"), Measure.captured),
    (("deployed", "sent", "dispatched"), Measure.deployed),
    (("fighting",), Measure.fighting),
)  # fmt: skip
_MEDIA = (
    ("written interview", Medium.written_interview),
    ("phone", Medium.phone_call),
    ("call", Medium.phone_call),
    ("interview", Medium.interview),
    ("social media", Medium.social_media),
    ("telegram", Medium.social_media),
    ("intelligence", Medium.intelligence_briefing),
    ("interrogat", Medium.interrogation),
)


def _measure(c: FigureCandidate) -> tuple[Measure, str]:
    after = c.sentence[c.sentence.find(c.number_text) + len(c.number_text) :][:80].lower()
    for where, words in (("the counted words", c.noun.lower()), ("the words after the number", after)):
        for keys, measure in _MEASURES:
            hit = next((k for k in keys if re.search(rf"\b{k}\b", words)), None)
            if hit:
                if measure is Measure.killed_or_wounded and c.unit is Unit.share:
                    measure = Measure.share_killed_or_wounded
                return measure, f"measure {measure.value} from '{hit}' in {where}"
    return Measure.other, "measure other: no word for what is counted was recognised"


def _medium(sentence: str) -> tuple[Medium, str]:
    low = sentence.lower()
    for key, medium in _MEDIA:
        if key in low:
            return medium, f"medium {medium.value} from '{key}' in the sentence"
    return Medium.official_statement, "medium official_statement: the sentence does not say how it was said"


@cache
def _hedge_words() -> tuple[tuple[Hedge, re.Pattern[str]], ...]:
    """Each hedge's words as its definition quotes them ('appear(s) to' → appear to, appears to)."""
    out: list[tuple[Hedge, re.Pattern[str]]] = []
    for hedge in Hedge:
        if hedge is Hedge.asserted:
            continue  # its definition quotes words that state a fact ('said'), not hedges
        for quoted in re.findall(r"'([^']+)'", hedge.definition):
            forms = {quoted.replace("(s)", ""), quoted.replace("(s)", "s")}
            for form in sorted(forms, key=len, reverse=True):
                out.append((hedge, re.compile(r"\b" + re.escape(form) + r"\b", re.IGNORECASE)))
    return tuple(out)


def _hedge(sentence: str) -> tuple[dict[str, object], str]:
    """The first hedge word in the sentence (as hedge and hedge_words), or asserted; and what was guessed."""
    found = [(m.start(), hedge, m.group(0)) for hedge, pattern in _hedge_words() if (m := pattern.search(sentence))]
    if not found:
        return {"hedge": Hedge.asserted}, "hedge asserted: no hedge word in the sentence"
    _, hedge, words = min(found, key=lambda f: (f[0], -len(f[2])))
    return {"hedge": hedge, "hedge_words": words}, f"hedge {hedge.value} from '{words}'"


def _visible(words: str | None) -> str | None:
    """A draft's own words without the invisible characters no text but an excerpt may hold (the excerpt keeps
    them: it is the source's text as archived)."""
    return re.sub(INVISIBLE, "", words) if words is not None else None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


def _excerpt(text: NormalisedText, sentence: str, words: str, at: int) -> dict[str, object] | None:
    """The sentence if it is found in the text and short enough to cite, else the candidate's own words; with
    its ``occurrence`` where it occurs more than once: the place holding the candidate (``at``, its offset)."""
    for ex in (sentence, words):
        if R.EXCERPT_MIN <= len(ex) <= EXCERPT_MAX and (spans := find_excerpt(ex, text, OCCURRENCE_MAX)):
            if len(spans) == 1:
                return {"excerpt": ex}
            holding = [n for n, (a, b) in enumerate(spans, 1) if a <= at < b] or [1]
            return {"excerpt": ex, "occurrence": holding[0]}
    return None


def draft_records(
    source_id: str,
    prefix: str,
    text: NormalisedText,
    figures: list[FigureCandidate],
    quotes: list[QuoteCandidate],
    actors: Actors,
    said_by: str | None,
) -> list[tuple[dict[str, object], list[str]]]:
    """(record, comments) for every candidate whose words can be cited; ``said_by``: a written date the claims
    were made by (the source's publication date), or None."""
    by = {"unknown": "not read by the script, and the source record gives no publication date: set the date"}
    when: object = f"by {said_by}" if said_by else by
    when_note = (
        f"date 'by {said_by}': said at the latest on the source's publication date" if said_by else "date unknown"
    )
    speakers = {q.sentence: q.speaker for q in quotes if q.speaker}
    out: list[tuple[dict[str, object], list[str]]] = []
    for i, c in enumerate(figures, start=1):
        excerpt = _excerpt(text, c.sentence, c.number_text, c.char_start)
        if excerpt is None:
            continue
        measure, measure_note = _measure(c)
        guessed = [measure_note, f"qualifier {c.qualifier.value} from '{c.number_text}'"]
        unit = c.unit or Unit.persons
        guessed.append(f"unit {unit.value}" + ("" if c.unit else ": ASSUMED, the counted words do not say"))
        record: dict[str, object] = {
            "figure_id": f"fg-{prefix}-f{i}",
            "measure": measure,
            "subject": _visible(c.noun) or "(not read by the script: say what is counted)",
            "value": _number(c.value),
            "qualifier": c.qualifier,
            "unit": unit,
            "as_of": when,
        }
        speaker = speakers.get(c.sentence)
        if speaker:
            aid, how = actors.match(speaker)
            record["claimant_actor_id"] = aid
            guessed.append(f"claimant {how}")
        else:
            guessed.append("no claimant: no speaker found in the sentence (the outlet's own voice?)")
        guessed.append(when_note.replace("date", "as_of", 1) if said_by else "as_of unknown")
        hedge, hedge_note = _hedge(c.sentence)
        voice = CitationVoice.claimant if speaker else CitationVoice.own_voice
        guessed += [hedge_note, f"voice {voice.value}"]
        record |= hedge | {
            "provenance": DRAFT_PROVENANCE,
            "citations": [{"source_id": source_id, **excerpt, "voice": voice}],
        }
        out.append((record, [f"scripted figure {i}: " + "; ".join(guessed)]))
    for i, q in enumerate(quotes, start=1):
        excerpt = _excerpt(text, q.sentence, q.text, q.char_start)
        if excerpt is None:
            continue
        medium, medium_note = _medium(q.sentence)
        guessed = [f"form {q.form.value}"]
        if q.speaker:
            aid, how = actors.match(q.speaker)
            guessed.append(
                f"speaker {how}" + (" (taken from an earlier sentence or a pronoun)" if q.speaker_inferred else "")
            )
        else:
            aid = "unidentified-speaker"
            guessed.append("speaker: NONE FOUND, 'unidentified-speaker' is a placeholder")
        hedge, hedge_note = _hedge(q.sentence)
        voice = CitationVoice.claimant if q.speaker else CitationVoice.other
        guessed += [medium_note, when_note, hedge_note, f"voice {voice.value}"]
        record = {
            "statement_id": f"st-{prefix}-q{i}",
            "speaker_actor_id": aid,
            "form": q.form,
            "text": _visible(q.text),
            "date": when,
            "medium": medium,
            **hedge,
            "provenance": DRAFT_PROVENANCE,
            "citations": [{"source_id": source_id, **excerpt, "voice": voice}],
        }
        out.append((record, [f"scripted quotation {i}: " + "; ".join(guessed)]))
    return out


# --------------------------------------------------------------------------- checking


def _id_taken(
    used: dict[str, str], rid: str | None, rel: str, line: int | None, at: tuple[int | None, int | None], model: Any
) -> P.Problem | None:
    """A draft's id that a record or an earlier draft already uses (``used``: each id taken, and by which
    record); a new id is taken by this draft."""
    if rid is None:
        return None
    if rid not in used:
        used[rid] = record_at(rel, line)
        return None
    text = R.UNIQUE_KEY.message(value=rid, first=used[rid])
    field = model.primary_key
    return P.DuplicateId(text, file=rel, line=at[0], column=at[1], record_id=rid, field=field, hint=R.UNIQUE_KEY.hint)


def check_drafts(root: Path) -> list[P.Problem]:
    """Every problem of the drafts in dataset/drafts/ (none when there is no such folder), located in the draft."""
    folder = Path(root) / DRAFTS_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    from pydantic import ValidationError

    from .checks import readable_texts
    from .record_errors import pydantic_problems
    from .records import MAX_FILE_BYTES, _nfc, load_dataset, read_text
    from .records_as_tables import written_cell_problems
    from .yaml_loader import YamlLoadError, load_yaml

    problems: list[P.Problem] = []
    dataset, _ = load_dataset(Path(root))  # the records' own problems are reported by validate already
    texts = readable_texts(dataset)
    unread = dataset.invalid_ids("sources") | {  # sources that say they are archived, whose text is not readable
        loc.id for loc in dataset.of("sources") if getattr(loc.record, "archived_file", None) and loc.id not in texts
    }
    models = {m.primary_key: m for m in CLAIMS}
    written = [loc for m in CLAIMS for loc in [*dataset.of(m.resource), *dataset.invalid.get(m.resource, [])]]
    used = {loc.id: record_at(loc.file, loc.at()[0]) for loc in written if loc.id}  # a record with errors too
    for path in sorted(folder.iterdir()):
        rel = f"{DRAFTS_DIR}/{path.name}"
        if path.is_symlink() or not path.is_file() or path.suffix != ".yaml":
            problems.append(
                P.UnexpectedFile(
                    f"'{rel}' is not a draft (a plain .yaml file)", file=rel, hint=f"{DRAFTS_DIR}/ holds only drafts"
                )
            )
            continue
        text, problem = read_text(path, rel, MAX_FILE_BYTES)
        if problem is not None:
            problems.append(problem)
            continue
        try:
            loaded = load_yaml(text or "", rel)
        except YamlLoadError as e:
            problems.append(e.problem)
            continue
        if not isinstance(loaded.data, list):
            problems.append(P.YamlShape("a draft file holds a YAML list of records", file=rel, line=1))
            continue
        for i, item in enumerate(loaded.data):
            line, col = loaded.positions.get((i,), (None, None))
            model = next((m for key, m in models.items() if isinstance(item, dict) and key in item), None)
            if model is None:
                problems.append(
                    P.YamlShape(
                        "item is not a draft event, statement or figure (it has no event_id, statement_id or "
                        "figure_id)",
                        file=rel,
                        line=line,
                        column=col,
                    )
                )
                continue
            rid = item.get(model.primary_key) if isinstance(item.get(model.primary_key), str) else None
            refused = loaded.problems_of(i, rid)  # a value the loader refused is reported once, as it said
            problems += refused
            reported: set[str | None] = {p.field for p in refused}
            taken = _id_taken(used, rid, rel, line, loaded.positions.get((i, model.primary_key), (line, col)), model)
            if taken is not None:
                problems.append(taken)
                reported.add(model.primary_key)
            if item.get("provenance") != DRAFT_PROVENANCE and "provenance" not in reported:
                pl, pc = loaded.positions.get((i, "provenance"), (line, col))
                problems.append(
                    P.FieldProblem(
                        f"a draft's provenance is '{DRAFT_PROVENANCE}', not {item.get('provenance')!r}",
                        file=rel,
                        line=pl,
                        column=pc,
                        record_id=rid,
                        field="provenance",
                        hint=PROVENANCE_HINT,
                    )
                )
            shape = {k: v for k, v in item.items() if k != "provenance"}
            try:
                model.model_validate(_nfc(shape))
            except ValidationError as e:  # each error located, as for records
                found = pydantic_problems(e, model, item, i, loaded.positions, rel, rid, reported)
                problems += found
                reported |= {p.field for p in found}
            # its cells and its citations' and links' cells, by the table checker's rules, located as for records
            for at, problem in written_cell_problems(model, _nfc(shape)).items():
                if P.dotted(at) not in reported:
                    fl, fc = loaded.positions.get((i, *at), (line, col))
                    problems.append(replace(problem, file=rel, line=fl, column=fc, record_id=rid, field=P.dotted(at)))
            citations = item.get("citations")
            for j, cit in enumerate(citations if isinstance(citations, list) else []):
                found_at = _citation_problem(cit, f"citations[{j}]", texts, unread, reported)
                if found_at is not None:
                    problem, key = found_at
                    at = loaded.positions.get((i, "citations", j, key), (line, col))
                    problems.append(replace(problem, file=rel, line=at[0], column=at[1], record_id=rid))
    return problems


def _citation_problem(
    cit: object, where: str, texts: dict[str, NormalisedText], unread: set[str | None], reported: set[str | None]
) -> tuple[P.Problem, str] | None:
    """A draft citation's problem (its source, or its excerpt in the source's text), and the key it is at."""
    sid = cit.get("source_id") if isinstance(cit, dict) else None
    excerpt = cit.get("excerpt") if isinstance(cit, dict) else None
    if (
        not isinstance(cit, dict)
        or not isinstance(sid, str)
        or not isinstance(excerpt, str)
        or len(excerpt) > EXCERPT_MAX
    ):
        return None  # reported by the shape check
    if {f"{where}.source_id", f"{where}.excerpt"} & reported or sid in unread:
        return None  # a value the loader refused; a source whose own problems validate reports
    if sid not in texts:
        problem = P.DanglingReference(
            f"'{sid}' is not the id of an archived source whose text can be read",
            field=f"{where}.source_id",
            hint="a draft cites the source add-source archived; see dataset/records/sources.yaml",
        )
        return problem, "source_id"
    spans = find_excerpt(excerpt, texts[sid], OCCURRENCE_MAX + 1)
    if not spans:
        rule = R.EXCERPT_IN_SOURCE
        return rule.kind(rule.message(source_id=sid), field=f"{where}.excerpt", hint=rule.hint), "excerpt"
    place = excerpt_place(spans, cit, texts[sid], sid)
    if isinstance(place, P.Problem):
        key = place_field(cit)
        return replace(place, field=f"{where}.{key}"), key
    return None
