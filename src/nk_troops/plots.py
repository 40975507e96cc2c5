"""The plots the build publishes (docs/plots/), each as PNG and SVG, each answering one question:

* figures_by_claimant: who claimed how many North Korean troops, when, and how sure (plot_figures.py).
* events_timeline: what happened when, as claimed, by whom and from which source; every event (plot_timeline.py).

The bytes are deterministic (plot_common.py). The font is the DejaVu Sans that ships with matplotlib, the same on
every machine; it has no Hangul or CJK glyphs, so a name or summary it cannot draw is labelled by its id instead
(ids are ASCII), never drawn as empty boxes.
"""

from __future__ import annotations

from .descriptor import PLOTS_DIR
from .plot_common import label as _label
from .plot_figures import figures_by_claimant
from .plot_timeline import events_timeline
from .tables import Rows

PLOTS = {"figures_by_claimant": figures_by_claimant, "events_timeline": events_timeline}
"""Each published plot's name (docs/plots/<name>.png and .svg) and the function that draws it."""
__all__ = ["PLOTS", "PLOTS_DIR", "_label", "render_plots"]


def render_plots(tables: dict[str, Rows]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for name, draw in PLOTS.items():
        out[f"{PLOTS_DIR}/{name}.png"], out[f"{PLOTS_DIR}/{name}.svg"] = draw(tables)
    return out
