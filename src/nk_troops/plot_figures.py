"""figures_by_claimant: who claimed how many North Korean troops, when, and how sure.

Every head-count figure is one point: its height the value on a linear axis, its colour the claimant, its marker
the qualifier (each qualifier its own shape), a pale bar the span of a vague as-of date, an arrow an "on or before"
date. Each point is labelled, next to it with a leader line, by its value, its sources ([n], keyed under the plot)
and its figure id. Figures whose source gives no as-of date sit in their own lane, left of the time axis, so they
do not read as earlier or later than anything. In the SVG each point's group has the figure id as its id.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .plot_common import (
    ARROWS,
    GREY,
    ArrowGlyph,
    Claimants,
    SourceKey,
    draw_open_date,
    footer,
    legend_handler_map,
    mid,
    num,
    place_labels,
    pyplot,
    save,
    wrap,
)
from .tables import Rows

# A filled upward arrow: "more than" must not share the triangle of "at least".
_UP_ARROW = [(0, 1), (0.9, 0.05), (0.35, 0.05), (0.35, -1), (-0.35, -1), (-0.35, 0.05), (-0.9, 0.05), (0, 1)]
QUALIFIER_MARKERS: dict[str, Any] = {
    "exact": "s",
    "unhedged": "P",
    "approximately": "o",
    "at_least": "^",
    "more_than": _UP_ARROW,
    "up_to": "v",
    "range": "D",
}
QUALIFIER_LABELS = {
    "exact": "exact (stated as exact)",
    "unhedged": "no hedge given (not exact)",
    "approximately": "approximately (~)",
    "at_least": "at least (≥)",
    "more_than": "more than (>)",
    "up_to": "up to (≤)",
    "range": "range (low–high, with a line)",
}
_SIGN = {
    "approximately": "~",
    "at_least": "≥",
    "more_than": ">",
    "up_to": "≤",
    "exact": "",
    "unhedged": "",
    "range": "",
}
UNDATED_LANE = "no-as-of-date"
"""The SVG id of the lane of figures with no as-of date (one per panel, numbered)."""
PANELS = [
    ("Troops deployed or still fighting", ("deployed", "fighting")),
    ("Casualties: killed, wounded, killed or wounded", ("killed", "wounded", "killed_or_wounded")),
    ("Captured", ("captured",)),
]


def _value(f: dict[str, Any]) -> float:
    return f["value"] if f["value"] is not None else (f["value_low"] + f["value_high"]) / 2


def value_text(f: dict[str, Any]) -> str:
    if f["value"] is None:
        return f"{f['value_low']:,.0f}–{f['value_high']:,.0f}"
    return f"{_SIGN[f['qualifier']]}{f['value']:,.0f}"


def _months(lo: date, hi: date) -> list[date]:
    return [date(y, m, 1) for y in range(lo.year, hi.year + 1) for m in range(1, 13) if lo <= date(y, m, 1) <= hi]


def figures_by_claimant(tables: dict[str, Rows]) -> tuple[bytes, bytes]:
    plt = pyplot()
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    names = Claimants(tables)
    sources = SourceKey(tables)
    figures = sorted((f for f in tables["figures"] if f["unit"] == "persons"), key=lambda f: f["figure_id"])
    claimants = sorted({names.of(f["figure_id"], f["claimant_actor_id"]) for f in figures})
    cmap = plt.get_cmap("tab10")
    colour = {c: cmap(i % 10) for i, c in enumerate(claimants)}
    days = [d for f in figures for d in (f["as_of_start"], f["as_of_end"]) if d]
    lo, hi = (min(days), max(days)) if days else (date(2024, 8, 1), date(2025, 3, 1))
    lo, hi = date(lo.year, lo.month, 1) - timedelta(days=40), hi + timedelta(days=60)

    fig = plt.figure(figsize=(13, 14))
    grid = fig.add_gridspec(len(PANELS), 2, width_ratios=[1.25, 3.4], wspace=0.06, hspace=0.28, bottom=0.23, top=0.94)
    plain = FuncFormatter(lambda v, _: f"{v:,.0f}")
    for row, (title, measures) in enumerate(PANELS):
        lane = fig.add_subplot(grid[row, 0])
        ax = fig.add_subplot(grid[row, 1], sharey=lane)
        rows = [f for f in figures if f["measure"] in measures]
        top = max((v for f in rows for v in (f["value"], f["value_high"]) if v is not None), default=1)
        lane.set_ylim(0, top * 1.45 if top >= 10 else top * 2)
        lane.yaxis.set_major_formatter(plain)
        lane.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))
        lane.set_ylabel("persons, as claimed")
        lane.set_xlim(0, 1)
        lane.set_xticks([])
        lane.set_facecolor("#f2f2f2")
        lane.set_gid(f"{UNDATED_LANE}-{row}")
        lane.set_title("No as-of date given", fontsize=9, color=GREY)
        ax.set_xlim(lo, hi)
        ax.set_xticks(_months(lo, hi))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        ax.tick_params(axis="y", labelleft=False)
        ax.grid(axis="y", alpha=0.3)
        lane.grid(axis="y", alpha=0.3)
        ax.set_title(f"{title}, by as-of date", loc="left", fontsize=10)
        undated = [f for f in rows if not (f["as_of_start"] or f["as_of_end"])]
        labels: dict[Any, list] = {lane: [], ax: []}
        placed: dict[Any, list] = {lane: [], ax: []}
        for f in rows:
            who = names.of(f["figure_id"], f["claimant_actor_id"])
            start, end, y = f["as_of_start"], f["as_of_end"], _value(f)
            target, at = (lane, 0.1) if f in undated else (ax, mid(start, end))
            x = _apart(target, at, y, placed[target])
            if start and end and start != end:
                ax.plot([start, end], [y, y], color=colour[who], lw=5, alpha=0.3, solid_capstyle="butt")
            elif f["as_of_precision"] in ARROWS:  # open-ended; a single day is the point alone
                draw_open_date(ax, f["as_of_precision"], start, end, y, colour[who], days=24)
            if f["value_low"] is not None and f["value_high"] is not None:
                target.plot([x, x], [f["value_low"], f["value_high"]], color=colour[who], lw=1.2)
            point = target.scatter(
                [x],
                [y],
                marker=QUALIFIER_MARKERS[f["qualifier"]],
                s=70,
                color=colour[who],
                edgecolor="black",
                linewidth=0.6,
                zorder=4,
            )
            point.set_gid(f["figure_id"])
            text = f"{value_text(f)} {f['measure'].replace('_', ' ')} {sources.refs(f['figure_id'])}\n{f['figure_id']}"
            labels[target].append((x, y, text))
        for target, points in labels.items():
            place_labels(fig, target, [(x, y, t, {"fontsize": 7}) for x, y, t in points])

    handles = [
        Line2D([], [], marker="o", ls="", ms=8, color=colour[c], mec="black", mew=0.6, label=c) for c in claimants
    ]
    qualifiers = [
        Line2D([], [], marker=m, ls="", ms=8, color="white", mec="black", label=QUALIFIER_LABELS[q])
        for q, m in QUALIFIER_MARKERS.items()
    ]
    dates = [
        Line2D([], [], color=GREY, lw=5, alpha=0.3, solid_capstyle="butt", label="span of a vague date (point at mid)"),
        ArrowGlyph(ARROWS["on_or_before"], GREY, "on or before a day"),
        Line2D([], [], marker="o", ls="", ms=0, label="no line: a single day"),
    ]
    common = {
        "loc": "upper left",
        "fontsize": 8,
        "frameon": False,
        "alignment": "left",
        "title_fontproperties": {"weight": "bold", "size": 8},
    }
    for x, title, entries in [(0.02, "Claimant (colour)", handles), (0.38, "Qualifier (marker)", qualifiers)]:
        fig.add_artist(fig.legend(handles=entries, title=title, bbox_to_anchor=(x, 0.185), **common))
    fig.legend(
        handles=dates,
        title="As-of date (line)",
        bbox_to_anchor=(0.64, 0.185),
        handler_map=legend_handler_map(),
        **common,
    )
    fig.suptitle(
        "North Korean troops: who claimed how many, when, and how sure (figures as claimed, not reconciled)",
        x=0.02,
        ha="left",
        fontsize=12,
    )
    shares = len([f for f in tables["figures"] if f["unit"] != "persons"])
    notes = ["Sources: " + wrap("; ".join(sources.key()), 170)]
    if shares:
        notes.append(f"Not shown: {shares} figure(s) stated as a share, not a head count (see figures.csv).")
    footer(fig, "table figures", notes)
    data = save(fig)
    plt.close(fig)
    return data


def _apart(ax, x: Any, y: float, placed: list[tuple[float, float]]) -> float:
    """``x``, moved right just enough that its marker does not hide one drawn before (two claims of 2 captured in
    mid-January would otherwise be one square)."""
    px, py = ax.transData.transform((num(x), y))
    while any(abs(px - qx) < 13 and abs(py - qy) < 13 for qx, qy in placed):
        px += 14
    placed.append((px, py))
    return float(ax.transData.inverted().transform((px, py))[0])
