"""Write the scripted first pass over the archived seeds to dataset/candidates/.

    python scripts/extract_candidates.py [--seeds DIR] [--out DIR]

For each archived text ``seeds/<stem>.txt`` this writes ``<out>/<stem>.json``
holding the file's SHA-256 and the figure and quotation candidates proposed by
:mod:`nk_troops.candidates` (rules in that module's docstring).

Candidates are for review only. They are never published records by
themselves: a curator reads each one against the archived text, and only what
the curator then writes into ``dataset/records/*.yaml`` (with provenance
``scripted_reviewed``) is published. This script never touches those files.

Output is deterministic: seeds in name order, candidates in text order, keys
sorted, two-space indent, UTF-8 without escaping, a trailing newline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from nk_troops.candidates import extract_figures, extract_quotations

ROOT = Path(__file__).resolve().parent.parent


def candidates_for(path: Path, root: Path) -> dict[str, object]:
    """The JSON document for one archived text."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    try:
        seed_file = path.resolve().relative_to(root).as_posix()
    except ValueError:
        seed_file = path.name
    return {
        "seed_file": seed_file,
        "sha256": hashlib.sha256(data).hexdigest(),
        "figures": [c.to_dict() for c in extract_figures(text)],
        "quotations": [c.to_dict() for c in extract_quotations(text)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="folder of archived texts (*.txt)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "dataset" / "candidates", help="folder to write <stem>.json to"
    )
    args = parser.parse_args(argv)
    seeds = sorted(args.seeds.glob("*.txt"))
    if not seeds:
        parser.error(f"no *.txt files in {args.seeds}")
    args.out.mkdir(parents=True, exist_ok=True)
    for path in seeds:
        doc = candidates_for(path, ROOT)
        out = args.out / f"{path.stem}.json"
        out.write_text(json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{out}: {len(doc['figures'])} figures, {len(doc['quotations'])} quotations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
