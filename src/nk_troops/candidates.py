"""Scripted first pass: propose figure and quotation candidates from an archived text.

This module only *proposes*. Its candidates are written to
``dataset/candidates/`` by ``scripts/extract_candidates.py`` for a curator to
review; nothing here writes or edits a published record.

All matching runs on :func:`nk_troops.excerpts.normalise` of the text, the same
normalisation curators' excerpts are matched with (curly quotes become straight,
a line break inside a word is removed, whitespace runs become one space).
Candidate texts are therefore normalised text, while ``char_start``/``char_end``
are offsets in the ORIGINAL text (Unicode code points, end exclusive), mapped
back through the normalisation.

Figures (:func:`extract_figures`)
    * numbers: digits, with or without thousands separators ("4,000", "12,000",
      "27", "1.5"); number words "two" to "twenty" and the tens ("forty",
      "forty-six"), optionally followed by "hundred"/"thousand"/"million";
      fractions "half", "a third", "one-third", "two-thirds", "a quarter",
      "three-quarters" (unit ``share``).
    * bare "one" is NOT a figure (it is mostly a pronoun: "one of the soldiers");
      ordinals ("third year") are not figures.
    * skipped, as not figures: anything inside a web address; clock times
      ("6:59 PM"); a day next to a month name ("Jan. 12", "Feb. 25, 2022",
      "6 February"); four-digit numbers from 1900 to 2099 without a thousands
      separator (years); durations, i.e. a number directly followed by
      second/minute/min/hour/day/week/month/year(s) ("six months", "2 min").
    * qualifier, from the words directly before the number:
      approximately/about/around/roughly/some/nearly/almost -> approximately;
      at least/no fewer than -> at_least; up to/as many as/at most -> up_to;
      more than/over -> more_than; nothing -> exact. Ranges are not detected.
    * noun: up to five words after the number, stopping after punctuation, at a
      function word ("are", "have", "who", "in", "so", ...) or at a later word
      ending in -ed/-ing that is not a casualty word ("people died",
      "wounded fighting"); "of" may only open it ("one-third of those
      deployed"); "or"/"and" only join casualty words ("killed or wounded").
      A number glued to a hyphen ("1,000-for-1,000", "12,000-strong") has an
      empty noun; a number right after a hyphen is not read.
    * unit: ``share`` for fractions; ``persons`` when the noun contains a word
      for people (soldiers, troops, killed, wounded, ...); otherwise empty.

Quotations (:func:`extract_quotations`)
    * verbatim: text between a pair of double quotes (straight or curly), paired
      in order within one line of the source; a line break inside a word (seed
      003's "desi\\nre") does not end a line. An unpaired last quote mark on a
      line is ignored. Single quotes are not used (they are apostrophes too).
      A quoted text whose words all start with a capital ("The Korea Times") is
      taken as a title, not speech.
    * verbatim, set off without quote marks: a sentence ending
      " — stated X." / " - summarised X." (a dash, then a verb of saying, then
      the speaker).
    * paraphrase: a sentence with a verb of saying (see ``SPEECH_VERBS``),
      "according to X" or a passive "(as) <verb> by X", with a speaker found
      next to it, that is not already the attribution of a quotation; one per
      sentence, a verb of saying preferred. The text is the part of the
      sentence before the attribution when the attribution closes the sentence
      ("..., X said.", "..., X said in an interview."), otherwise the part
      after it ("X said that ...").
    * speaker: a run of capitalised words (with "of", "to", "the", "and",
      possessives, "(NIS)") next to the verb, a role noun ("the ambassador",
      "Ukrainian authorities") or a pronoun. A pronoun, or a quotation with no
      attribution in its sentence, gets the latest speaker found earlier in the
      text, and ``speaker_inferred`` is set.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import Enum

from .excerpts import NormalisedText, normalise
from .vocabularies import Qualifier, StatementForm, Unit

# --------------------------------------------------------------------------- candidates


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


@dataclass(frozen=True)
class FigureCandidate:
    """A number found in an archived text, with what the text says about it."""

    value: float
    number_text: str  # qualifier + number, normalised ("approximately 4,000")
    qualifier: Qualifier
    unit: Unit | None  # None: the noun does not say what is counted
    noun: str  # the words counted ("North Korean soldiers"); may be empty
    sentence: str
    char_start: int  # span of number_text in the original text
    char_end: int

    def to_dict(self) -> dict[str, object]:
        return {k: _plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class QuoteCandidate:
    """Words attributed to someone: a verbatim quotation or a paraphrase."""

    text: str  # the quoted or attributed words, normalised
    form: StatementForm
    speaker: str | None
    speaker_inferred: bool  # True: speaker taken from a pronoun or an earlier sentence
    sentence: str
    char_start: int  # span of text in the original text
    char_end: int

    def to_dict(self) -> dict[str, object]:
        return {k: _plain(v) for k, v in asdict(self).items()}


# --------------------------------------------------------------------------- the text


class _Doc:
    """A normalised text with its lines, sentences and offset map."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.nt: NormalisedText = normalise(original)
        t = self.nt.text
        # A line ends at a space standing for whitespace that holds a line break, and where
        # normalise() joined two lines but the second starts with a capital ("Won-suk\nThe"):
        # a word broken across lines ("desi\nre") goes on in lowercase.
        self.lines: list[tuple[int, int]] = []
        origin = self.nt.origin
        start = 0
        for i, ch in enumerate(t):
            if ch == " " and "\n" in original[origin[i] : origin[i + 1]]:
                self.lines.append((start, i))
                start = i + 1
            elif i > start and ch.isupper() and "\n" in original[origin[i - 1] : origin[i]]:
                self.lines.append((start, i))
                start = i
        if start < len(t):
            self.lines.append((start, len(t)))
        self.sentences = [s for a, b in self.lines for s in _split_sentences(t, a, b)]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original-text span of normalised [start, end).

        It reaches to the next character's origin, less whitespace, so that combining
        marks composed into the last character are inside it.
        """
        a, b = self.nt.span(start, end)
        b = max(b, self.nt.origin[end] if end < len(self.nt.origin) else len(self.original))
        while b > a and self.original[b - 1].isspace():
            b -= 1
        return a, b

    def sentence_at(self, start: int, end: int) -> tuple[int, int]:
        """The sentences overlapping normalised [start, end), joined."""
        hits = [s for s in self.sentences if s[0] < end and start < s[1]]
        if not hits:
            return start, end
        return hits[0][0], hits[-1][1]


_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "no", "vs", "etc", "approx",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?= )")


def _split_sentences(t: str, a: int, b: int) -> list[tuple[int, int]]:
    """Sentences of the normalised line t[a:b]: a full stop, ! or ? then a space and no lowercase letter."""
    out = []
    start = a
    for m in _SENTENCE_END.finditer(t, a, b):
        nxt = t[m.end() + 1 : m.end() + 2]
        if not nxt or nxt.islower():
            continue
        word = t[t.rfind(" ", start, m.start()) + 1 : m.start()]
        if m.group()[0] == "." and (word.lower() in _ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word)):
            continue  # "Feb. 25", "U.N. Charter", "Donald J. Trump"
        out.append((start, m.end()))
        start = m.end() + 1
    if start < b:
        out.append((start, b))
    return out


# --------------------------------------------------------------------------- figures

_SMALL = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNITS = ["one"] + _SMALL[:8]
_WORD_VALUES = {w: i for i, w in enumerate(_SMALL, start=2)} | {w: 10 * i for i, w in enumerate(_TENS, start=2)}
_WORD_VALUES |= {w: i for i, w in enumerate(_UNITS, start=1)}
_FRACTIONS = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "thirds": 2 / 3, "quarters": 3 / 4}
_MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

_QUALIFIERS = {
    "approximately": Qualifier.approximately, "about": Qualifier.approximately, "around": Qualifier.approximately,
    "roughly": Qualifier.approximately, "some": Qualifier.approximately, "nearly": Qualifier.approximately,
    "almost": Qualifier.approximately, "at least": Qualifier.at_least, "no fewer than": Qualifier.at_least,
    "up to": Qualifier.up_to, "as many as": Qualifier.up_to, "at most": Qualifier.up_to,
    "more than": Qualifier.more_than, "over": Qualifier.more_than,
}  # fmt: skip

_NUMBER = re.compile(
    r"(?<![\w.,-])"
    r"(?:(?P<qual>" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r") )?"
    r"(?P<num>"
    r"(?P<frac>(?:a|one)[- ](?:half|third|quarter)|two[- ]thirds|three[- ]quarters|half)"
    r"|(?P<digits>\d{1,3}(?:,\d{3})+(?!,?\d)|\d+(?:\.\d+)?)"
    r"|(?P<word>(?:" + "|".join(_TENS) + r")(?:-(?:" + "|".join(_UNITS) + r"))?|" + "|".join(reversed(_SMALL)) + r")"
    r")"
    r"(?: (?P<mult>hundred|thousand|million))?"
    r"(?!\w|-\d|,\d|\.\d)",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_NOT_FIGURES = re.compile(
    r"(?:https?://|www\.)\S+"  # web addresses
    r"|\b\d{1,2}:\d{2}(?: ?[AaPp]\.?[Mm]\.?)?"  # clock times
    r"|\b" + _MONTH + r"\.? \d{1,2}(?:st|nd|rd|th)?\b(?:, \d{4}\b)?"  # Jan. 12 / Feb. 25, 2022
    r"|\b\d{1,2}(?:st|nd|rd|th)? " + _MONTH + r"\b"  # 6 February
)
_DURATION = re.compile(r" ?-?(?:seconds?|minutes?|mins?|hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE)
_NOUN_STOP = set(
    "a an the are were was is be been being have has had may might will would could can should must do does did "
    "who whom whose which that this these those to in on at from for by with so since than as into during after "
    "before said says out per across while under over through against including until via if but because "
    "still also already now then".split()
)
_PERSON_WORDS = set(
    "soldier soldiers troop troops personnel servicemen servicemembers people persons person men women children "
    "civilians killed wounded injured dead captured prisoners pows casualties fighters members defectors "
    "defenders workers officers".split()
)


def _value(m: re.Match[str]) -> tuple[float, bool]:
    """The number a match stands for, and whether it is a share."""
    if m["frac"]:
        words = re.split(r"[- ]", m["frac"].lower())
        return _FRACTIONS[words[-1]], True
    if m["digits"]:
        value = float(m["digits"].replace(",", ""))
    else:
        parts = m["word"].lower().split("-")
        value = float(sum(_WORD_VALUES[p] for p in parts))
    if m["mult"]:
        value *= _MULTIPLIERS[m["mult"].lower()]
    return value, False


def _noun(t: str, pos: int) -> str:
    """The counted words directly after position pos of the normalised text (at most five)."""
    if t[pos : pos + 1] != " ":
        return ""
    tokens = t[pos + 1 :].split(" ", 7)[:7]
    words: list[str] = []
    for k, token in enumerate(tokens):
        word = token.rstrip(".,;:!?)\"'")
        if not re.fullmatch(r"[A-Za-z][\w'-]*", word) or len(words) == 5:
            break
        low = word.lower()
        nxt = tokens[k + 1].rstrip(".,;:!?)\"'").lower() if k + 1 < len(tokens) else ""
        if words == ["of"] and low in {"the", "those", "these", "all"}:
            pass  # "one-third of those deployed"
        elif low in _NOUN_STOP or (low == "of" and words):
            break
        elif low in {"or", "and"} and not (words and nxt in _PERSON_WORDS):
            break  # only "killed or wounded", not "people and more"
        elif words and low.endswith(("ed", "ing")) and low not in _PERSON_WORDS and words[-1].lower() != "those":
            break  # a verb: "people died", "fighters returned", "wounded fighting"
        words.append(word)
        if word != token:  # punctuation after the word ends the phrase
            break
    while words and words[-1].lower() in {"or", "and", "of"}:
        words.pop()
    return " ".join(words)


def extract_figures(text: str) -> list[FigureCandidate]:
    """Every number in the text (see the module docstring for what counts), in text order."""
    doc = _Doc(text)
    t = doc.nt.text
    blocked = [m.span() for m in _NOT_FIGURES.finditer(t)]
    found = []
    for m in _NUMBER.finditer(t):
        a, b = m.span("num")
        if any(x < b and a < y for x, y in blocked):
            continue
        if m["digits"] and re.fullmatch(r"(19|20)\d\d", m["digits"]):
            continue  # a year
        if _DURATION.match(t, m.end()):
            continue  # "six months", "2 min read"
        value, is_share = _value(m)
        noun = _noun(t, m.end())
        if is_share:
            unit: Unit | None = Unit.share
        elif any(w.lower().strip("'") in _PERSON_WORDS for w in noun.split()):
            unit = Unit.persons
        else:
            unit = None
        qualifier = _QUALIFIERS[m["qual"].lower()] if m["qual"] else Qualifier.exact
        start, end = doc.span(*m.span())
        s, e = doc.sentence_at(*m.span())
        found.append(FigureCandidate(value, m.group(), qualifier, unit, noun, t[s:e], start, end))
    return found


# --------------------------------------------------------------------------- quotations

SPEECH_VERBS = (
    "said says stated noted claimed emphasised emphasized urged added stressed confirmed indicated called "
    "described summarised summarized told warned suggested acknowledged clarified highlighted explained argued "
    "insisted asserted declared wrote lamented reiterated expressed reported testified"
).split()
_VERB = re.compile(r"\b(?:(?P<verb>" + "|".join(SPEECH_VERBS) + r")|(?P<acc>[Aa]ccording to))\b")
_PRONOUNS = {"he", "she", "they", "we", "i"}
_ROLE_NOUNS = set(
    "ambassador envoy minister president official officials authorities government ministry agency spokesperson "
    "spokesman spokeswoman diplomat diplomats chief commander".split()
)
_CONNECTORS = {"of", "to", "the", "and", "for"}
_AUXILIARIES = {"has", "have", "had", "also", "again", "then", "later", "publicly", "reportedly", "previously"}
_TAIL = re.compile(r",? (?:in|on|at|during|while|when|after|before|to|with|via|through|earlier|later|last|this)\b")

Found = tuple[str, int, int]  # speaker phrase and its [start, end) in the string searched


def _is_name(token: str) -> bool:
    """A capitalised word ("Ponomarenko", "Korea's", "U.S.") or a bracketed acronym ("(NIS)")."""
    return bool(re.fullmatch(r"[A-Z][\w.'-]*|\([A-Z][A-Za-z]+\)", token))


def _tokens(s: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in re.finditer(r"\S+", s)]


def _name_before(prefix: str) -> Found | None:
    """The pronoun, role noun or name run that ends prefix ("... Ukraine's spy chief Kyrylo Budanov")."""
    toks = _tokens(prefix)
    if not toks:
        return None
    end = toks[-1][1] + len(toks[-1][0])
    words = [w for w, _ in toks]
    i = len(words) - 1
    if words[i].lower() in _PRONOUNS:
        return words[i], toks[i][1], end
    first = None  # index of the first token of the phrase
    if words[i] in _ROLE_NOUNS:  # "the ambassador", "Ukrainian authorities"
        first, i = i, i - 1
        if i >= 0 and words[i].lower() == "the":
            return prefix[toks[i][1] : end], toks[i][1], end
    while i >= 0:
        w = words[i]
        if _is_name(w):
            first = i
        elif w in _CONNECTORS and first is not None and i > 0 and _is_name(words[i - 1]):
            first = i
        elif w.islower() and w.isalpha() and first is not None:
            # lowercase role words after a possessive: "Ukraine's spy chief Kyrylo Budanov"
            j = i
            while j > i - 3 and j >= 0 and words[j].islower() and words[j].isalpha():
                j -= 1
            if j >= 0 and _is_name(words[j]) and words[j].endswith("'s"):
                first = i = j
                continue
            break
        else:
            break
        i -= 1
    while first is not None and words[first] in _CONNECTORS:
        first += 1
    if first is None or words[first:] == ["The"]:
        return None
    return prefix[toks[first][1] : end], toks[first][1], end


def _speaker_before(prefix: str) -> Found | None:
    """The speaker phrase directly before a verb of saying, allowing one appositive between commas."""
    toks = _tokens(prefix)
    while toks and toks[-1][0] in _AUXILIARIES:  # "Dmytro Ponomarenko, has expressed"
        prefix = prefix[: toks.pop()[1]]
    if len(toks) >= 2 and toks[-1][0].endswith(","):
        k = max((i for i in range(len(toks) - 1) if toks[i][0].endswith(",")), default=-1)
        if k < 0:
            return None
        appos = prefix[toks[k + 1][1] : toks[-1][1] + len(toks[-1][0]) - 1]
        words = appos.split()
        if _is_name(words[0]) and all(_is_name(w) or w in _CONNECTORS for w in words) and "'s" not in appos:
            return appos, toks[k + 1][1], toks[k + 1][1] + len(appos)  # "Foreign Minister, Cho Tae-yul,"
        if words[0] == "the" or "'s" in appos:  # "Dmytro Ponomarenko, the Ambassador of ..., stated"
            return _name_before(prefix[: toks[k][1] + len(toks[k][0]) - 1])
        return None
    return _name_before(prefix)


def _speaker_after(rest: str, any_words: bool = False) -> Found | None:
    """The speaker phrase opening rest ("Ponomarenko.", "the ambassador"); any_words: the clause ('according to')."""
    clause = re.split(r"[,;:.!?—(\"]| - ", rest, maxsplit=1)[0]
    toks = _tokens(clause)[:10]
    if not toks:
        return None
    words = [w for w, _ in toks]
    n = 0
    if any_words:
        n = len(words)
    elif words[0].lower() in _PRONOUNS:
        n = 1
    elif words[0].lower() == "the" and len(words) > 1 and words[1].lower() in _ROLE_NOUNS:
        n = 2
    else:
        while n < len(words) and (_is_name(words[n]) or (words[n] in _CONNECTORS and n)):
            n += 1
        while n and words[n - 1] in _CONNECTORS:
            n -= 1
    if not n:
        return None
    start, end = toks[0][1], toks[n - 1][1] + len(toks[n - 1][0])
    return rest[start:end], start, end


def _trim(t: str, a: int, b: int, chars: str = " ,") -> tuple[int, int]:
    while a < b and t[a] in chars:
        a += 1
    while b > a and t[b - 1] in chars:
        b -= 1
    return a, b


def _quote_pairs(doc: _Doc) -> list[tuple[int, int]]:
    """Normalised [open, close] positions of the double-quote marks of each quotation, line by line."""
    t = doc.nt.text
    pairs = []
    for a, b in doc.lines:
        marks = [i for i in range(a, b) if t[i] == '"']
        pairs += list(zip(marks[::2], marks[1::2]))
    return pairs


def _quote_speaker(
    t: str, s: int, e: int, open_: int, close: int, verbs: list[re.Match[str]]
) -> tuple[str | None, int | None]:
    """Speaker of the quotation between marks open_ and close in sentence t[s:e], and where its verb is."""
    # directly after the closing mark: '," Ponomarenko said' / '," said Ponomarenko' / '," the envoy said'
    for m in verbs:
        if m.start() <= close or not m["verb"]:
            continue
        gap = t[close + 1 : m.start()]
        found = _speaker_before(gap) if gap.strip(" ,.—-") else _speaker_after(t[m.end() : e])
        if found and (not gap.strip(" ,.—-") or gap.strip(" ,.—-") == found[0]):
            return found[0], m.start()
        break
    # before the opening mark, nearest first: 'he stated, "' / 'Zelensky called "' / 'X indicated that it is "'
    for m in reversed([m for m in verbs if m.end() <= open_]):
        if m["verb"]:
            found = _speaker_before(t[s : m.start()])
        else:
            found = _speaker_after(t[m.end() : open_], any_words=True)
        if found:
            return found[0], m.start()
    return None, None


def extract_quotations(text: str) -> list[QuoteCandidate]:
    """Verbatim quotations and attributed paraphrases (see the module docstring), in text order."""
    doc = _Doc(text)
    t = doc.nt.text
    pairs = _quote_pairs(doc)

    def verbs_in(s: int, e: int) -> list[re.Match[str]]:
        return [m for m in _VERB.finditer(t, s, e) if not any(o < m.start() < c for o, c in pairs)]

    # pass 1: quotations, and the verbs they use
    raw: list[tuple[int, int, StatementForm, str | None, tuple[int, int]]] = []
    used: set[int] = set()
    for open_, close in pairs:
        qa, qb = _trim(t, open_ + 1, close)
        words = re.findall(r"[^\W\d_][\w'-]*", t[qa:qb])
        if not words or all(w[0].isupper() for w in words):
            continue  # empty, or a title such as "The Korea Times"
        s, e = doc.sentence_at(open_, close + 1)
        speaker, verb_at = _quote_speaker(t, s, e, open_, close, verbs_in(s, e))
        if verb_at is not None:
            used.add(verb_at)
        raw.append((qa, qb, StatementForm.verbatim, speaker, (s, e)))

    # pass 2: sentences with an attribution of their own
    for s, e in doc.sentences:
        verbs = sorted((m for m in verbs_in(s, e) if m.start() not in used), key=lambda m: (bool(m["acc"]), m.start()))
        for m in verbs:
            if m["acc"] or t.startswith(" by ", m.end()):  # "according to X", "as reported by X"
                by = 0 if m["acc"] else 3
                found = _speaker_after(t[m.end() + by : e], any_words=True)
                aux = re.search(r"(?:\b(?:as|was|were|is|are|been|be) )+$", t[s : m.start()])
                attr = (s + aux.start() if aux else m.start(), m.end() + by + found[2]) if found else None
            else:
                found = _speaker_before(t[s : m.start()])
                attr = (s + found[1], m.end()) if found else None
                if not found and t[s : m.start()].rstrip().endswith((",", "—", "–", "-")):
                    found = _speaker_after(t[m.end() : e])  # "..., said Ponomarenko" / "— stated Ponomarenko"
                    attr = (m.start(), m.end() + found[2]) if found else None
            if not found or not attr:
                continue
            lead = t[s : attr[0]].rstrip()
            rest = t[attr[1] : e]
            before = _trim(t, s, attr[0], " ,—–-")
            that = re.match(r"[^,.\"]{0,60}?\bthat ", rest)
            after = _trim(t, attr[1] + (that.end() if that else 0), e, " ,.")
            closes = not re.search(r"\w", rest) or (_TAIL.match(rest) is not None and that is None)
            qa, qb = before if closes and before[1] > before[0] else after
            if qb <= qa:
                qa, qb = _trim(t, s, e, " ")
            dashed = lead.endswith(("—", "–", " -")) and closes  # "... — stated Ponomarenko."
            form = StatementForm.verbatim if dashed else StatementForm.paraphrase
            raw.append((qa, qb, form, found[0], (s, e)))
            break  # one attribution per sentence

    # in text order, a pronoun or a missing speaker takes the latest named speaker
    out = []
    last: str | None = None
    for qa, qb, form, speaker, (s, e) in sorted(raw, key=lambda r: (r[0], r[1])):
        inferred = speaker is None or speaker.lower() in _PRONOUNS
        if inferred:
            speaker = last or speaker
        else:
            last = speaker
        start, end = doc.span(qa, qb)
        out.append(QuoteCandidate(t[qa:qb], form, speaker, inferred, t[s:e], start, end))
    return out
