"""The plots the build draws (docs/plots/*.png): a label the font cannot draw is replaced by the record's id."""

import copy
import warnings
from pathlib import Path

import pytest

from nk_troops.plots import _label, render_plots
from nk_troops.validate import check_records

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tables():
    result = check_records(REPO)
    assert result.report.ok and result.tables is not None
    return result.tables


def test_label_keeps_what_the_font_draws_and_falls_back_to_the_id():
    assert _label("Kyrylo Budanov", "kyrylo-budanov") == "Kyrylo Budanov"
    assert _label("Міністерство оборони України", "ukraine-mod") == "Міністерство оборони України"  # Cyrillic: drawn
    assert _label("≥300 killed, mid-January 2025…", "x") == "≥300 killed, mid-January 2025…"
    assert _label("국가정보원", "nis") == "nis"  # Hangul: DejaVu Sans has none
    assert _label("Cho Tae-yul (조태열)", "cho-tae-yul") == "cho-tae-yul"
    assert (
        _label("Two soldiers captured.\nBoth wounded.", "ev-capture") == "Two soldiers captured. Both wounded."
    )  # one line


def test_hangul_names_and_summaries_draw_no_missing_glyph(tables):
    """An actor named, and an event summarised, in Hangul used to be drawn as empty boxes (with a warning)."""
    edited = copy.deepcopy(tables)
    claimant = next(
        f["claimant_actor_id"] for f in edited["figures"] if f["claimant_actor_id"] and f["unit"] == "persons"
    )
    next(a for a in edited["actors"] if a["actor_id"] == claimant)["name"] = "국가정보원"
    next(e for e in edited["events"] if e["date_start"] or e["date_end"])["summary"] = "북한군 포로 2명 생포"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        edited_pngs = render_plots(edited)
    original = render_plots(tables)
    assert set(edited_pngs) == set(original) and all(png.startswith(b"\x89PNG") for png in edited_pngs.values())
    assert all(edited_pngs[k] != original[k] for k in original)  # both plots show the edited labels (as ids)
