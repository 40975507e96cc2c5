"""The `nk-troops` command line: validate, build.

Exit codes: 0 valid / built; 1 the data has problems (all reported); 2 the
command itself was used wrongly (bad option, not a dataset folder).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__


class UsageError(Exception):
    """The command was used wrongly (exit 2), as opposed to the data having problems (exit 1)."""


def _root(value: str | None) -> Path:
    root = Path(value) if value else Path.cwd()
    if not (root / "dataset" / "records").is_dir():
        raise UsageError(
            f"'{root}' is not the dataset's folder (no dataset/records/ in it); run from the repository root or pass --root DIR"
        )
    return root


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    started = time.perf_counter()
    report = validate(_root(args.root), records_only=args.records_only)
    print(report.render(args.format))
    if args.format == "text":
        print(f"({time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    started = time.perf_counter()
    report, changed = build(_root(args.root), check=args.check)
    print(report.render(args.format))
    if not report.ok and args.format == "text":
        print("nothing was published" if not args.check else "the published files are not what the records build")
    if report.ok and args.format == "text":
        if args.check:
            print("published files are up to date with the records")
        else:
            print(
                f"{len(changed)} file(s) written" + (": " + ", ".join(changed) if changed else " (already up to date)")
            )
        print(f"({time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return 0 if report.ok else 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nk-troops", description="Validate and build the North Korean troops dataset.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--root", help="repository folder (default: the current folder)")
        sp.add_argument(
            "--format",
            choices=("text", "json", "github"),
            default="text",
            help="text for people (default), json (stable shape: docs/validation.md), github (Actions annotations)",
        )

    v = sub.add_parser(
        "validate",
        help="check the records and the archived sources, and whether the published files need a build; "
        "report every error (renders nothing: fast)",
    )
    common(v)
    v.add_argument(
        "--records-only",
        action="store_true",
        help="check only the records and archived sources; do not compare with what the last build published",
    )
    v.set_defaults(func=cmd_validate)

    b = sub.add_parser(
        "build",
        help="validate, render every published file, check the result with frictionless-py and check-tables, "
        "then replace the files that changed",
    )
    common(b)
    b.add_argument(
        "--check", action="store_true", help="write nothing; fail if any published file is not what the records build"
    )
    b.set_defaults(func=cmd_build)

    from . import citation, diff, engine, release

    for module in (citation, diff, release, engine):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if argv is None and getattr(args, "fast_start", None):  # a process of its own (the console script): the
        args.fast_start()  # process-wide set-up the command asks for (check-tables: no pandas); never for in-process callers
    try:
        code = args.func(args)
    except UsageError as e:
        print(f"nk-troops: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early (`nk-troops validate | head`): not an error of ours to show
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that flushing at exit does not fail again
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe
    if argv is None and getattr(args, "fast_exit", None):  # check-tables: end the process now, skipping teardown
        args.fast_exit(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
