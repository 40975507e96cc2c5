"""`nk-troops check-tables`: the vectorised engine on a data package's CSV tables.

Wired into the main command line by ``cli.py`` calling :func:`register`. Exit
codes as for ``validate``: 0 valid, 1 problems found (all reported), 2 wrong use.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import NoReturn


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``check-tables`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "check-tables",
        help="check the published CSV tables of a data package with the vectorised engine (fast at any size)",
        description="Check every table of a data package (types, constraints, keys, foreign keys, rules between "
        "fields, citation coverage, excerpts in the archived texts) and report every problem.",
    )
    p.add_argument(
        "--package",
        default="datapackage.json",
        help="datapackage.json of the package, or its folder (default: ./datapackage.json)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text for people (default), json (stable shape, see README), github (Actions annotations)",
    )
    p.add_argument("--workers", type=int, default=2, help="threads to use (default 2)")
    p.add_argument("--no-hash", action="store_true", help="skip checking the tables' sha256 against datapackage.json")
    p.set_defaults(func=run, fast_start=fast_start, fast_exit=fast_exit)  # cli.main calls them around the command
    return p


def run(args: argparse.Namespace) -> int:
    from .. import problems as P
    from . import validate_tables

    path = Path(args.package)
    if path.is_dir():
        path = path / "datapackage.json"
    if not path.exists():  # a FIFO or a folder there is reported (and never opened) by the engine
        print(f"nk-troops: '{path}' does not exist; pass --package PATH/TO/datapackage.json", file=sys.stderr)
        return 2
    started = time.perf_counter()
    stats: dict = {}
    problems = validate_tables(path, workers=args.workers, check_hash=not args.no_hash, stats=stats)
    report = P.Report(problems=problems, counts=stats.get("tables", {}))
    print(report.render(args.format))
    if args.format == "text":
        seconds = time.perf_counter() - started
        rows = stats.get("rows", 0)
        print(f"({rows:,} rows in {seconds:.2f} s, {rows / max(seconds, 1e-9):,.0f} rows/s)", file=sys.stderr)
    return 0 if report.ok else 1


def fast_start() -> None:
    """Call once in a short-lived command-line process, before anything converts data (``cli.main`` does,
    for ``check-tables``, when it runs as the ``nk-troops`` command: not when called with arguments in-process).

    pyarrow looks for pandas the first time it converts anything and imports it if it is
    installed (about 0.3 s); no command of this package needs pandas, so the process is told it
    is absent. Not for library use: a process that wants ``Table.to_pandas()`` must not call this.
    """
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


def fast_exit(code: int) -> NoReturn:
    """End a command-line process at once, its output flushed, skipping the interpreter's teardown (freeing
    every module, Arrow's memory pool and polars' threads: measured 0.1 s after checking the real dataset,
    0.2-0.3 s after 1M rows per table). ``cli.main`` calls it for ``check-tables`` when it runs as the
    command, once the report is printed; never for in-process callers, whose process goes on."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader stopped early (`nk-troops check-tables | head`)
        os._exit(141)
    os._exit(code)


class _NoPandas:
    """An import finder that says pandas is not installed."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (nk-troops does not need pandas)", name=name)
        return None


def main(argv: list[str] | None = None) -> int:
    """Run ``check-tables`` on its own: ``python -m nk_troops.engine.cli --package ...``. As a process of its own
    (no ``argv``) it sets the process up and ends it as ``nk-troops check-tables`` does; called with ``argv``, neither."""
    if argv is None:
        fast_start()
    parser = argparse.ArgumentParser(prog="nk-troops")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    args = parser.parse_args(["check-tables", *(sys.argv[1:] if argv is None else argv)])
    code = args.func(args)
    if argv is None:
        fast_exit(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
