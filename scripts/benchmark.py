#!/usr/bin/env python3
"""Benchmark: validate and build at 10k, 100k and 1M records per table, against frictionless-py and pyarrow's bare parse.

    python scripts/benchmark.py [--sizes 10000 100000 1000000] [--work /tmp/nk-bench] [--frictionless-max 100000]
                                [--non-verbatim 0.18] [--baseline OLD/src]

For each size N it generates a clean and a broken synthetic package
(scripts/generate_synthetic.py, N records in sources, actors, events,
statements and figures; 3N claims, ~1.3 citations per claim), then runs each
measurement in its own process, so that wall time includes interpreter start
and imports (as from the shell) and peak memory is that process's maximum
resident set size:

* engine validate  - the command itself, `python -m nk_troops.cli check-tables --package ... --format json`
                     (`nk-troops check-tables`): every check (hashes, excerpts, keys), the report
                     printed; fastest of --repeat runs (default 5), alternating with the pyarrow parse
* engine build     - canonical CSV + Parquet (+ partitioned Parquet above 500k rows) from the tables
* pyarrow parse    - pyarrow.csv.read_csv of every table, all columns as text, 2 threads: the limit
* frictionless     - frictionless.validate on the same datapackage.json (up to --frictionless-max;
                     above that its time is extrapolated from the largest measured size, and marked so)

As in the real data, 18 % of the excerpts differ from their archived span as the
matching rules allow (``--non-verbatim``). With ``--baseline OLD/src`` (the src/
folder of another version, e.g. a ``git worktree`` of an older commit), engine
validate of this tree and of that one and the pyarrow parse run in rotation
instead, on the clean package, --repeat times each; each round's ratios are
printed, and this tree's runs and the parse's are the table's.

Rows are all the data rows of the package (every table). Recall is the share
of the errors listed in injected.json that the tool reports at the same
resource, row and field; "clean" is the number of problems reported on the
clean package (false positives). Not a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

BUILD = r"""
import json, sys
from nk_troops.engine import build_tables
r = build_tables(sys.argv[1], sys.argv[2])
print(json.dumps({"rows": sum(r["rows"].values()), "problems": 0}))
"""

PARSE = r"""
import glob, json, sys
import pyarrow as pa, pyarrow.csv as csv
rows = 0
for f in sorted(glob.glob(sys.argv[1] + "/dataset/tables/csv/*.csv")):
    with open(f, "rb") as fh:
        names = fh.readline().decode().strip().split(",")
    t = csv.read_csv(f, read_options=csv.ReadOptions(use_threads=True),
                     parse_options=csv.ParseOptions(newlines_in_values=True),
                     convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True))
    rows += t.num_rows
    del t
print(json.dumps({"rows": rows, "problems": 0}))
"""

FRICTIONLESS = r"""
import json, sys
from nk_troops.engine.compare import frictionless_keys
keys = frictionless_keys(sys.argv[1])
json.dump([list(k) for k in keys], open(sys.argv[2], "w"))
print(json.dumps({"rows": None, "problems": len(keys)}))
"""


def check_tables(package: Path, keys: Path, src: Path | None = None) -> dict:
    """Run `nk-troops check-tables` as a user does (its own process, JSON report); write the problems' keys for recall.
    ``src``: run the nk_troops found there (PYTHONPATH) instead of the one this interpreter imports."""
    m = run(
        [PY, "-m", "nk_troops.cli", "check-tables", "--package", str(package / "datapackage.json"), "--format", "json"],
        ok=(0, 1),
        env=None if src is None else {**os.environ, "PYTHONPATH": str(src)},
    )
    report = m.pop("output")
    from nk_troops.engine.compare import key

    found = sorted({key(e["resource"], e["row"], e["field"], e["type"]) for e in report["errors"]}, key=str)
    keys.write_text(json.dumps([list(k) for k in found]))
    m.update(rows=sum(report["counts"].values()), problems=report["error_count"])
    return m


def best(runs: list[dict]) -> dict:
    """The fastest of several runs (the least disturbed by anything else on the machine); peak memory is the largest."""
    fastest = dict(min(runs, key=lambda m: m["wall"]))
    fastest["peak_mb"] = max(m["peak_mb"] for m in runs)
    fastest["runs"] = [round(m["wall"], 2) for m in runs]
    return fastest


def paired(repeat: int, first: Callable[[], dict], second: Callable[[], dict]) -> tuple[dict, dict, list[float]]:
    """``repeat`` runs of each, alternating (first, second, second, first, ...), so that a machine that speeds up
    or slows down during the benchmark weighs on both alike; the fastest of each, and the ratio within each pair."""
    a_runs, b_runs = [], []
    for i in range(max(1, repeat)):
        if i % 2 == 0:
            a_runs.append(first())
            b_runs.append(second())
        else:
            b_runs.append(second())
            a_runs.append(first())
    ratios = [a["wall"] / b["wall"] for a, b in zip(a_runs, b_runs, strict=True)]
    return best(a_runs), best(b_runs), ratios


def measure(code: str, *args: str) -> dict:
    """Run a snippet in a fresh interpreter; wall time, peak RSS and the JSON it prints last."""
    m = run([PY, "-c", code, *args])
    out = m.pop("output")
    m.update(out)
    return m


def run(cmd: list[str], ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> dict:
    """Run a command in a process of its own: wall time (interpreter start to exit), peak RSS, CPU time, and
    its standard output parsed as JSON (the last line, or the whole output)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    out = proc.stdout.read()  # the commands print little on stderr: read after stdout, it cannot fill its pipe
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own resource use (Popen.wait would not give it)
    wall = time.perf_counter() - started
    code = proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    if code not in ok:
        raise SystemExit(f"measurement failed ({' '.join(cmd[:4])}...): {err.decode(errors='replace')[-2000:]}")
    text = out.decode().strip()
    try:
        output = json.loads(text)
    except ValueError:
        output = json.loads(text.splitlines()[-1])
    return {"output": output, "wall": wall, "peak_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime}


PROBE = r"""
import hashlib, os, time
import numpy as np
data = os.urandom(16 << 20)
started = time.perf_counter()
hashlib.sha256(data).hexdigest()
sha = len(data) / (time.perf_counter() - started) / 1e6
a = np.ones(8 << 20)
b = np.empty_like(a)
started = time.perf_counter()
for _ in range(4):
    np.copyto(b, a)
copy = 4 * 2 * a.nbytes / (time.perf_counter() - started) / 1e9
print(f"sha256 {sha:,.0f} MB/s, memory copy {copy:.1f} GB/s (one core)")
"""


def probe() -> str:
    """How fast this machine is right now (shared machines vary), measured in a separate process
    (a child's peak memory would otherwise include this one's)."""
    out = subprocess.run([PY, "-c", PROBE], capture_output=True, text=True, check=True).stdout.strip()
    return f"{out}, load average {os.getloadavg()[0]:.2f}"


def recall(injected: Path, found: Path) -> float:
    want = {(e["resource"], e["row"], e["field"], e["type"]) for e in json.loads(injected.read_text())}
    got = {tuple(k) for k in json.loads(found.read_text())}
    return len(want & got) / len(want) if want else 1.0


def generate(out: Path, n: int, seed: int, inject: int, non_verbatim: float) -> float:
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    cmd = [PY, str(ROOT / "scripts" / "generate_synthetic.py"), str(out), "-n", str(n), "--seed", str(seed)]
    cmd += ["--non-verbatim", str(non_verbatim)]
    if inject:
        cmd += ["--inject-errors", str(inject)]
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - started


def against_baseline(repeat: int, package: Path, keys: Path, baseline: Path) -> tuple[list[dict], list[dict]]:
    """Engine validate of this tree and of the baseline, and the pyarrow parse, in rotation (so that a machine
    that speeds up or slows down weighs on all three alike); each round's ratios and their medians. Returns this
    tree's runs and the parse's, which stand for the alternating pairs of the table (not run again)."""
    runs: dict[str, list[float]] = {"new": [], "old": [], "parse": []}
    measured: dict[str, list[dict]] = {"new": [], "parse": []}
    todo = {
        "new": lambda: check_tables(package, keys, ROOT / "src"),
        "old": lambda: check_tables(package, keys, baseline),
        "parse": lambda: measure(PARSE, str(package)),
    }
    order = list(todo)
    for i in range(max(1, repeat)):
        for name in order[i % 3 :] + order[: i % 3]:
            m = todo[name]()
            runs[name].append(m["wall"])
            measured.get(name, []).append(m)
            found = f", {m['problems']} problems" if name != "parse" else ""
            print(f"  round {i + 1}: {name} {m['wall']:.2f} s, peak {m['peak_mb']:,.0f} MB{found}", flush=True)
    for a, b in (("new", "parse"), ("old", "parse"), ("new", "old")):
        ratios = [x / y for x, y in zip(runs[a], runs[b], strict=True)]
        print(
            f"  {a} / {b} in each round: {[round(r, 2) for r in ratios]}, median {statistics.median(ratios):.2f}",
            flush=True,
        )
    return measured["new"], measured["parse"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--work", type=Path, default=Path("/tmp/nk-bench"))
    p.add_argument(
        "--frictionless-max", type=int, default=100_000, help="largest N to run frictionless-py on (default 100000)"
    )
    p.add_argument("--inject", type=int, default=3, help="errors injected per kind in the broken package (default 3)")
    p.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs of engine validate and of the pyarrow parse, alternating; the fastest is shown (default 5)",
    )
    p.add_argument(
        "--non-verbatim",
        type=float,
        default=0.18,
        metavar="SHARE",
        help="share of excerpts that differ from their span as the matching rules allow (default 0.18, as in the real data)",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        metavar="SRC",
        help="the src/ folder of another version (e.g. a `git worktree` of an older commit): engine validate of this "
        "tree and of that one and the pyarrow parse then run in rotation, --repeat times each, on the clean package",
    )
    p.add_argument("--keep", action="store_true", help="keep the generated packages")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {probe()}",
        flush=True,
    )
    lines = []
    header = (
        f"| {'N per table':>11} | {'rows':>10} | {'MB':>6} | {'measurement':<24} | {'wall s':>7} | {'rows/s':>10} | {'cpu s':>6} | "
        f"{'peak MB':>7} | {'recall':>7} | {'clean':>5} |"
    )
    rule = "|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|"
    fr_rate = None
    ratios = []
    to_parse = []
    for n in args.sizes:
        clean, broken = args.work / f"clean-{n}", args.work / f"broken-{n}"
        g1 = generate(clean, n, seed=1, inject=0, non_verbatim=args.non_verbatim)
        g2 = generate(broken, n, seed=2, inject=args.inject, non_verbatim=args.non_verbatim)
        mb = sum(f.stat().st_size for f in (clean / "dataset/tables/csv").glob("*.csv")) / 1e6
        print(
            f"N={n:,}: generated clean in {g1:.1f} s, broken in {g2:.1f} s ({mb:,.0f} MB of CSV, "
            f"{args.non_verbatim:.0%} of the excerpts non-verbatim)",
            flush=True,
        )
        keys = args.work / "keys.json"
        if args.baseline:
            new_runs, parse_runs = against_baseline(args.repeat, clean, keys, args.baseline)
            v, a = best(new_runs), best(parse_runs)
            pair_ratios = [x["wall"] / y["wall"] for x, y in zip(new_runs, parse_runs, strict=True)]
        else:
            v, a, pair_ratios = paired(
                args.repeat,
                lambda clean=clean, keys=keys: check_tables(clean, keys),
                lambda clean=clean: measure(PARSE, str(clean)),
            )
        vb = check_tables(broken, keys)
        v_recall = recall(broken / "injected.json", keys)
        rows = v["rows"]
        out = args.work / f"build-{n}"
        b = measure(BUILD, str(clean), str(out))
        shutil.rmtree(out, ignore_errors=True)
        print(
            f"  runs (s), alternating: validate {v['runs']}, parse {a['runs']}; "
            f"validate / parse in each pair {[round(r, 2) for r in pair_ratios]}",
            flush=True,
        )

        def row(name: str, m: dict, rec: str = "", cl: str = "", note: str = "", n=n, rows=rows, mb=mb) -> None:
            line = (
                f"| {n:>11,} | {rows:>10,} | {mb:>6,.0f} | {name:<24} | {m['wall']:>7.2f}{note} | {rows / m['wall']:>10,.0f} | "
                f"{m['cpu']:>6.1f} | {m['peak_mb']:>7,.0f} | {rec:>7} | {cl:>5} |"
            )
            lines.append(line)
            print(line, flush=True)

        row("engine validate", v, f"{v_recall:.0%}", str(v["problems"]))
        row("engine validate (broken)", vb, f"{v_recall:.0%}", "")
        row("engine build csv+parquet", b)
        row("pyarrow bare parse", a)
        to_parse.append((n, v["wall"] / a["wall"], statistics.median(pair_ratios), rows / statistics.median(v["runs"])))
        if n <= args.frictionless_max:
            f = measure(FRICTIONLESS, str(clean / "datapackage.json"), str(keys))
            measure(FRICTIONLESS, str(broken / "datapackage.json"), str(keys))  # writes the keys recall reads
            f_recall = recall(broken / "injected.json", keys)
            fr_rate = rows / f["wall"]
            row("frictionless validate", f, f"{f_recall:.0%}", str(f["problems"]))
            ratios.append((n, f["wall"] / v["wall"], "measured"))
        elif fr_rate:
            est = rows / fr_rate
            line = (
                f"| {n:>11,} | {rows:>10,} | {mb:>6,.0f} | {'frictionless (extrap.)':<24} | {est:>7.0f}* | {fr_rate:>10,.0f} | "
                f"{'':>6} | {'':>7} | {'':>7} | {'':>5} |"
            )
            lines.append(line)
            print(line, flush=True)
            ratios.append((n, est / v["wall"], "extrapolated"))
        if not args.keep:
            shutil.rmtree(clean, ignore_errors=True)
            shutil.rmtree(broken, ignore_errors=True)

    print(f"\nmachine at the end: {probe()}")
    print()
    print(header)
    print(rule)
    for line in lines:
        print(line)
    print()
    for n, ratio, how in ratios:
        print(f"engine validate vs frictionless-py at N={n:,}: {ratio:,.0f}x faster ({how})")
    for (
        n,
        ratio,
        median,
        _,
    ) in to_parse:  # the yardstick that survives the machine's drift: both measured in the same run
        print(
            f"engine validate / pyarrow bare parse at N={n:,}: {ratio:.2f}x the parse time, fastest against fastest; "
            f"median of the alternating pairs {median:.2f}x (the 1M rows/s goal is about 1.7x)"
        )
    for n, _, _, median_rate in to_parse:  # the table shows the fastest run; the typical one is slower
        print(f"engine validate at N={n:,}: {median_rate:,.0f} rows/s in the median of its {args.repeat} runs")
    print(
        "* extrapolated at frictionless-py's rows/s at the largest size it ran on (its time grows at least linearly)."
    )
    print(
        f"wall = from process start to exit (interpreter and imports included), fastest of {args.repeat} runs for engine validate and"
    )
    print(
        "pyarrow parse (one run for build, the broken package and frictionless-py); rows/s = all data rows of the package / wall;"
    )
    print("cpu s = user + system time of that process (both cores); peak MB = its maximum resident set size;")
    print("recall = injected errors reported at the same resource,")
    print(
        "row and field (kinds frictionless-py cannot express count as missed for it); clean = problems on the clean package."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
