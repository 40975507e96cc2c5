"""events_timeline: what happened when, as claimed, by whom, from which source: every event of the events table.

A dated event is one row: a dot for a day, a bar from the earliest to the latest possible day for a vague date
("mid-January 2025"), an arrow for "on or before" (bracket at the day, head towards the unknown earlier side) or
"on or after". Its full summary sits right beside its glyph, with its id, claimant and sources ([n], keyed under
the plot) beneath. Events the sources give no date for are listed apart, below, not placed in time. In the SVG
each event's glyph (or, for an undated event, its text) has the event id as its id.
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
    label,
    legend_handler_map,
    pyplot,
    save,
    wrap,
)
from .tables import Rows

INK = "#1f4e79"
UNDATED_LIST = "undated-events"
"""The SVG id of the list of events with no date."""
ROW_INCHES = 0.56
_DATED_WIDTH = 95
_UNDATED_WIDTH = 100


def _anchor(e: dict[str, Any]) -> date:
    """The day the event's label starts right of: the end of its glyph."""
    start, end = e["date_start"], e["date_end"]
    if start and end:
        return end + timedelta(days=1)
    if end:
        return end
    return start + timedelta(days=30)


def _meta(e: dict[str, Any], names: Claimants, sources: SourceKey) -> str:
    who = names.of(e["event_id"], e["claimant_actor_id"])
    return f"{e['event_id']} · claimed by {who} · sources {sources.refs(e['event_id'])}"


def _draw_dated(ax, events: list[dict[str, Any]], names, sources) -> None:
    for y, e in enumerate(events):
        start, end = e["date_start"], e["date_end"]
        if start and end and start == end:
            glyph = ax.scatter([start], [y], color=INK, s=30, zorder=3)
        elif start and end:
            (glyph,) = ax.plot([start, end + timedelta(days=1)], [y, y], color=INK, lw=6, solid_capstyle="butt")
        else:
            glyph = draw_open_date(ax, e["date_precision"], start, end, y, INK, days=30)
        glyph.set_gid(e["event_id"])
        x = _anchor(e)
        summary = wrap(f"{e['date_text']}: {label(e['summary'], e['event_id'])}", _DATED_WIDTH)
        ax.annotate(summary, (x, y), xytext=(6, 1.5), textcoords="offset points", va="bottom", fontsize=7.5)
        ax.annotate(
            _meta(e, names, sources), (x, y), xytext=(6, -2.5), textcoords="offset points", va="top", fontsize=6.5
        ).set_color(GREY)


def _draw_undated(ax, events: list[dict[str, Any]], names, sources) -> None:
    per_column = (len(events) + 1) // 2
    ax.set_xlim(0, 2)
    ax.set_ylim(max(per_column, 1), -0.2)
    ax.axis("off")
    for i, e in enumerate(events):
        x, y = i // per_column, i % per_column
        text = ax.text(x, y, wrap("• " + label(e["summary"], e["event_id"]), _UNDATED_WIDTH), va="top", fontsize=7.5)
        text.set_gid(e["event_id"])
        ax.annotate(
            _meta(e, names, sources),
            (x, y),
            xytext=(7, -1 - 10 * (text.get_text().count("\n") + 1)),
            textcoords="offset points",
            va="top",
            fontsize=6.5,
            color=GREY,
        )


def _months(lo: date, hi: date) -> list[date]:
    return [date(y, m, 1) for y in range(lo.year, hi.year + 1) for m in range(1, 13) if lo <= date(y, m, 1) <= hi]


def events_timeline(tables: dict[str, Rows]) -> tuple[bytes, bytes]:
    plt = pyplot()
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    names = Claimants(tables)
    sources = SourceKey(tables)
    dated = sorted(
        (e for e in tables["events"] if e["date_start"] or e["date_end"]),
        key=lambda e: (e["date_start"] or e["date_end"], e["date_end"] or e["date_start"], e["event_id"]),
    )
    undated = sorted(
        (e for e in tables["events"] if not (e["date_start"] or e["date_end"])), key=lambda e: e["event_id"]
    )
    days = [d for e in dated for d in (e["date_start"], e["date_end"]) if d]
    lo, hi = (min(days), max(days)) if days else (date(2024, 8, 1), date(2025, 3, 1))
    lo, hi = date(lo.year, lo.month, 1) - timedelta(days=12), hi + timedelta(days=10)

    dated_h = ROW_INCHES * max(len(dated), 1) + 0.6
    undated_h = 0.55 * ((len(undated) + 1) // 2) + 0.6
    height = dated_h + undated_h + 2.8
    fig = plt.figure(figsize=(15, height))
    top = 1 - 1.25 / height
    grid = fig.add_gridspec(2, 1, height_ratios=[dated_h, undated_h], hspace=0.1, top=top, bottom=0.9 / height)
    ax = fig.add_subplot(grid[0])
    ax.set_ylim(len(dated) - 0.4, -0.8)
    ax.set_xlim(lo, hi + (hi - lo) * 0.95)  # right of the last day: room for the labels, no ticks
    ax.set_xticks(_months(lo, hi))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.xaxis.tick_top()
    ax.spines["bottom"].set_visible(False)
    ax.spines["top"].set_visible(True)
    ax.spines["top"].set_bounds(mdates.date2num(lo), mdates.date2num(hi))
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    _draw_dated(ax, dated, names, sources)

    glyphs: list[Any] = [
        Line2D([], [], marker="o", ls="", ms=5, color=INK, label="a day"),
        Line2D([], [], color=INK, lw=6, solid_capstyle="butt", label="a vague date: earliest to latest possible day"),
    ]
    glyphs += [
        ArrowGlyph(ARROWS[p], INK, p.replace("_", " ") + " a day")
        for p in ("on_or_before", "on_or_after")
        if any(e["date_precision"] == p for e in dated)
    ]
    fig.legend(
        handles=glyphs,
        title="Date as given",
        loc="lower left",
        bbox_to_anchor=(0.02, top + 0.35 / height),
        ncol=len(glyphs),
        fontsize=8,
        frameon=False,
        alignment="left",
        title_fontproperties={"weight": "bold", "size": 8},
        handler_map=legend_handler_map(),
    )
    fig.suptitle(
        f"Events as claimed: what happened when, who says so, from which source ({len(tables['events'])} events)",
        x=0.02,
        y=1 - 0.15 / height,
        ha="left",
        fontsize=12,
    )
    below = fig.add_subplot(grid[1])
    below.set_gid(UNDATED_LIST)
    below.set_title(
        f"No date given in the sources: {len(undated)} event(s), listed here, not placed in time",
        loc="left",
        fontsize=10,
    )
    _draw_undated(below, undated, names, sources)
    footer(fig, "table events", ["Sources: " + wrap("; ".join(sources.key()), 200)])
    data = save(fig)
    plt.close(fig)
    return data
