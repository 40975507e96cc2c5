"""The building blocks of every column: text rules, identifiers, country codes, numbers, explained unknowns and
written dates.

Each is a type alias carrying its rules as data (``Cell``, ``TextRule``, ``CountryRule``), which ``schema_gen``
compiles into the columns: Table Schemas, Parquet types, the codebook and the table checker's rules. pydantic
reads a record's shape and YAML types from them (text, number, controlled value, date grammar, an explained
unknown) and ignores these rules: the table checker (``engine``) applies them, to the records' tables as to any
package's, so each is checked by one piece of code. The records that use them are in ``models.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, TypeAlias, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import rulebook as R
from .characters import INVISIBLE  # also read as fields.INVISIBLE (engine.arrays)
from .vague_dates import VagueDate, parse_vague_date

# --------------------------------------------------------------------------- rules as data


@dataclass(frozen=True)
class Cell:
    """Rules on a cell's value (a pattern, a length in characters, a range), read by ``schema_gen``; pydantic does
    not apply them (it ignores metadata it does not know)."""

    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    ge: float | None = None
    le: float | None = None


@dataclass(frozen=True)
class TextRule:
    """A text cell's rules (:func:`text_problem`): every text's, and, with ``visible_only``, no invisible or
    direction-changing character (every text but excerpts)."""

    visible_only: bool = True


@dataclass(frozen=True)
class CountryRule:
    """An ISO 3166-1 alpha-2 country code (:func:`iso3166_alpha2`)."""


# --------------------------------------------------------------------------- text rules

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_INVISIBLE = re.compile(INVISIBLE)
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
"""The control characters a text may not hold: C0 but the line break, DEL and C1."""


def text_problem(value: str, *, excerpt: bool = False) -> str | None:
    """The first text rule ``value`` breaks, or None. Every text: no space or line break at either end, no control
    character but the line break, nothing a spreadsheet would run. Every text but an excerpt, which holds what its
    archived source holds: no invisible or direction-changing character (:data:`INVISIBLE`)."""
    if value != value.strip():
        return "remove the spaces or line breaks at the start or end of the text"
    control = _CONTROL.search(value)
    if control is not None:
        return f"the text holds the control character U+{ord(control.group()):04X}; remove it (line breaks are the only control character allowed)"
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


Text = Annotated[str, Cell(min_length=1, max_length=20_000), TextRule()]
Excerpt = Annotated[str, Cell(min_length=R.EXCERPT_MIN, max_length=2_000), TextRule(visible_only=False)]
"""Verbatim words from an archived text: in a record's citation and in the published citations table alike
(a record's excerpt is published as written, so it has the table's text rules, but for invisible characters,
and it is long enough as it is matched: rulebook.EXCERPT_LONG_ENOUGH)."""

Url = Annotated[str, Cell(pattern=r"^https?://[^\s/?#@]+([/?#][^\s]*)?$"), TextRule()]
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


Country = Annotated[
    str,
    Field(description="ISO 3166-1 alpha-2 country code.", examples=["KP"]),
    Cell(pattern=r"^[A-Z]{2}$"),
    CountryRule(),
]


Subdivision = Annotated[
    str,
    Field(
        description="ISO 3166-2 code of a country's subdivision: the country's code, a hyphen, up to three letters "
        "or digits.",
        examples=["RU-KRS"],
    ),
    Cell(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$"),
]
"""Its country part is the record's country (rulebook.SUBDIVISION_IN_COUNTRY), itself a country code."""


def _id(prefix: str, what: str, example: str) -> Any:
    """An identifier column: lowercase letters, digits and hyphens after ``prefix``."""
    body = r"[a-z0-9]+(-[a-z0-9]+)*"
    return Annotated[
        str,
        Field(
            description=f"Identifier of the {what}: lowercase letters, digits and hyphens"
            + (f", starting '{prefix}'." if prefix else "."),
            examples=[example],
        ),
        Cell(pattern=f"^{prefix}{body}$", max_length=80),
    ]


SourceId = _id("", "source", "korea-times-2025-ponomarenko-interview")
ActorId = _id("", "actor", "dmytro-ponomarenko")
EventId = _id("ev-", "event", "ev-capture-two-soldiers-kursk")
StatementId = _id("st-", "statement", "st-ponomarenko-open-to-dialogue")
FigureId = _id("fg-", "figure", "fg-ponomarenko-killed-or-wounded")
ClaimId = Annotated[
    str,
    Field(
        description="Identifier of an event, statement or figure (they share one namespace).",
        examples=["fg-ponomarenko-killed-or-wounded"],
    ),
    Cell(pattern=r"^(ev|st|fg)-[a-z0-9]+(-[a-z0-9]+)*$", max_length=80),
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
        return Unknown(unknown=reason)
    return parse_vague_date(value)


WrittenDate: TypeAlias = Annotated[Any, WrittenDateMarker(), AfterValidator(_parse_written_date)]
"""A date in the vague-date grammar, or ``{unknown: "why"}``; after validation a :class:`VagueDate` or
:class:`Unknown` (declared ``Any`` because the raw YAML value, a string or a mapping, is what pydantic receives):
``x: WrittenDate = Field(description=..., examples=[...])``."""
