"""Write the release record of a version released before records existed, from the commit that released it.

    python scripts/record_past_release.py VERSION COMMIT [--root .]

The commit's tree is read with ``git archive`` into a temporary folder (nothing in the working tree changes); the
release zip is rebuilt from it exactly as ``nk-troops release`` builds one (the same files, the date from that
tree's datapackage.json, the changelog entry from its CHANGELOG.md), written to ``dist/``, and
``releases/VERSION.json`` records it with ``commit`` set to COMMIT. Refused if the version already has a record or
the tree does not say it is that version.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from nk_troops import metadata as M
from nk_troops.release import DIST, package_files, release_zip
from nk_troops.releases import RELEASES_DIR, ReleaseError, parse_version, read_record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version")
    parser.add_argument("commit")
    parser.add_argument("--root", default=".")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    try:
        parse_version(args.version)
        if read_record(root, args.version) is not None:
            raise ReleaseError(f"{args.version} already has a record in {RELEASES_DIR}/")
    except ReleaseError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 1
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", f"{args.commit}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"refused: '{args.commit}' is not a commit of {root}", file=sys.stderr)
        return 1
    commit = done.stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", commit], capture_output=True, check=True
        ).stdout
        tar_path = tree.parent / f"{tree.name}.tar"
        tar_path.write_bytes(archive)
        with tarfile.open(tar_path) as tf:
            tf.extractall(tree, filter="data")
        tar_path.unlink()
        descriptor = json.loads((tree / "datapackage.json").read_text(encoding="utf-8"))
        if descriptor.get("version") != args.version:
            print(f"refused: {commit[:10]}'s datapackage.json says {descriptor.get('version')}", file=sys.stderr)
            return 1
        released = str(descriptor["created"])[:10]
        changelog = (tree / "CHANGELOG.md").read_text(encoding="utf-8")
        match = re.search(rf"(?ms)^## \[{re.escape(args.version)}\].*?(?=^## \[|\Z)", changelog)
        entry = match.group(0).rstrip("\n") + "\n" if match else ""
        contents = {f: (tree / f).read_bytes() for f in package_files(tree)}
        zip_path = root / DIST / f"{M.NAME}-{args.version}.zip"
        record = release_zip(zip_path, args.version, released, contents, entry)
    record = type(record)(**{**record.__dict__, "commit": commit})
    (root / RELEASES_DIR).mkdir(exist_ok=True)
    (root / record.path).write_bytes(record.to_bytes())
    print(f"wrote {record.path} (commit {commit[:10]}, content sha256 {record.content_sha256}) and {zip_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
