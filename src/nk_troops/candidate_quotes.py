"""Quotation candidates: quoted words with their speaker and reporting verb (see ``candidates.py``)."""

from __future__ import annotations

import re

from .candidate_text import Doc, Intervals, QuoteCandidate, enabled
from .vocabularies import StatementForm

SPEECH_VERBS = (
    "said says stated noted claimed emphasised emphasized urged added stressed confirmed indicated called "
    "described summarised summarized told warned suggested acknowledged clarified highlighted explained argued "
    "insisted asserted declared wrote lamented reiterated expressed reported testified"
).split()
_VERB = re.compile(r"\b(?:(?P<verb>" + "|".join(SPEECH_VERBS) + r")|(?P<acc>[Aa]ccording to))\b")
_VOICED = re.compile(r"\b(?P<verb>voiced)\b")
_PARTICIPLES = (
    "saying stating noting claiming emphasising emphasizing urging adding stressing confirming indicating "
    "describing telling warning suggesting acknowledging clarifying highlighting explaining arguing insisting "
    "asserting declaring writing lamenting reiterating expressing reporting testifying"
).split()
_PARTICIPLE = re.compile(r"\b(?P<ing>" + "|".join(_PARTICIPLES) + r") that\b")
_STANCE = {
    "not_rule_out": r"(?:(?:do|does|did|would|will|could|can) not|n't|not) (?:rule|ruling|ruled) out",
    "not_dismiss": r"(?:(?:do|does|did|would|will|could|can) not|not) (?:dismiss|dismissing|dismissed)",
    "not_confirm": r"(?:(?:has|have|had) not (?:been able to )?|(?:could|can|did|do|does) not |not )"
    r"(?:confirm|confirmed)",
}
_PEOPLE_NOUNS = set("soldier soldiers troops prisoners pows captives defectors servicemen".split())
_DETERMINERS = {"the", "these", "those", "both", "two"}

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


def _name_before(prefix: str, rules: frozenset[str] | None) -> Found | None:
    """The pronoun, role noun or name run that ends prefix ("... Ukraine's spy chief Kyrylo Budanov")."""
    toks = _tokens(prefix)
    if not toks:
        return None
    end = toks[-1][1] + len(toks[-1][0])
    words = [w for w, _ in toks]
    i = len(words) - 1
    if words[i].lower() in _PRONOUNS:
        return words[i], toks[i][1], end
    if words[i].lower() in _PEOPLE_NOUNS and enabled(rules, "people_speakers"):
        j = i - 1 if i >= 1 and words[i - 1].lower() in _DETERMINERS else i  # "the soldiers", "these soldiers"
        if j < i and j >= 2 and [w.lower() for w in words[j - 2 : j]] == ["one", "of"]:
            j -= 2  # "one of the soldiers"
        if j < i:
            return prefix[toks[j][1] : end], toks[j][1], end
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


def _speaker_before(prefix: str, rules: frozenset[str] | None) -> Found | None:
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
            return _name_before(prefix[: toks[k][1] + len(toks[k][0]) - 1], rules)
        if words[0] == "including" and enabled(rules, "voiced"):  # "Critics, including defector Yeonmi Park,"
            found = _name_before(prefix[: toks[-1][1] + len(toks[-1][0]) - 1], rules)
            return found if found and found[1] >= toks[k + 1][1] else None
        return None
    return _name_before(prefix, rules)


def _speaker_after(rest: str, rules: frozenset[str] | None, any_words: bool = False) -> Found | None:
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


def _quote_pairs(doc: Doc) -> list[tuple[int, int]]:
    """Normalised [open, close] positions of the double-quote marks of each quotation, line by line."""
    t = doc.nt.text
    pairs = []
    for a, b in doc.lines:
        marks = [i for i in range(a, b) if t[i] == '"']
        pairs += list(zip(marks[::2], marks[1::2], strict=False))  # an unpaired last mark is dropped
    return pairs


def _quote_speaker(
    t: str, s: int, e: int, open_: int, close: int, verbs: list[re.Match[str]], rules: frozenset[str] | None
) -> tuple[str | None, int | None]:
    """Speaker of the quotation between marks open_ and close in sentence t[s:e], and where its verb is."""
    # directly after the closing mark: '," Ponomarenko said' / '," said Ponomarenko' / '," the envoy said'
    for m in verbs:
        if m.start() <= close or not m["verb"]:
            continue
        gap = t[close + 1 : m.start()]
        found = _speaker_before(gap, rules) if gap.strip(" ,.—-") else _speaker_after(t[m.end() : e], rules)
        if found and (not gap.strip(" ,.—-") or gap.strip(" ,.—-") == found[0]):
            return found[0], m.start()
        break
    # before the opening mark, nearest first: 'he stated, "' / 'Zelensky called "' / 'X indicated that it is "'
    for m in reversed([m for m in verbs if m.end() <= open_]):
        if m["verb"]:
            found = _speaker_before(t[s : m.start()], rules)
        else:
            found = _speaker_after(t[m.end() : open_], rules, any_words=True)
        if found:
            return found[0], m.start()
    return None, None


def extract_quotations(text: str, *, rules: frozenset[str] | None = None) -> list[QuoteCandidate]:
    """Verbatim quotations and attributed paraphrases (see the module docstring), in text order.

    rules: the rule changes (``candidate_text.RULE_CHANGES``) to apply; None, the default, applies all.
    """
    doc = Doc(text)
    t = doc.nt.text
    pairs = _quote_pairs(doc)

    patterns = [_VERB]
    if enabled(rules, "voiced"):
        patterns.append(_VOICED)
    if enabled(rules, "that_participles"):
        patterns.append(_PARTICIPLE)
    stance = re.compile(r"\b(?:" + "|".join(p for name, p in _STANCE.items() if enabled(rules, name)) + r")\b")

    inside = Intervals(pairs)

    def outside_quotes(ms: list[re.Match[str]]) -> list[re.Match[str]]:
        return [m for m in ms if not inside.overlaps(m.start(), m.start())]

    def verbs_in(s: int, e: int) -> list[re.Match[str]]:
        return outside_quotes([m for p in patterns for m in p.finditer(t, s, e)])

    # pass 1: quotations, and the verbs they use
    raw: list[tuple[int, int, StatementForm, str | None, tuple[int, int]]] = []
    used: set[int] = set()
    for open_, close in pairs:
        qa, qb = _trim(t, open_ + 1, close)
        words = re.findall(r"[^\W\d_][\w'-]*", t[qa:qb])
        if not words or all(w[0].isupper() for w in words):
            continue  # empty, or a title such as "The Korea Times"
        s, e = doc.sentence_at(open_, close + 1)
        speaker, verb_at = _quote_speaker(t, s, e, open_, close, verbs_in(s, e), rules)
        if verb_at is not None:
            used.add(verb_at)
        raw.append((qa, qb, StatementForm.verbatim, speaker, (s, e)))

    # pass 2: sentences with an attribution of their own
    attributed: set[tuple[int, int]] = set()
    for s, e in doc.sentences:
        verbs = sorted(
            (m for m in verbs_in(s, e) if m.start() not in used),
            key=lambda m: (bool(m.groupdict().get("ing")), bool(m.groupdict().get("acc")), m.start()),
        )
        for m in verbs:
            found: Found | None
            if m.groupdict().get("ing"):  # "..., stressing that ..." / "showed the soldiers claiming that ..."
                prefix = t[s : m.start()]
                if prefix.rstrip().endswith(","):
                    found = _speaker_after(t[s:e], rules)  # the sentence's subject
                    found = found and (found[0], m.start() - s, m.start() - s)
                else:
                    found = _speaker_before(prefix, rules)
                if not found:  # "with estimates indicating that ...": no speaker, no attribution
                    continue
                raw.append((*_trim(t, m.end(), e, " ,."), StatementForm.paraphrase, found[0], (s, e)))
                attributed.add((s, e))
                break
            if m.groupdict().get("acc") or t.startswith(" by ", m.end()):  # "according to X", "as reported by X"
                by = 0 if m.groupdict().get("acc") else 3
                clause = t[m.end() + by : e]
                if by and enabled(rules, "passive_by_tail"):  # "reiterated by Cho during a phone call"
                    cut = _TAIL.search(clause)
                    clause = clause[: cut.start()] if cut else clause
                found = _speaker_after(clause, rules, any_words=True)
                aux = re.search(r"(?:\b(?:as|was|were|is|are|been|be) )+$", t[s : m.start()])
                attr = (s + aux.start() if aux else m.start(), m.end() + by + found[2]) if found else None
            else:
                found = _speaker_before(t[s : m.start()], rules)
                attr = (s + found[1], m.end()) if found else None
                if not found and t[s : m.start()].rstrip().endswith((",", "—", "–", "-")):
                    found = _speaker_after(t[m.end() : e], rules)  # "..., said Ponomarenko" / "— stated Ponomarenko"
                    attr = (m.start(), m.end() + found[2]) if found else None
            if not found or not attr:
                continue
            attributed.add((s, e))
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

    # pass 3: a sentence with no attribution of its own that does "not rule out" something
    for s, e in doc.sentences if stance.pattern != r"\b(?:)\b" else []:
        negations = outside_quotes(list(stance.finditer(t, s, e)))
        if not negations or (s, e) in attributed:
            continue
        m = negations[0]
        prefix = re.sub(r"[ ,]*(?:\bwhile)?[ ,]*$", "", t[s : m.start()])
        said = re.search(r"\b(?:" + "|".join(SPEECH_VERBS) + r")$", prefix)
        found = _speaker_before(prefix[: said.start()] if said else prefix, rules)
        if not found and re.search(r"(?:^|, )[a-z]+(?: [a-z]+){0,2}$", prefix):  # "Nevertheless, sources"
            found = (prefix.rsplit(", ", 1)[-1], 0, 0)
        raw.append((*_trim(t, m.start(), e, " ,."), StatementForm.paraphrase, found and found[0], (s, e)))

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
