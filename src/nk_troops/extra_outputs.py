"""Generated documents beside the tables (codebook, rules, citation files, plots, the SQLite database, the static
site).

Kept apart from build.py so each new document is one line here.
"""

from __future__ import annotations

from pathlib import Path

from .citation import citation_files
from .codebook import CODEBOOK_PATH, render_codebook
from .plots import render_plots
from .rules_doc import RULES_DOC_PATH, render_rules
from .site import render_site
from .sqlite_export import SQLITE_PATH, to_sqlite
from .tables import Rows


def extra_outputs(root: Path, tables: dict[str, Rows]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    out[CODEBOOK_PATH] = render_codebook({name: len(rows) for name, rows in tables.items()}).encode("utf-8")
    out[RULES_DOC_PATH] = render_rules().encode("utf-8")
    out.update(citation_files())
    plots = render_plots(tables)
    out.update(plots)
    out.update(render_site(root, tables, plots=plots))
    out[SQLITE_PATH] = to_sqlite(tables)
    return out
