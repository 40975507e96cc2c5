"""`add-source FILE`: archive a saved article, write its source record, and draft its figures and statements.

* The file, plain UTF-8 text or an HTML page as a browser saves it, is copied byte-for-byte into seeds/ as
  ``seeds/<NNN>_<first 16 hex digits of its sha256>.txt`` (text) or ``.html`` (a page). For a page, the article
  text that excerpts are matched against is extracted with trafilatura (from the bytes read, nothing is fetched)
  and archived next to it as ``.txt``; the source record names the page in ``original_file`` and
  ``original_sha256`` and says in its notes how the text was extracted.
* The source record is appended to dataset/records/sources.yaml (the file's existing bytes are kept): every field
  the document itself establishes (for a page: its own metadata, see ``page_metadata``; for plain text, which marks
  nothing up: none), with where each came from in the notes, and every other knowable field
  ``{unknown: why}``. Nothing is guessed. ``kind`` is given by the curator (``--kind``).
* The scripted first pass (``nk_troops.candidates``) is written as drafts, ``dataset/drafts/<source_id>.yaml``
  (see ``drafts.py``).

Refused, with one line and nothing written (:class:`Refused`): a path that is missing, a link, a folder or any
other non-regular file; a file over the archive's size limit (``seeds.MAX_SEED_BYTES``); a file that is not
UTF-8 text or a UTF-8 HTML page; a page with no article text; a file (or extracted text) already archived, by
sha256; a seed name, source id or draft file that already exists.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import records, yaml_writer
from .confine import SEEDS_DIR, unsafe_folders
from .drafts import DRAFTS_DIR, Actors, check_drafts, draft_records
from .excerpts import normalise
from .models import SourceRecord
from .page_metadata import Reading, read_page
from .page_text import XML_DECLARATION, extract_text, is_page
from .seeds import MAX_SEED_BYTES

SOURCES_FILE = "dataset/records/sources.yaml"
ACTORS_FILE = "dataset/records/actors.yaml"
KNOWABLE = ("outlet", "headline", "byline", "published", "url", "language")
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _fitting(items: list[str], limit: int) -> int:
    """How many of the first items fit in ``limit`` bytes of UTF-8."""
    size = 0
    for n, item in enumerate(items):
        size += len(item.encode("utf-8"))
        if size > limit:
            return n
    return len(items)


class Refused(Exception):
    """add-source will not take the file: one line saying why. Nothing has been written."""


@dataclass
class Added:
    source_id: str
    written: list[str] = field(default_factory=list)
    figures: int = 0
    statements: int = 0
    draft_problems: list[str] = field(default_factory=list)


def _read(path: Path) -> bytes:
    """The bytes of a regular file (not a link) of at most MAX_SEED_BYTES; decided by lstat, so nothing else is opened."""
    shown = f"'{path}'"
    try:
        info = os.lstat(path)
    except OSError:
        raise Refused(f"{shown} does not exist") from None
    if stat.S_ISLNK(info.st_mode):
        raise Refused(f"{shown} is a symbolic link; give the saved file itself")
    if stat.S_ISDIR(info.st_mode):
        raise Refused(f"{shown} is a folder; give the saved article (a .txt or .html file)")
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{shown} is not a regular file (a FIFO, socket or device)")
    if info.st_size > MAX_SEED_BYTES:
        raise Refused(f"{shown} is {info.st_size:,} bytes; an archived source may have at most {MAX_SEED_BYTES:,}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise Refused(f"{shown} is not a regular file (a FIFO, socket or device)")
            data = fh.read(MAX_SEED_BYTES + 1)
    except OSError as e:
        raise Refused(f"cannot read {shown}: {e.strerror or e}") from None
    if len(data) > MAX_SEED_BYTES:
        raise Refused(f"{shown} is larger than {MAX_SEED_BYTES:,} bytes, the limit for an archived source")
    return data


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(
            f"'{path}' is not UTF-8 text or an HTML page in UTF-8 (byte {e.start:,} cannot be read); "
            "save the article as UTF-8 text or as a web page"
        ) from None
    bad = _CONTROL.search(text)
    if bad is not None:
        raise Refused(
            f"'{path}' is not text: it holds the control character U+{ord(bad.group()):04X} "
            f"(character {bad.start() + 1:,}); save the article as UTF-8 text or as a web page"
        )
    if not text.strip():
        raise Refused(f"'{path}' holds no text")
    return text


def _yaml_list(root: Path, rel: str) -> list[dict[str, Any]]:
    from .records import read_text
    from .yaml_loader import YamlLoadError, load_yaml

    text, problem = read_text(root / rel, rel)
    if problem is not None:
        raise Refused(f"{rel} cannot be read ({problem.message}); run `nk-troops validate`")
    try:
        loaded = load_yaml(text or "", rel)
    except YamlLoadError as e:
        raise Refused(f"{rel} cannot be read ({e.problem.message}); run `nk-troops validate`") from None
    for problem in loaded.problems.values():
        raise Refused(f"{rel} holds a value that cannot be read ({problem.message}); run `nk-troops validate`")
    data = loaded.data
    if not isinstance(data, list):
        raise Refused(f"{rel} does not hold a list of records; run `nk-troops validate`")
    return [d for d in data if isinstance(d, dict)]


def _archived_digests(root: Path, sources: list[dict[str, Any]]) -> dict[str, str]:
    """sha256 -> where it is archived: every sha256 the source records give, and every regular file in seeds/."""
    known = {}
    for s in sources:
        for key in ("sha256", "original_sha256"):
            if isinstance(s.get(key), str):
                known[s[key]] = f"source {s.get('source_id')}"
    seeds = root / SEEDS_DIR
    for entry in sorted(os.scandir(seeds), key=lambda e: e.name) if seeds.is_dir() else []:
        if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_size <= MAX_SEED_BYTES:
            with open(entry.path, "rb") as fh:
                known.setdefault(hashlib.sha256(fh.read()).hexdigest(), f"{SEEDS_DIR}/{entry.name}")
    return known


def _next_number(root: Path, sources: list[dict[str, Any]]) -> int:
    names = [str(s.get("archived_file", "")).rsplit("/", 1)[-1] for s in sources]
    seeds = root / SEEDS_DIR
    names += os.listdir(seeds) if seeds.is_dir() else []
    numbers = [int(m.group()) for n in names if (m := re.match(r"\d+", n))]
    return max(numbers, default=-1) + 1


def _slug(text: str, words: int = 6, limit: int = 60) -> str:
    """The first words of ``text`` as an id's tail: at most ``words`` words and ``limit`` characters (a headline
    may be one very long word; the whole id has a length limit)."""
    out = ""
    for word in re.findall(r"[a-z0-9]+", text.lower())[:words]:
        if len(out) + len(word) + 1 > limit:
            break
        out = f"{out}-{word}" if out else word
    return out


def _unknown_reason(fld: str, reading: Reading | None, html: bool) -> str:
    if reading is not None and reading.where:  # declared, but not established
        return f"Not established: {reading.where}."
    what = {
        "outlet": "outlet (og:site_name, JSON-LD publisher)",
        "headline": "headline (og:title, JSON-LD headline, or a <title> without an outlet's name)",
        "byline": 'author (<meta name="author">, article:author, JSON-LD author)',
        "published": "publication date (article:published_time, JSON-LD datePublished)",
        "url": 'address (<link rel="canonical">, og:url, JSON-LD url)',
        "language": "language (<html lang>, og:locale, JSON-LD inLanguage)",
    }[fld]
    if html:
        return f"The saved page declares no {what}; if the article prints it, a curator can read it from the text."
    word = {"byline": "author", "published": "publication date", "url": "address"}.get(fld, fld)
    return (
        f"A plain-text file marks up no {word}; if the text prints it, a curator can read it from the text "
        "(add-source does not guess which line is what)."
    )


def _source_record(
    source_id: str, kind: str, archived: str, sha: str, original: tuple[str, str] | None, readings: dict[str, Reading],
    notes: str, html: bool,
) -> dict[str, object]:  # fmt: skip
    record: dict[str, object] = {"source_id": source_id, "status": "archived", "archived_file": archived, "sha256": sha}
    if original:
        record |= {"original_file": original[0], "original_sha256": original[1]}
    record["kind"] = kind
    for fld in KNOWABLE:
        reading = readings.get(fld)
        if reading is not None and reading.value is not None:
            record[fld] = reading.value
        else:
            record[fld] = {"unknown": _unknown_reason(fld, reading, html)}
    record["notes"] = notes
    for _ in KNOWABLE:  # a declared value the table refuses is not established: say so, never write it
        broken = _broken_fields(record)
        if not broken:
            return record
        bad = next((f for f in broken if f in KNOWABLE and not isinstance(record[f], dict)), None)
        if bad is None:
            field, why = next(iter(broken.items()))
            raise Refused(f"the source record cannot be written: {field}: {why}")
        record[bad] = {
            "unknown": f"Not established: the page gives {readings[bad].where} {record[bad]!r}, "
            f"which is not a valid {bad} ({broken[bad]})."
        }
    raise Refused("the source record cannot be written")  # pragma: no cover


def _broken_fields(record: dict[str, object]) -> dict[str, str]:
    """Field: the first problem, for each field of ``record`` that its model or its table's cell rules refuse."""
    from .records_as_tables import written_cell_problems

    try:
        SourceRecord.model_validate(record)
    except ValidationError as e:
        return {str(err["loc"][0]) if err["loc"] else "record": err["msg"] for err in e.errors()}
    return {str(path[0]): problem.message for path, problem in written_cell_problems(SourceRecord, record).items()}


def add_source(root: Path, file: Path, *, kind: str, source_id: str | None = None, name: str | None = None) -> Added:
    """Archive ``file`` and write its source record and drafts (see the module docstring); Refused if not."""
    root = Path(root)
    unsafe = unsafe_folders(root, [f"{SEEDS_DIR}/-", f"{DRAFTS_DIR}/-", SOURCES_FILE])
    if unsafe:
        raise Refused(f"{unsafe[0].message}: remove it")
    if (root / SOURCES_FILE).is_symlink():
        raise Refused(f"{SOURCES_FILE} is a link: the records are regular files")
    data = _read(file)
    text = _decode(file, data)
    html = is_page(file, text)
    sources = _yaml_list(root, SOURCES_FILE)
    known = _archived_digests(root, sources)
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        raise Refused(f"'{file}' is already archived: {known[sha]} has the same sha256 ({sha[:16]}...)")
    if html:
        page = XML_DECLARATION.sub("", text, count=1)  # lxml refuses text that declares its encoding
        found = extract_text(page)
        if found is None:
            raise Refused("no article text could be extracted from the page; save the article's text as a .txt file")
        archived_text, how = found
        readings = read_page(page)
    else:
        archived_text, how, readings = text, "", {}
    text_bytes = archived_text.encode("utf-8")
    text_sha = hashlib.sha256(text_bytes).hexdigest()
    if html and text_sha in known:
        raise Refused(f"the article text of '{file}' is already archived: {known[text_sha]} has the same sha256")

    number = _next_number(root, sources)
    stem = name if name is not None else f"{number:03d}_{sha[:16]}"
    if not _NAME.fullmatch(stem) or stem.endswith((".txt", ".html")):
        raise Refused(f"--name '{stem}' is not a seed name (letters, digits, '_', '-', '.'; no extension)")
    targets = [f"{SEEDS_DIR}/{stem}.txt"] + ([f"{SEEDS_DIR}/{stem}.html"] if html else [])
    for rel in targets:
        if os.path.lexists(root / rel):
            raise Refused(f"{rel} already exists; choose another name with --name")
    headline = readings.get("headline")
    sid = source_id or f"seed-{number:03d}-" + (
        (_slug(headline.value) if headline and headline.value else "") or _slug(file.stem) or "source"
    )
    from .engine.cells import cell_problems
    from .problems import shortened

    wrong = cell_problems(SourceRecord, {"source_id": sid}).get("source_id")
    if wrong is not None:
        raise Refused(f"'{shortened(sid)}' is not a source id: {wrong.message}; give one with --source-id")
    if any(s.get("source_id") == sid for s in sources):
        raise Refused(f"the source id '{sid}' is already used in {SOURCES_FILE}; choose another with --source-id")
    draft_rel = f"{DRAFTS_DIR}/{sid}.yaml"
    if os.path.lexists(root / draft_rel):
        raise Refused(f"{draft_rel} already exists; review or remove it first")

    notes = [f"Added with `nk-troops add-source` from the file '{file.name}' ({len(data):,} bytes)."]
    if html:
        notes.append(
            f"The archived text is the article text extracted from the saved page {targets[1]} with {how}; "
            "excerpts are matched against the text."
        )
        established = [f"{f} from {r.where}" for f, r in readings.items() if r.value is not None]
        notes.append(
            "Read from the page's own metadata: " + ("; ".join(established) if established else "nothing") + "."
        )
    else:
        notes.append("The archived text is the file as given (plain text, which marks up no metadata).")
    notes.append(
        f"kind given by the curator (--kind {kind}). Not set by the script: relays (the sources it is built on, each with what it relays)."
    )
    record = _source_record(
        sid, kind, targets[0], text_sha, (targets[1], sha) if html else None, readings, " ".join(notes), html
    )

    from .candidates import extract_figures, extract_quotations

    actors = Actors(_yaml_list(root, ACTORS_FILE))
    published = record["published"] if isinstance(record["published"], str) else None
    drafts = draft_records(
        sid,
        f"draft-{number:03d}",
        normalise(archived_text),
        extract_figures(archived_text),
        extract_quotations(archived_text),
        actors,
        published,
    )
    header = (
        f"# Drafts for {sid}: the scripted first pass (nk_troops.candidates) over {targets[0]}, written by\n"
        "# `nk-troops add-source`. Never published: `nk-troops validate` checks them, `build` does not read them.\n"
        "# Review each against the archived text. Move what holds into dataset/records/<table>.yaml with\n"
        "# provenance: scripted_reviewed (fix ids, speakers, dates, measure, subject); delete the rest, then this file.\n"
    )
    items = ["\n" + yaml_writer.item(r, c) for r, c in drafts]
    kept = _fitting(items, records.MAX_FILE_BYTES - 1024 - len(header.encode("utf-8")))
    if kept < len(drafts):  # validate reads no records file larger than that: the first drafts, and the count
        header += (
            f"# {len(drafts) - kept} more candidates are left out: a drafts file holds at most "
            f"{records.MAX_FILE_BYTES:,} bytes (scripts/extract_candidates.py lists them all).\n"
        )
        drafts, items = drafts[:kept], items[:kept]
    draft_text = header + "".join(items)
    if not drafts:
        draft_text += "\n[]\n"

    written: list[Path] = []
    sources_path = root / SOURCES_FILE
    size_before = sources_path.stat().st_size
    with open(sources_path, "rb") as fh:
        fh.seek(max(size_before - 1, 0))
        ends_with_newline = fh.read(1) in (b"\n", b"")
    try:
        for rel, payload in ((targets[0], text_bytes), *(((targets[1], data),) if html else ())):
            with open(root / rel, "xb") as fh:
                written.append(root / rel)
                fh.write(payload)
        (root / DRAFTS_DIR).mkdir(parents=True, exist_ok=True)
        with open(root / draft_rel, "x", encoding="utf-8", newline="\n") as fh:
            written.append(root / draft_rel)
            fh.write(draft_text)
        with open(sources_path, "ab") as fh:  # appended: the file's existing bytes stay as they are
            fh.write((b"\n" if ends_with_newline else b"\n\n") + yaml_writer.item(record).encode("utf-8"))
    except OSError as e:
        for p in written:
            p.unlink(missing_ok=True)
        with open(sources_path, "rb+") as fh:
            fh.truncate(size_before)
        raise Refused(f"nothing was added: cannot write {e.filename}: {e.strerror}") from None
    added = Added(sid, [*targets, SOURCES_FILE + " (record appended)", draft_rel])
    added.figures = sum(1 for r, _ in drafts if "figure_id" in r)
    added.statements = len(drafts) - added.figures
    added.draft_problems = [p.to_text() for p in check_drafts(root) if p.file == draft_rel]
    return added
