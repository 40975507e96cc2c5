"""The building blocks of every column: text rules, identifiers, country codes, numbers, explained unknowns and
written dates.

Each is a type alias carrying its rules as data (pydantic ``Field`` constraints and validators), so that
``schema_gen`` can compile them into Table Schemas, Parquet types and the codebook, and ``engine/spec.py`` into
the table checker's rules. The records that use them are in ``models.py``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, TypeAlias, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import rulebook as R
from .excerpts import normalise
from .vague_dates import VagueDate, parse_vague_date

# --------------------------------------------------------------------------- text rules

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x0600, 0x0605),
    (0x061C, 0x061C),  # Arabic letter mark
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space, joiners, left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte-order mark)
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),  # language tag
    (0xE0020, 0xE007F),  # tag characters
)
"""The characters Unicode classes as format characters (category Cf, Unicode 14): invisible, or changing the
direction of the text around them, so that a text can read other than it is."""

INVISIBLE = "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in INVISIBLE_RANGES) + "]"
"""The same, as a regular expression character class (Python's re and Arrow's RE2 read it alike)."""

_INVISIBLE = re.compile(INVISIBLE)


def text_problem(value: str, *, excerpt: bool = False) -> str | None:
    """The first text rule ``value`` breaks, or None. Every text: no space or line break at either end, no control
    character but the line break, nothing a spreadsheet would run. Every text but an excerpt, which holds what its
    archived source holds: no invisible or direction-changing character (:data:`INVISIBLE`)."""
    if value != value.strip():
        return "remove the spaces or line breaks at the start or end of the text"
    bad = next((ch for ch in value if (ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) < 0xA0), None)
    if bad is not None:
        return f"the text holds the control character U+{ord(bad):04X}; remove it (line breaks are the only control character allowed)"
    hidden = None if excerpt else _INVISIBLE.search(value)
    if hidden is not None:
        ch = hidden.group()
        return (
            f"the text holds the invisible character U+{ord(ch):04X} ({unicodedata.name(ch, 'a format character')}); "
            "remove it (invisible and direction-changing characters are allowed only in excerpts, as their source has them)"
        )
    if value.startswith(FORMULA_STARTS):
        return (
            f"text may not start with {value[0]!r}: a spreadsheet would run the cell as a formula; "
            "reword it, or start with a letter or a quotation mark"
        )
    return None


def _safe_text(value: str) -> str:
    """Text cells: see :func:`text_problem`."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _safe_excerpt(value: str) -> str:
    """Excerpts: the rules of every text, but they may hold the invisible characters their archived source holds;
    and long enough as they are matched (rulebook.EXCERPT_LONG_ENOUGH)."""
    problem = text_problem(value, excerpt=True)
    if problem is not None:
        raise ValueError(problem)
    length = len(normalise(value).text)
    if length < R.EXCERPT_MIN:
        raise ValueError(R.EXCERPT_LONG_ENOUGH.message(length=length, minimum=R.EXCERPT_MIN))
    return value


Text = Annotated[str, Field(min_length=1, max_length=20_000), AfterValidator(_safe_text)]
Excerpt = Annotated[str, Field(min_length=R.EXCERPT_MIN, max_length=2_000), AfterValidator(_safe_excerpt)]
"""Verbatim words from an archived text: in a record's citation and in the published citations table alike
(a record's excerpt is published as written, so it has the table's text rules, but for invisible characters)."""

Url = Annotated[str, Field(pattern=r"^https?://[^\s/?#@]+([/?#][^\s]*)?$"), AfterValidator(_safe_text)]
"""An http(s) address with no user name or password in it (no '@' before the path: a published link must not carry
credentials, nor disguise its host as one); a text too (no control or invisible character: a link can hide one)."""


Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A number as Table Schema defines it, and finite: written as a YAML number (never as text or a boolean), not inf
or NaN (a published table cannot hold them: check-tables refuses them)."""


@lru_cache(maxsize=1)
def iso3166_alpha2() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, read from the IANA tz database's iso3166.tab (package tzdata)."""
    table = (resources.files("tzdata.zoneinfo") / "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(line.split("\t", 1)[0] for line in table.splitlines() if line and not line.startswith("#"))


def _iso_country(value: str) -> str:
    if value not in iso3166_alpha2():
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (for example UA, RU, KP, KR, US)")
    return value


Country = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code.", examples=["KP"]),
    AfterValidator(_iso_country),
]


Subdivision = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
        description="ISO 3166-2 code of a country's subdivision: the country's code, a hyphen, up to three letters "
        "or digits.",
        examples=["RU-KRS"],
    ),
    AfterValidator(lambda v: _iso_country(v[:2]) and v),
]


def _id(prefix: str, what: str, example: str) -> Any:
    """The Field of an identifier column: lowercase letters, digits and hyphens after ``prefix``."""
    body = r"[a-z0-9]+(-[a-z0-9]+)*"
    return Field(
        pattern=f"^{prefix}{body}$",
        max_length=80,
        description=f"Identifier of the {what}: lowercase letters, digits and hyphens"
        + (f", starting '{prefix}'." if prefix else "."),
        examples=[example],
    )


SourceId = Annotated[str, _id("", "source", "korea-times-2025-ponomarenko-interview")]
ActorId = Annotated[str, _id("", "actor", "dmytro-ponomarenko")]
EventId = Annotated[str, _id("ev-", "event", "ev-capture-two-soldiers-kursk")]
StatementId = Annotated[str, _id("st-", "statement", "st-ponomarenko-open-to-dialogue")]
FigureId = Annotated[str, _id("fg-", "figure", "fg-ponomarenko-killed-or-wounded")]
ClaimId = Annotated[
    str,
    Field(
        pattern=r"^(ev|st|fg)-[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=80,
        description="Identifier of an event, statement or figure (they share one namespace).",
        examples=["fg-ponomarenko-killed-or-wounded"],
    ),
]


def fk(target: str, description: str, example: str | None = None, *, required: bool = False) -> Any:
    """Metadata for a column that refers to another table's key, e.g. ``fk("actors.actor_id", ...)``.

    Optional references default to empty (None); ``required=True`` makes the field mandatory.
    """
    return Field(
        ... if required else None,
        description=description,
        examples=[example] if example else None,
        json_schema_extra={"fk": target},
    )


# --------------------------------------------------------------------------- unknowns and dates


class Unknown(BaseModel):
    """Written ``{unknown: "why the sources do not establish this"}`` in place of a value."""

    model_config = ConfigDict(extra="forbid")
    unknown: Text


class KnowableMarker:
    """Marks a field that must hold a value or an explained ``{unknown: ...}``."""


_V = TypeVar("_V")

Knowable: TypeAlias = Annotated[_V | Unknown, KnowableMarker()]
"""A value of the given type, or ``{unknown: "why"}``: ``x: Knowable[Text] = Field(description=..., examples=[...])``."""


class WrittenDateMarker:
    """Marks a field written as a vague date (see vague_dates.py) and published as five columns."""


def _parse_written_date(value: Any) -> VagueDate | Unknown:
    if isinstance(value, (Unknown, VagueDate)):
        return value
    if isinstance(value, dict):
        reason = value.get("unknown")
        if set(value) != {"unknown"} or not isinstance(reason, str) or not reason.strip():
            raise ValueError(
                'write the date as text (for example "mid-January 2025"), or {unknown: "why the sources do not say"}'
            )
        return Unknown(unknown=_safe_text(reason))
    return parse_vague_date(value)


WrittenDate: TypeAlias = Annotated[Any, WrittenDateMarker(), AfterValidator(_parse_written_date)]
"""A date in the vague-date grammar, or ``{unknown: "why"}``; after validation a :class:`VagueDate` or
:class:`Unknown` (declared ``Any`` because the raw YAML value, a string or a mapping, is what pydantic receives):
``x: WrittenDate = Field(description=..., examples=[...])``."""
