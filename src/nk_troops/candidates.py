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
      sentence, a verb of saying preferred, then "according to", then an -ing
      verb of saying followed by "that" ("claiming that", "stressing that"),
      whose speaker is the sentence's subject when a comma precedes it, else the
      words just before it ("showed the soldiers claiming that"). "voiced" is a
      verb of saying. The speaker of a passive "<verb> by X" ends before a
      phrase of time or place ("by Cho Tae-yul during a phone conversation"). The text is the part of the
      sentence before the attribution when the attribution closes the sentence
      ("..., X said.", "..., X said in an interview."), otherwise the part
      after it ("X said that ...").
    * paraphrase, a stance without a verb of saying: in a sentence with no
      attribution of its own (a quotation may be in it), "not rule out" /
      "(did) not dismiss" / "(have) not (been able to) confirm"; the text runs
      from the negation ("did not dismiss ...", "not ruling out ...") to the end
      of the sentence; the speaker is the subject before it, the speaker of a
      verb of saying just before it ("X said, while not ruling out"), or a
      bare lowercase subject ("Nevertheless, sources do not rule out").
    * speaker: a run of capitalised words (with "of", "to", "the", "and",
      possessives, "(NIS)") next to the verb, a role noun ("the ambassador",
      "Ukrainian authorities"), a pronoun, "(one of) the/these soldiers" (also
      troops, prisoners, ...), or the name in an appositive ("Critics, including
      defector Yeonmi Park, have voiced"). A pronoun, or a quotation with no
      attribution in its sentence, gets the latest speaker found earlier in the
      text, and ``speaker_inferred`` is set.

Rules added after the first measurement are named in ``candidate_text.RULE_CHANGES`` with the seeds that justified
them; ``extract_figures(text, rules=...)`` and ``extract_quotations(text, rules=...)`` apply only the named ones
(default: all). ``scripts/extractor_quality.py`` measures each seed without the changes justified only on it.
"""

from __future__ import annotations

from .candidate_figures import extract_figures
from .candidate_quotes import extract_quotations
from .candidate_text import FigureCandidate, QuoteCandidate

__all__ = ["FigureCandidate", "QuoteCandidate", "extract_figures", "extract_quotations"]
