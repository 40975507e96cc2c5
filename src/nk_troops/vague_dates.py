"""Vague dates: a small written grammar turned into precision and bounds.

A curator writes the date as the source gives it, in one of these forms, and
the bounds follow from fixed rules (never from judgement):

=================================  ============  ==========================
written                            precision     bounds (inclusive)
=================================  ============  ==========================
``2025-01-12``                     day           that day
``early|mid|late January 2025``    month_part    1-10, 11-20, 21-last day
``January 2025`` or ``2025-01``    month         first to last day
``spring|summer|autumn|fall|winter 2024``  season  Mar-May, Jun-Aug, Sep-Nov, Dec(2023)-Feb
``early|mid|late 2024``            year_part     Jan-Apr, May-Aug, Sep-Dec
``2024``                           year          1 Jan to 31 Dec
``by 2025-02-05``                  on_or_before  (none) to that day
``from 2025-02-05``                on_or_after   that day to (none)
``2025-01-11..2025-02-05``         range         both days
``unknown``                        unknown       (none)
=================================  ============  ==========================

Days are parsed strictly: ``2025-02-30`` and ``2025-2-3`` are errors, never
rolled over or padded. Every bound lies in the years 1950 to 2100 (FIRST_YEAR,
LAST_YEAR): this dataset's claims are about a war from 2022 on, and a date far
outside (``0001-01-01``, ``9999-12-31``) is a typo that would also stretch the
plots' time axis over centuries.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .vocabularies import DatePrecision

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_PARTS_OF_MONTH = {"early": (1, 10), "mid": (11, 20), "late": (21, None)}
_PARTS_OF_YEAR = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}

FORMS_HELP = (
    "write YYYY-MM-DD, 'mid-January 2025', 'January 2025', 'YYYY-MM', 'autumn 2024', "
    "'late 2024', 'YYYY', 'by YYYY-MM-DD', 'from YYYY-MM-DD', 'YYYY-MM-DD..YYYY-MM-DD', or, when the sources do "
    'not say, unknown with the reason why (in a records file: {unknown: "why the sources do not say"})'
)


FIRST_YEAR, LAST_YEAR = 1950, 2100
"""The years a date's bounds may fall in (see the module docstring)."""


class VagueDateError(ValueError):
    """The text is not one of the accepted forms, or names a day that does not exist."""


@dataclass(frozen=True)
class VagueDate:
    text: str
    start: date | None
    end: date | None
    precision: DatePrecision


def parse_day(text: str) -> date:
    """Parse a zero-padded ISO day, rejecting impossible days instead of rolling them over."""
    m = _ISO_DAY.fullmatch(text)
    if not m:
        raise VagueDateError(f"'{text}' is not a day written YYYY-MM-DD with zero padding")
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        raise VagueDateError(f"'{text}' has month {month}; months run 01-12")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise VagueDateError(f"'{text}' does not exist: {calendar.month_name[month]} {year} has {last} days")
    return date(year, month, day)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text):
        raise VagueDateError(f"'{text}' is not a four-digit year")
    return int(text)


def _month(name: str) -> int:
    month = MONTHS.get(name.lower())
    if month is None:
        raise VagueDateError(f"'{name}' is not an English month name")
    return month


def parse_vague_date(text: str) -> VagueDate:
    """Turn a written date into text, start, end and precision (see the module docstring)."""
    parsed = _parse(text)
    for bound in (parsed.start, parsed.end):
        if bound is not None and not FIRST_YEAR <= bound.year <= LAST_YEAR:
            raise VagueDateError(
                f"'{parsed.text}' falls in {bound.year}; dates in this dataset lie in {FIRST_YEAR}-{LAST_YEAR}"
            )
    return parsed


def _parse(text: str) -> VagueDate:
    if not isinstance(text, str):
        raise VagueDateError(f"a date must be text; {FORMS_HELP}")
    t = " ".join(text.split())
    low = t.lower()
    P = DatePrecision
    if low == "unknown":
        return VagueDate(t, None, None, P.unknown)
    if _ISO_DAY.fullmatch(t):
        d = parse_day(t)
        return VagueDate(t, d, d, P.day)
    if ".." in t:
        a, _, b = t.partition("..")
        start, end = parse_day(a.strip()), parse_day(b.strip())
        if end < start:
            raise VagueDateError(f"'{t}' ends ({end}) before it starts ({start})")
        return VagueDate(t, start, end, P.range)
    m = re.fullmatch(r"(by|from) (\S+)", low)
    if m:
        d = parse_day(m.group(2))
        return VagueDate(t, None, d, P.on_or_before) if m.group(1) == "by" else VagueDate(t, d, None, P.on_or_after)
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", t)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise VagueDateError(f"'{t}' has month {month}; months run 01-12")
        return VagueDate(t, date(year, month, 1), _month_end(year, month), P.month)
    m = re.fullmatch(r"[0-9]{4}", t)
    if m:
        year = int(t)
        return VagueDate(t, date(year, 1, 1), date(year, 12, 31), P.year)
    m = re.fullmatch(r"(early|mid|late)[- ]([a-z]+) (\S+)", low)
    if m:
        part, word, year_text = m.groups()
        year = _year(year_text)
        if word in MONTHS:
            month = _month(word)
            first, last = _PARTS_OF_MONTH[part]
            end = _month_end(year, month) if last is None else date(year, month, last)
            return VagueDate(t, date(year, month, first), end, P.month_part)
        raise VagueDateError(f"'{t}': '{word}' is not a month; {FORMS_HELP}")
    m = re.fullmatch(r"(early|mid|late) (\S+)", low)
    if m:
        year = _year(m.group(2))
        first, last = _PARTS_OF_YEAR[m.group(1)]
        return VagueDate(t, date(year, first, 1), _month_end(year, last), P.year_part)
    m = re.fullmatch(r"(spring|summer|autumn|fall|winter) (\S+)", low)
    if m:
        year = _year(m.group(2))
        first, last = _SEASONS[m.group(1)]
        start_year = year - 1 if first > last else year
        return VagueDate(t, date(start_year, first, 1), _month_end(year, last), P.season)
    m = re.fullmatch(r"([a-z]+) (\S+)", low)
    if m and m.group(1) in MONTHS:
        year, month = _year(m.group(2)), _month(m.group(1))
        return VagueDate(t, date(year, month, 1), _month_end(year, month), P.month)
    raise VagueDateError(f"'{t}' is not a date form this dataset knows; {FORMS_HELP}")
