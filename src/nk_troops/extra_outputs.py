"""Generated documents beside the tables (codebook, citation files, plots).

Kept apart from build.py so each new document is one function here.
"""

from __future__ import annotations

from pathlib import Path

from .tables import Rows


def extra_outputs(root: Path, tables: dict[str, Rows], files: dict[str, bytes]) -> dict[str, bytes]:
    return {}
