"""The plots the build draws (docs/plots/*.png and *.svg): what they show is asserted on the SVG, where every
plotted figure and event is a group whose id is the record's id and every text is a comment before its glyphs."""

import copy
import html
import re
import warnings
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from conftest import repo_tables_and_plots

from nk_troops import metadata
from nk_troops.claimants import OWN_VOICE, UNNAMED
from nk_troops.plots import _label, render_plots
from nk_troops.vocabularies import Qualifier

REPO = Path(__file__).resolve().parents[1]
FIGURES, TIMELINE = "docs/plots/figures_by_claimant.svg", "docs/plots/events_timeline.svg"


@pytest.fixture
def tables():
    return repo_tables_and_plots()[0]


@pytest.fixture
def plots():
    return repo_tables_and_plots()[1]


def _texts(svg: bytes) -> str:
    """Every text drawn in the SVG (matplotlib writes each as a comment before its glyphs), whitespace collapsed."""
    comments = re.findall(r"<!-- (.*?) -->", svg.decode("utf-8"), flags=re.S)
    return " ".join(" ".join(html.unescape(c).split()) for c in comments)


def _groups(svg: bytes) -> dict[str, list[str]]:
    """Each element id of the SVG with the ids of the elements around it (outermost first)."""
    found: dict[str, list[str]] = {}

    def walk(node, outer):
        ident = node.get("id")
        if ident:
            found[ident] = outer
        for child in node:
            walk(child, [*outer, ident] if ident else outer)

    walk(ET.fromstring(svg), [])
    return found


def _persons(tables):
    return [f for f in tables["figures"] if f["unit"] == "persons"]


def test_label_keeps_what_the_font_draws_and_falls_back_to_the_id():
    assert _label("Kyrylo Budanov", "kyrylo-budanov") == "Kyrylo Budanov"
    assert _label("Міністерство оборони України", "ukraine-mod") == "Міністерство оборони України"  # Cyrillic: drawn
    assert _label("≥300 killed, mid-January 2025…", "x") == "≥300 killed, mid-January 2025…"
    assert _label("국가정보원", "nis") == "nis"  # Hangul: DejaVu Sans has none
    assert _label("Cho Tae-yul (조태열)", "cho-tae-yul") == "cho-tae-yul"
    assert (
        _label("Two soldiers captured.\nBoth wounded.", "ev-capture") == "Two soldiers captured. Both wounded."
    )  # one line


def test_every_plot_is_published_as_png_and_svg(plots):
    assert sorted(plots) == sorted(
        f"docs/plots/{n}.{x}" for n in ("figures_by_claimant", "events_timeline") for x in ("png", "svg")
    )
    assert all(data.startswith(b"\x89PNG") for name, data in plots.items() if name.endswith(".png"))
    assert all(b"<svg" in data for name, data in plots.items() if name.endswith(".svg"))


def test_the_published_plots_carry_no_date(plots):
    """No date in either format, so the published plots do not change by themselves (that a drawing from the
    records gives the committed bytes is test_build.py's drift test, in another process than the one that drew them)."""
    assert b"<dc:date>" not in plots[FIGURES] and b"<dc:date>" not in plots[TIMELINE]
    for name, data in plots.items():
        if name.endswith(".png"):  # no text chunk at all: matplotlib writes its version and the time there
            assert not any(chunk in data for chunk in (b"tEXt", b"iTXt", b"zTXt", b"tIME")), name


def test_each_qualifier_has_its_own_marker(tables, plots):
    """'at least' and 'more than' used to share one triangle: the marker each point uses, by its qualifier."""
    elements = {e.get("id"): e for e in ET.fromstring(plots[FIGURES]).iter() if e.get("id")}
    used: dict[str, set[str]] = {}
    for f in _persons(tables):
        uses = elements[f["figure_id"]].iter("{http://www.w3.org/2000/svg}use")
        shapes = {elements[u.get("{http://www.w3.org/1999/xlink}href")[1:]].get("d") for u in uses}  # path, not colour
        used.setdefault(f["qualifier"], set()).update(shapes)
    assert {"at_least", "more_than"} <= set(used)  # the pair the complaint was about is in the data
    assert all(len(markers) == 1 for markers in used.values()), used
    assert len({m for markers in used.values() for m in markers}) == len(used)  # one shape per qualifier

    from nk_troops.plot_figures import QUALIFIER_MARKERS

    shapes = [str(m) for m in QUALIFIER_MARKERS.values()]
    assert set(QUALIFIER_MARKERS) == {q.value for q in Qualifier} and len(set(shapes)) == len(shapes)


def test_every_figure_is_a_point_labelled_by_its_id_and_sources(tables, plots):
    groups, texts = _groups(plots[FIGURES]), _texts(plots[FIGURES])
    sources = sorted(s["source_id"] for s in tables["sources"])
    for f in _persons(tables):
        assert f["figure_id"] in groups
        cited = sorted(
            {sources.index(c["source_id"]) + 1 for c in tables["citations"] if c["claim_id"] == f["figure_id"]}
        )
        refs = "[" + ", ".join(map(str, cited)) + "]"
        assert f"{refs} {f['figure_id']}" in texts, f["figure_id"]  # value, measure, [sources], then the id
        assert all(f"[{n}] {sources[n - 1]}" in texts for n in cited)  # the key says which source [n] is


def test_undated_figures_sit_in_their_own_labelled_lane(tables, plots):
    """Figures with no as-of date used to sit right of the last date, where they read as 'later'."""
    groups, texts = _groups(plots[FIGURES]), _texts(plots[FIGURES])
    undated = [f for f in _persons(tables) if not (f["as_of_start"] or f["as_of_end"])]
    assert undated
    for f in _persons(tables):
        in_lane = any(g and g.startswith("no-as-of-date-") for g in groups[f["figure_id"]])
        assert in_lane == (f in undated), f["figure_id"]
    assert "No as-of date given" in texts


def test_value_axes_are_linear_with_plain_numbers(plots):
    """A log axis labelled 10^4 once for everything between 8,000 and 12,000: its ticks were mathtext."""
    texts = _texts(plots[FIGURES])
    assert "mathdefault" not in texts and "10^" not in texts
    assert re.search(r"\b\d{1,2},000\b", texts)


def test_every_event_is_shown_with_its_full_summary_claimant_and_sources(tables, plots):
    """The timeline used to leave out the events without a date and cut summaries at 90 characters."""
    groups, texts = _groups(plots[TIMELINE]), _texts(plots[TIMELINE])
    names = {a["actor_id"]: _label(a["name"], a["actor_id"]) for a in tables["actors"]}
    voices = {}
    for c in tables["citations"]:
        voices.setdefault(c["claim_id"], set()).add(c["voice"])
    said = set()
    for e in tables["events"]:
        assert e["event_id"] in groups
        assert " ".join(_label(e["summary"], e["event_id"]).split()) in texts, e["event_id"]
        # no claimant named: the source's own voice, or someone it leaves unnamed ("Media reports have indicated")
        who = names[e["claimant_actor_id"]] if e["claimant_actor_id"] else None
        who = who or (OWN_VOICE if "own_voice" in voices[e["event_id"]] else UNNAMED)
        said.add(who)
        assert f"{e['event_id']} · claimed by {who} · " in texts, e["event_id"]
        undated = not (e["date_start"] or e["date_end"])
        assert ("undated-events" in groups[e["event_id"]]) == undated, e["event_id"]
    assert "No date given in the sources" in texts
    assert {OWN_VOICE, UNNAMED} <= said


def test_the_dataset_version_is_on_every_plot(plots):
    for name in (FIGURES, TIMELINE):
        assert f"version {metadata.VERSION}" in _texts(plots[name]), name


def test_labels_next_to_the_same_spot_do_not_overlap():
    """Three claims of '2 captured' at one date used to print three labels on top of each other."""
    from matplotlib.text import Text

    from nk_troops.plot_common import place_labels, pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    place_labels(fig, ax, [(5, 2, f"2 captured\nfg-{i}", {"fontsize": 7}) for i in range(3)])
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]
    plt.close(fig)
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_hangul_names_and_summaries_draw_no_missing_glyph_and_dollars_no_formula(tables, plots):
    """An actor named, and an event summarised, in Hangul used to be drawn as empty boxes (with a warning).
    Matplotlib read text between two $ as a formula: a summary with "$\\nosuchcmd$" stopped the build with a
    traceback, and "$5 to $6" was drawn as "5to6" in italics. Record text is now drawn as written (one drawing for
    both: drawing the plots takes seconds). The same drawing has figures dated to a single day, written as a day and
    as a range of one day: the build stopped with a KeyError on them (found in review)."""
    edited = copy.deepcopy(tables)
    one_day = _persons(edited)[:2]
    for f, precision in zip(one_day, ("day", "range"), strict=True):
        f.update(as_of_start=date(2025, 2, 1), as_of_end=date(2025, 2, 1), as_of_precision=precision)
    claimants = list(dict.fromkeys(f["claimant_actor_id"] for f in _persons(edited) if f["claimant_actor_id"]))
    next(a for a in edited["actors"] if a["actor_id"] == claimants[0])["name"] = "국가정보원"
    next(a for a in edited["actors"] if a["actor_id"] == claimants[1])["name"] = "Ministry of $\\frac{1}{0}$"
    dated = [e for e in edited["events"] if e["date_start"] or e["date_end"]]
    dated[0]["summary"] = "북한군 포로 2명 생포"
    dated[1]["summary"] = "An incursion costing $\\alpha$ and $\\nosuchcmd$, budget $5 to $6 million"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        edited_plots = render_plots(edited)
    assert set(edited_plots) == set(plots)
    assert all(edited_plots[k] != plots[k] for k in plots)  # both plots show the edited labels (as ids)
    assert {f["figure_id"] for f in one_day} <= set(_groups(edited_plots[FIGURES]))  # each drawn as its point
