"""The archive in seeds/: the checks every archived file passes, asked by the table engine (and by `add-source`
and the drafts' check before they read a text), so each is written once: the size limit, a saved original and its sha256, and what in seeds/ no
source describes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import problems as P
from . import rulebook as R
from .confine import SEEDS_DIR, Refusal, seed_file

MAX_SEED_BYTES = 10 * 1024 * 1024
"""An archived file larger than this is refused (the seeds are tens of kB)."""


def original_refusal(root: Path, rel: str, recorded: str | None) -> tuple[str, str, Refusal | None]:
    """Whether the saved original an archived source names (``original_file``) is a plain file directly in seeds/
    whose bytes have the recorded ``original_sha256``: its file name, the field at fault, and why not (None: fine).
    The curated checks and the table engine both ask this."""
    resolved = seed_file(root, rel)
    if isinstance(resolved, Refusal):
        return Path(rel).name, "original_file", resolved
    if resolved.stat().st_size > MAX_SEED_BYTES:
        return (
            resolved.name,
            "original_file",
            Refusal(P.FileTooLarge, f"'{rel}' is larger than {MAX_SEED_BYTES:,} bytes"),
        )
    digest = hashlib.sha256(resolved.read_bytes()).hexdigest()
    if digest != recorded:
        message = R.SEED_HASH.message(path=rel, digest=digest, recorded=recorded)
        return resolved.name, "original_sha256", Refusal(R.SEED_HASH.kind, message, R.SEED_HASH.hint or "")
    return resolved.name, "original_file", None


def undescribed_seeds(seeds: Path, described: set[str]) -> list[tuple[str, str, str]]:
    """(path, message, hint) for every entry of seeds/ whose name no source describes: files of any name, folders,
    links, FIFOs and the like. They are listed, never opened (a FIFO would wait forever)."""
    out = []
    try:
        entries = sorted(os.scandir(seeds), key=lambda e: e.name)
    except OSError as e:
        return [(SEEDS_DIR, f"cannot list {SEEDS_DIR}/: {e.strerror}", "make it a readable folder")]
    for entry in entries:
        if entry.name in described:
            continue
        rel = f"{SEEDS_DIR}/{entry.name}"
        if entry.is_symlink():
            what = "a symbolic link"
        elif entry.is_dir(follow_symlinks=False):
            what = "a folder"
        elif not entry.is_file(follow_symlinks=False):
            what = "a special file (a FIFO, socket or device)"
        elif not entry.name.endswith(".txt"):
            what = "not a .txt file"
        else:
            out.append(
                (
                    rel,
                    f"'{rel}' has no source record",
                    "add a source for it (status: archived, archived_file, sha256): a record in "
                    "dataset/records/sources.yaml, or a row of the sources table",
                )
            )
            continue
        out.append(
            (
                rel,
                f"'{rel}' is {what}, which no source record can describe",
                f"{SEEDS_DIR}/ holds only the archived texts, each a plain .txt file described by a source record: "
                "remove it",
            )
        )
    return out
