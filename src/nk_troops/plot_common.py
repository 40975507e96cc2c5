"""What the two plots share: a deterministic matplotlib, labels the font can draw, the source key, the version
footer, legend glyphs that are the glyphs drawn, and labels placed next to their points without overlapping.

Both plots are written as PNG (Agg, no software metadata) and SVG (a fixed ``svg.hashsalt``, no date or creator,
text as paths so it looks the same without the font): the same tables give the same bytes on every machine. Text
drawn as paths is still in the SVG, as a comment before its glyphs, and every plotted record's artist carries the
record's id as its SVG ``id`` (``set_gid``), so a page can link to it.
"""

from __future__ import annotations

import functools
import io
import textwrap
from datetime import date, timedelta
from typing import Any

from . import metadata
from .claimants import nobody_named, voices_by_claim
from .tables import Rows

GREY = "#555555"


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Matplotlib's own defaults, not a matplotlibrc found in the working folder, $MATPLOTLIBRC or the user's
    # configuration: the published plots must be the same bytes wherever they are built.
    matplotlib.rcdefaults()
    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": metadata.NAME,  # ids of clip paths and glyphs derive from it, not from a random salt
            "svg.fonttype": "path",  # the same look in every browser, whatever fonts it has
            "text.parse_math": False,  # record text is drawn as written: "$5 to $6" is no formula, "$\\x$" no crash
        }
    )
    return plt


@functools.lru_cache(maxsize=1)
def _drawable_code_points() -> frozenset[int]:
    """The characters the plots' font has glyphs for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(font_manager.findfont("DejaVu Sans", fallback_to_default=False)).get_charmap())


def label(text: str, fallback: str) -> str:
    """``text`` on one line (a line break, which texts may hold, would spill onto the next row) if the font can
    draw every character of it, else ``fallback`` (an id)."""
    drawable = _drawable_code_points()
    text = text.replace("\n", " ")
    return text if all(ord(ch) in drawable for ch in text) else fallback


def wrap(text: str, width: int) -> str:
    """``text`` broken at spaces only (never inside a word or a hyphenated name), nothing dropped."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False))


def mid(start: date | None, end: date | None) -> date | None:
    if start and end:
        return start + (end - start) / 2
    return end or start


class Claimants:
    """Who makes each claim, as the plots name them: the actor's name (else its id); for a claim that names no
    claimant, what its citations' voices say (claimants.nobody_named)."""

    def __init__(self, tables: dict[str, Rows]):
        self.names = {a["actor_id"]: label(a["name"], a["actor_id"]) for a in tables["actors"]}
        self.voices = voices_by_claim(tables["citations"])

    def of(self, claim_id: str, actor_id: str | None) -> str:
        return self.names.get(actor_id, actor_id) if actor_id else nobody_named(self.voices.get(claim_id, ()))


class SourceKey:
    """Every source numbered once, in source_id order, the same numbers in both plots: ``[2]`` by a point, and the
    key under the plot saying which source [2] is."""

    def __init__(self, tables: dict[str, Rows]):
        self.number = {s: i for i, s in enumerate(sorted(s["source_id"] for s in tables["sources"]), 1)}
        self.outlet = {s["source_id"]: s["outlet"] for s in tables["sources"]}
        self.of_claim: dict[str, list[str]] = {}
        for c in sorted(tables["citations"], key=lambda c: self.number.get(c["source_id"], 0)):
            cited = self.of_claim.setdefault(c["claim_id"], [])
            if c["source_id"] not in cited:
                cited.append(c["source_id"])
        self.used: set[str] = set()

    def refs(self, claim_id: str) -> str:
        cited = self.of_claim.get(claim_id, [])
        self.used.update(cited)
        return "[" + ", ".join(str(self.number[s]) for s in cited) + "]" if cited else "[no source]"

    def key(self) -> list[str]:
        """One entry per source referred to so far."""
        lines = []
        for source_id in sorted(self.used, key=self.number.__getitem__):
            outlet = self.outlet.get(source_id)
            entry = f"[{self.number[source_id]}] {source_id}" + (f" ({outlet})" if outlet else "")
            lines.append(entry.replace(" ", "\u00a0"))  # no-break spaces: wrapping never parts [n] from its source
        return lines


def footer(fig, what: str, notes: list[str]) -> None:
    """The sources key, the notes and the dataset version, under everything else in the figure."""
    text = "\n".join([*notes, f"Dataset {metadata.NAME} version {metadata.VERSION}, {what}; built by nk-troops."])
    fig.text(0.01, 0.005, text, fontsize=7, color=GREY, va="bottom", ha="left", linespacing=1.5)


ARROWS = {"on_or_before": "<-[", "on_or_after": "]->"}
"""The arrow drawn for an open-ended date: a bracket at the known bound, the head towards the unknown side."""


def draw_open_date(ax, precision: str, start, end, y, colour, days: int, gid: str | None = None):
    from matplotlib.patches import FancyArrowPatch

    if precision == "on_or_before":
        a, b = end - timedelta(days=days), end
    else:
        a, b = start, start + timedelta(days=days)
    arrow = FancyArrowPatch(
        (a, y), (b, y), arrowstyle=ARROWS[precision], mutation_scale=9, color=colour, lw=1.2, shrinkA=0, shrinkB=0
    )
    if gid:
        arrow.set_gid(gid)
    ax.add_patch(arrow)
    return arrow


class ArrowGlyph:
    """A legend entry drawn as the arrow the plot draws (not a bar or a line standing in for it)."""

    def __init__(self, style: str, colour: str, text: str):
        self.style, self.colour, self.text = style, colour, text

    def get_label(self) -> str:
        return self.text


def legend_handler_map() -> dict[type, Any]:
    from matplotlib.legend_handler import HandlerBase
    from matplotlib.patches import FancyArrowPatch

    class _Handler(HandlerBase):
        def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
            y = height / 2 - ydescent
            arrow = FancyArrowPatch(
                (-xdescent, y),
                (width - xdescent, y),
                arrowstyle=orig_handle.style,
                mutation_scale=9,
                color=orig_handle.colour,
                lw=1.2,
                shrinkA=0,
                shrinkB=0,
                transform=trans,
            )
            return [arrow]

    return {ArrowGlyph: _Handler()}


def place_labels(fig, ax, points: list[tuple[Any, float, str, dict[str, Any]]]) -> None:
    """Annotate each point (x, y, text, text kwargs) with a label near it and a leader line to it, trying offsets
    in turn until the label stays inside the axes and overlaps no other point and no label placed before, and its
    leader passes no other point (else the first that at least overlaps nothing). A point with a neighbour on its
    right tries the left side first."""
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    at = [tuple(ax.transData.transform((num(x), y))) for x, y, _, _ in points]
    taken = [_point_box(px, py, 6) for px, py in at]
    right = [(12, 8), (12, -8), (12, 24), (12, -24), (12, 40), (12, -40), (12, 56), (12, -56)]
    left = [(-dx, dy) for dx, dy in right]
    for i, (x, y, text, kwargs) in enumerate(points):
        px, py = at[i]
        # Points drawn on top of this one cannot be kept clear of its leader; the others can.
        others = [q for j, q in enumerate(at) if j != i and not (abs(q[0] - px) < 9 and abs(q[1] - py) < 9)]
        crowded_right = any(0 < qx - px < 60 and abs(qy - py) < 20 for qx, qy in others)
        offsets = [o for pair in zip(*((left, right) if crowded_right else (right, left)), strict=True) for o in pair]
        best: tuple[int, tuple[int, int]] | None = None
        for dx, dy in offsets:
            box, corner = _text_box(ax, renderer, text, (x, y), (dx, dy), kwargs)
            fits = inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
            clear = fits and not any(box.overlaps(other) for other in taken)
            crossing = any(_passes(corner, (px, py), q) for q in others)
            rank = 0 if clear and not crossing else 1 if clear else 2
            if best is None or rank < best[0]:
                best = (rank, (dx, dy))
            if rank == 0:
                break
        assert best is not None
        _annotate(ax, text, (x, y), best[1], kwargs)
        taken.append(_text_box(ax, renderer, text, (x, y), best[1], kwargs)[0])


def _annotate(ax, text: str, xy: tuple[Any, float], offset: tuple[int, int], kwargs: dict[str, Any]):
    dx, dy = offset
    return ax.annotate(
        text,
        xy,
        xytext=offset,
        textcoords="offset points",
        ha="left" if dx > 0 else "right",
        va="bottom" if dy > 0 else "top",
        arrowprops={"arrowstyle": "-", "color": GREY, "lw": 0.6, "shrinkA": 1, "shrinkB": 4},
        **kwargs,
    )


def _text_box(ax, renderer, text, xy, offset, kwargs):
    """Where the label would be (its text alone, not its leader), and the corner its leader starts from."""
    from matplotlib.text import Text

    note = _annotate(ax, text, xy, offset, kwargs)
    note.update_positions(renderer)
    box = Text.get_window_extent(note, renderer).expanded(1.04, 1.1)
    note.remove()
    dx, dy = offset
    return box, (box.x0 if dx > 0 else box.x1, box.y0 if dy > 0 else box.y1)


def _point_box(px: float, py: float, r: float):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(px - r, py - r, px + r, py + r)


def _passes(a: tuple[float, float], b: tuple[float, float], q: tuple[float, float]) -> bool:
    """Whether the segment from ``a`` to ``b`` passes within 9 pixels of ``q``."""
    steps = 24
    return any(
        abs(a[0] + (b[0] - a[0]) * k / steps - q[0]) < 9 and abs(a[1] + (b[1] - a[1]) * k / steps - q[1]) < 9
        for k in range(steps + 1)
    )


def num(x: Any) -> float:
    """A date as matplotlib's number for it; a number as itself."""
    import matplotlib.dates as mdates

    return mdates.date2num(x) if isinstance(x, date) else x


def save(fig) -> tuple[bytes, bytes]:
    """The figure as PNG and SVG bytes, with nothing in them that changes from one build to the next. Both are
    cut to one tight box, laid out once (``bbox_inches="tight"`` would lay the figure out again for each)."""
    import matplotlib as mpl

    png, svg = io.BytesIO(), io.BytesIO()
    fig.draw_without_rendering()
    box = fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
    fig.savefig(png, format="png", dpi=110, metadata={"Software": None}, bbox_inches=box)
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=box)
    return png.getvalue(), svg.getvalue()
