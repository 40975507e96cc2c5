"""Validate, build and partition the published tables at scale (see core.py for the design).

``validate_tables`` (core.py), ``build_tables`` (build.py), ``write_partitioned`` (writer.py) (the ``check-tables`` command is in ``nk_troops.cli``).

Heavy libraries (pyarrow, numpy) are imported only when a function here is called.
"""

from __future__ import annotations

from typing import Any


def validate_tables(package: Any, **kwargs: Any):
    from .core import validate_tables as run

    return run(package, **kwargs)


def write_partitioned(table_or_path: Any, out_dir: Any, by: str = "year", **kwargs: Any):
    from .writer import write_partitioned as run

    return run(table_or_path, out_dir, by, **kwargs)


def build_tables(package: Any, out_dir: Any, **kwargs: Any):
    from .build import build_tables as run

    return run(package, out_dir, **kwargs)


__all__ = ["validate_tables", "write_partitioned", "build_tables"]
