"""The `nk-troops` command line: every command, in this one module.

validate, build, check-tables, diff, release, cite, add-source and site. Each command parses its
options here and calls the library function that does the work.

Exit codes, the same for every command: 0 valid / done; 1 the data has
problems (all reported, or the release was refused); 2 the command itself was
used wrongly (bad option, not a dataset folder, a package or version that
cannot be read): one line on stderr, ``nk-troops: ...`` (raise UsageError).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from . import __version__
from .no_pandas import WITHOUT_PANDAS, NoPandas


class UsageError(Exception):
    """The command was used wrongly (exit 2), as opposed to the data having problems (exit 1)."""


MAX_WORKERS = 64
ROOT_HELP = "repository folder (default: the current folder)"
FORMAT_HELP = "text for people (default), json (stable shape: docs/validation.md), github (Actions annotations)"


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
    report, changed = build(root := _root(args.root), check=args.check)
    removed = [rel for rel in changed if not (root / rel).exists() and not (root / rel).is_symlink()]
    print(report.render(args.format))
    if not report.ok and args.format == "text":
        print("nothing was published" if not args.check else "the published files are not what the records build")
    if report.ok and args.format == "text":
        if args.check:
            print("published files are up to date with the records")
        else:
            written = [rel for rel in changed if rel not in removed]
            said = [f"{len(written)} file(s) written" + (": " + ", ".join(written) if written else "")]
            said += [f"{len(removed)} removed: " + ", ".join(removed)] if removed else []
            print("; ".join(said) + ("" if changed else " (already up to date)"))
        print(f"({time.perf_counter() - started:.2f} s)", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_check_tables(args: argparse.Namespace) -> int:
    from . import problems as P
    from .engine import validate_tables

    if not 1 <= args.workers <= MAX_WORKERS:
        raise UsageError(f"--workers takes a whole number from 1 to {MAX_WORKERS}")
    path = Path(args.package)
    if path.is_dir():
        path = path / "datapackage.json"
    if not path.exists():  # a FIFO or a folder there is reported (and never opened) by the engine
        raise UsageError(f"'{path}' does not exist; pass --package PATH/TO/datapackage.json")
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


def cmd_diff(args: argparse.Namespace) -> int:
    import json

    from .diff import compare, render_text
    from .snapshot import SnapshotError, load

    root = Path(args.root) if args.root else Path.cwd()
    try:
        old = load(args.old, root)
        new = load(args.new, root) if args.new else load(str(root), root)
    except SnapshotError as e:
        raise UsageError(f"diff: {e}") from None
    diff = compare(old, new)
    print(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) if args.format == "json" else render_text(diff))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .release import CHANGELOG, ReleaseError, misuse, release, verify

    root = _root(args.root)
    if wrong := misuse(root, args.version, verify=args.verify):
        raise UsageError(f"release: {wrong}")
    if args.verify:
        try:
            zip_path, differences = verify(root, args.version)
        except ReleaseError as e:
            print(f"nk-troops release: cannot verify: {e}", file=sys.stderr)
            return 1
        for d in differences:
            print(f"  {d}", file=sys.stderr)
        if differences:
            print(f"nk-troops release: these files are NOT release {args.version} (no zip written)", file=sys.stderr)
            return 1
        print(f"{zip_path.relative_to(root)} is release {args.version}, byte for byte (releases/{args.version}.json)")
        return 0
    try:
        done = release(root, args.version, args.since)
    except ReleaseError as e:
        print(f"nk-troops release: refused: {e}", file=sys.stderr)
        return 1
    since = (
        f" ({done.bump} release after {done.previous}; the changes need {done.required})"
        if done.previous
        else " (first release)"
    )
    print(f"released {done.version}{since}")
    print(f"  {CHANGELOG}: entry for {done.version} written")
    print(f"  {done.zip_path.relative_to(root)}: written")
    print(f"  releases/{done.version}.json: the release record (content sha256 {done.content_sha256})")
    print(
        f"next: review CHANGELOG.md, commit it with releases/{done.version}.json and the published files; "
        f"then set __version__ to '{done.version}+unreleased' with the next change"
    )
    return 0


def cmd_add_source(args: argparse.Namespace) -> int:
    from .add_source import Refused, add_source

    root = _root(args.root)
    try:  # a refused file is a usage error (exit 2): the argument is wrong, nothing in the dataset is
        added = add_source(root, Path(args.file), kind=args.kind, source_id=args.source_id, name=args.name)
    except Refused as e:
        raise UsageError(f"add-source: refused, nothing written: {e}") from None
    print(f"added source {added.source_id}")
    for rel in added.written:
        print(f"  {rel}: written")
    print(f"  drafts: {added.figures} figure(s), {added.statements} statement(s), provenance scripted")
    for line in added.draft_problems:
        print(f"  draft problem: {line}")
    print(
        "next: complete the source record (see its unknown fields and notes), review the drafts, "
        "move what holds into dataset/records/, then `nk-troops validate` and `nk-troops build`"
    )
    return 0


def cmd_cite(args: argparse.Namespace) -> int:
    from .citation import cite_text, cited_version

    cited, warning = cited_version(_root(args.root))
    if warning:
        print(f"nk-troops cite: {warning}", file=sys.stderr)
    if cited is None:
        return 1
    print(cite_text(cited, args.format))
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from .confine import links_inside
    from .site import write_site

    root = _root(args.root)
    out = Path(args.out).resolve()
    if out.is_relative_to(root.resolve()):
        raise UsageError(
            f"'{args.out}' is inside the repository; write a reviewer's site outside it (the published site is "
            "docs/site/, written by `nk-troops build`; a full-text site must never be committed)"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{args.out}' is a file; --out names a folder to write the site into")
    if linked := links_inside(out):
        raise UsageError(
            f"'{args.out}' holds a link ({linked}); the site is written only into a folder without links, so that "
            "no file is written where a link points"
        )
    report, written = write_site(root, out, full_text=args.full_text)
    print(report.render(args.format))
    if not report.ok:
        return 1
    print(f"{written} file(s) written to {out}; open {out / 'index.html'}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with misuse reported as every other usage error is: one line, exit 2 (not the usage too)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("nk-troops").strip()
        raise UsageError(f"{command + ': ' if command else ''}{message} (see `{self.prog} --help`)")


def parser() -> argparse.ArgumentParser:
    from .vocabularies import SourceKind

    p = _Parser(prog="nk-troops", description="Validate and build the North Korean troops dataset.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--root", help=ROOT_HELP)
        sp.add_argument("--format", choices=("text", "json", "github"), default="text", help=FORMAT_HELP)

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

    t = sub.add_parser(
        "check-tables",
        help="check the CSV tables of a data package with the vectorised engine (fast at any size)",
        description="Check every table of a data package (types, constraints, keys, foreign keys, rules between "
        "fields, citation coverage, excerpts in the archived texts) and report every problem.",
    )
    t.add_argument(
        "--package",
        default="datapackage.json",
        help="datapackage.json of the package, or its folder (default: ./datapackage.json)",
    )
    t.add_argument("--format", choices=("text", "json", "github"), default="text", help=FORMAT_HELP)
    t.add_argument("--workers", type=int, default=2, help="threads to use (default 2)")
    t.add_argument("--no-hash", action="store_true", help="skip checking the tables' sha256 (their size is checked)")
    t.set_defaults(func=cmd_check_tables)

    d = sub.add_parser(
        "diff",
        help="compare two versions of the published package (releases, folders or git revisions) and say which version bump they need",
    )
    d.add_argument(
        "old", metavar="OLD", help="the earlier version: a release (0.1.0), a package folder, or a git revision"
    )
    d.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        help="the later version: a folder or git revision (default: the --root folder as it is now)",
    )
    d.add_argument(
        "--root", help="repository folder in which git revisions are looked up (default: the current folder)"
    )
    d.add_argument("--format", choices=("text", "json"), default="text", help="text for people (default) or json")
    d.set_defaults(func=cmd_diff)

    r = sub.add_parser(
        "release", help="check the version bump against the changes, write CHANGELOG.md and dist/<name>-<version>.zip"
    )
    r.add_argument(
        "version",
        metavar="VERSION",
        help="the version being released (must equal __version__ in src/nk_troops/__init__.py)",
    )
    r.add_argument(
        "--since",
        metavar="REV",
        help="the previous release: a git revision or a package folder (default: the latest in releases/)",
    )
    r.add_argument(
        "--verify",
        action="store_true",
        help="rebuild the zip of an already recorded VERSION from the files as they are and check it against "
        "releases/VERSION.json byte for byte (what the release workflow runs on a tag)",
    )
    r.add_argument("--root", help=ROOT_HELP)
    r.set_defaults(func=cmd_release)

    a = sub.add_parser(
        "add-source",
        help="archive a saved article (UTF-8 text or a saved web page) in seeds/, append its source record, "
        "and write the scripted first pass as drafts in dataset/drafts/",
    )
    a.add_argument("file", metavar="FILE", help="the saved article: a UTF-8 .txt file or an .html page")
    a.add_argument(
        "--kind",
        required=True,
        choices=[k.value for k in SourceKind],
        help="what sort of document it is (the file does not establish it; see the codebook's sources.kind)",
    )
    a.add_argument("--source-id", help="the new source's id (default: seed-NNN- and the headline's first words)")
    a.add_argument(
        "--name", help="the archived file's name in seeds/, without extension (default: NNN_<sha256 prefix>)"
    )
    a.add_argument("--root", help=ROOT_HELP)
    a.set_defaults(func=cmd_add_source)

    c = sub.add_parser(
        "cite",
        help="print how to cite this version: its release, with the release's content hash "
        "(between releases: the last release, with a warning)",
    )
    c.add_argument(
        "--format",
        choices=("text", "bibtex", "csl-json"),
        default="text",
        help="text (a reference, default), bibtex or csl-json",
    )
    c.add_argument("--root", help=ROOT_HELP)
    c.set_defaults(func=cmd_cite)

    s = sub.add_parser(
        "site",
        help="write the static site to a folder outside the repository, for a reviewer "
        "(--full-text: the whole archived texts, which the published docs/site/ collapses where they may not be republished)",
    )
    common(s)
    s.add_argument("--out", required=True, help="the folder to write (outside the repository)")
    s.add_argument("--full-text", action="store_true", help="show every archived text in full (never publish this)")
    s.set_defaults(func=cmd_site)
    return p


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate from a descriptor is printed escaped, never raised
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = parser().parse_args(argv)
        return int(args.func(args))
    except UsageError as e:
        print(f"nk-troops: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early (`nk-troops validate | head`): not an error of ours to show
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that flushing at exit does not fail again
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe


def program() -> None:
    """The `nk-troops` executable: ``main`` in a process of its own, where the commands of WITHOUT_PANDAS
    never import pandas. Library calls and ``main`` called in-process leave the imports as they are."""
    if WITHOUT_PANDAS.intersection(sys.argv[1:2]) and "pandas" not in sys.modules:
        sys.meta_path.insert(0, NoPandas())
    try:
        code = main()
    except Exception as e:  # a bug of ours that an input reached: said in one line (the traceback on request)
        if os.environ.get("NK_TROOPS_TRACEBACK"):
            raise
        print(
            f"nk-troops: internal error, please report it with the command and its input: {e!r:.300}", file=sys.stderr
        )
        print("  (set NK_TROOPS_TRACEBACK=1 to see where it happened)", file=sys.stderr)
        code = 70  # EX_SOFTWARE
    gc.collect()  # Arrow objects left in cycles go while Arrow can join their threads (apache/arrow#34314)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    program()
