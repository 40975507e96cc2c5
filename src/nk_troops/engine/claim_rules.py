"""Rules between the fields of a claim row (events, statements, figures): its hedge and hedge words, and its place
with its precision, ISO 3166-2 code and country. Declared in ``rulebook``; the models check the same rules."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from .. import problems as P
from .. import rulebook as R
from .arrays import _eq, _np_mask, _present, _values
from .state import Found


def rule_hedge(cols: dict, ok: dict, live: np.ndarray, found: Found, base: int) -> None:
    """rulebook.HEDGE_WORDS and ASSERTED_NO_WORDS."""
    usable = ok["hedge"] & live
    asserted = usable & _eq(cols["hedge"], "asserted")
    words = _present(cols["hedge_words"])
    missing = usable & ~asserted & ~words
    if missing.any():
        idx = np.flatnonzero(missing)
        found.many(
            P.RecordRule,
            idx + base,
            "hedge_words",
            [R.HEDGE_WORDS.message(hedge=h) for h in _values(cols["hedge"], idx)],
        )
    found.many(P.RecordRule, np.flatnonzero(asserted & words) + base, "hedge_words", R.ASSERTED_NO_WORDS.message())


def rule_place(cols: dict, ok: dict, live: np.ndarray, found: Found, base: int) -> None:
    """rulebook.PLACE_PRECISION and SUBDIVISION_IN_COUNTRY."""
    place = _present(cols["place"]) & live
    precision = _present(cols["place_precision"]) & live
    for present, missing, field in ((place, precision, "place_precision"), (precision, place, "place")):
        lone = present & ~missing
        if lone.any():
            other = "place" if field == "place_precision" else "place_precision"
            found.many(
                P.RecordRule,
                np.flatnonzero(lone) + base,
                field,
                R.PLACE_PRECISION.message(present=other, missing=field),
            )
    code = ok["place_code"] & _present(cols["place_code"]) & live
    if not code.any():
        return
    country = _present(cols["country"]) & ok["country"]
    same = _np_mask(pc.equal(pc.utf8_slice_codeunits(cols["place_code"], 0, 2), cols["country"]))
    wrong = code & ~(country & same)
    if wrong.any():
        idx = np.flatnonzero(wrong)
        countries = [c or "(none given)" for c in _values(cols["country"], idx)]
        found.many(
            P.RecordRule,
            idx + base,
            "place_code",
            [
                R.SUBDIVISION_IN_COUNTRY.message(code=c, country=k)
                for c, k in zip(_values(cols["place_code"], idx), countries, strict=True)
            ],
        )
