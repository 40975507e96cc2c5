"""What a package may make a command open: regular files inside its own folder, and nothing else.

A package's ``datapackage.json`` and its ``sources`` table name files, and a pull request can add
either. Whatever they name (an absolute path, ``../``, a URL, a link leading out of the folder, a
FIFO that would block its reader forever, a device), no command opens it: a path is accepted only
when it is written as a relative POSIX path (no scheme, no backslash, no ``..``, not absolute) and
resolves, links followed, to a regular file inside the package's folder. Only ``stat`` is used to
decide: nothing refused is ever opened, so nothing of it is shown either.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import problems as P

SEEDS_DIR = "seeds"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # http:, file:, s3:, and a Windows drive (C:)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
"""The C0 control characters and DEL: escaped wherever a value is shown, refused in a path."""
MAX_PATH = 1024

HINT = "name a file inside the package's folder by its relative path, written with /, as `nk-troops build` writes it"


@dataclass(frozen=True)
class Refusal:
    """Why a named file is not opened: the kind of problem, its message and a hint."""

    kind: type[P.Problem]
    message: str
    hint: str = HINT


def show(value: object) -> str:
    """A value as written (a text quoted, anything else as JSON), shortened, its control characters escaped:
    safe in a one-line report."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text if len(text) <= 120 else text[:117] + "..."
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return f"'{text}'" if isinstance(value, str) else text


def written_fault(rel: object) -> str | None:
    """Why a path is refused as it is written (None: acceptable so far); looks at no file."""
    if not isinstance(rel, str) or not rel:
        return "is not a path (a non-empty text)"
    if len(rel) > MAX_PATH:
        return f"is longer than {MAX_PATH:,} characters"
    if CONTROL.search(rel):
        return "holds a control character"
    if _SCHEME.match(rel):
        return "is a URL or names a drive; only files inside the package are read, nothing is fetched"
    if "\\" in rel:
        return "holds a backslash; write folders with /"
    if rel.startswith("/"):
        return "is absolute"
    if ".." in rel.split("/"):
        return "climbs out of its folder with '..'"
    return None


def confined_file(root: Path, rel: object) -> Path | Refusal:
    """The regular file ``rel`` names inside the folder ``root`` (resolved, links followed), or why it is refused."""
    fault = written_fault(rel)
    if fault is not None:
        return Refusal(P.UnsafePath, f"{show(rel)} {fault}")
    assert isinstance(rel, str)
    base = Path(root).resolve()
    try:
        target = (base / rel).resolve(strict=True)
        mode = os.stat(target).st_mode  # stat, not open: a FIFO or a device is refused before anything waits on it
    except (OSError, RuntimeError, ValueError):  # missing, a dangling link, a loop of links
        return Refusal(P.FileUnreadable, f"{show(rel)} does not exist")
    if not target.is_relative_to(base):
        return Refusal(P.UnsafePath, f"{show(rel)} leads outside the package's folder (through a link)")
    if not stat.S_ISREG(mode):
        return Refusal(P.UnsafePath, f"{show(rel)} is not a regular file (a folder, FIFO, socket or device)")
    return target


def seed_file(root: Path, rel: object) -> Path | Refusal:
    """The archived text a source names: a regular file directly inside the package's ``seeds/`` folder, not a link."""
    got = confined_file(root, rel)
    if isinstance(got, Refusal):
        if got.kind is P.FileUnreadable:
            return Refusal(
                P.SeedPathProblem, got.message, f"copy the document into {SEEDS_DIR}/ byte-for-byte, then give its path"
            )
        return Refusal(
            P.SeedPathProblem, got.message, f"give the path of a file in {SEEDS_DIR}/, such as seeds/NAME.txt"
        )
    assert isinstance(rel, str)
    if (Path(root) / rel).is_symlink() or got.parent != Path(root).resolve() / SEEDS_DIR:
        return Refusal(
            P.SeedPathProblem,
            f"{show(rel)} is not a plain file directly inside {SEEDS_DIR}/ (links and other folders are refused)",
            f"give the path of a file in {SEEDS_DIR}/, such as seeds/NAME.txt",
        )
    return got


MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
"""A descriptor larger or nested deeper than this is refused, whole (ours: about 100 KB, 7 levels)."""
PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
PACKAGE_PROFILES = {"data-package", "tabular-data-package"}
"""A package's profile: frictionless-py reads any other name, a resource's among them, as a file to fetch."""
DESCRIBE_AS_BUILT = "describe the package and its tables as `nk-troops build` does (the repository's datapackage.json)"
"""Profiles named, not fetched: any other ``profile`` is a URL or a path that frictionless-py would read."""
_STANDARD_SCHEMA = re.compile(r"https://datapackage\.org/profiles/[0-9]+\.[0-9]+/[a-z]+\.json")
INLINE = ("schema", "dialect")
"""Resource properties that must be written out as objects (as a string they name a file or URL to read)."""
_HASH = re.compile(r"(?:(?:md5|sha1|sha256|sha512):)?[0-9a-fA-F]+")
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_LONG_NUMBER = re.compile(rb"[0-9]{4000,}")
SIZE_HINT = "give the file's size as 'bytes' and its digest as 'hash' (sha256:HEX), as `nk-troops build` writes them"
DESCRIPTOR_HINT = "datapackage.json is a JSON object with a list of resources, as `nk-troops build` writes it"


@dataclass
class Descriptor:
    """A descriptor as read and checked: its resources by name (fields that were refused left out), the
    file each names where it may be opened, and a located problem for everything refused."""

    resources: dict[str, dict]
    paths: dict[str, Path]
    problems: list[P.Problem]
    package: dict = field(default_factory=dict)  # the package's own properties (resources left out)


def load_descriptor(path: Path) -> Descriptor | P.Problem:
    """Read and check a ``datapackage.json``; a problem (located in it) when it cannot be used at all."""
    desc = read_descriptor(path)
    if isinstance(desc, P.Problem):
        return desc
    return check_descriptor(desc, path.parent, path.name)


def read_descriptor(path: Path) -> dict | P.Problem:
    """The JSON object of a descriptor file, or one located problem: not a regular file (``stat`` first,
    so a FIFO is never waited on), larger than MAX_DESCRIPTOR_BYTES, not UTF-8, not JSON, nested deeper
    than MAX_DEPTH, not an object with a list of resources."""
    name = path.name

    def bad(kind: type[P.Problem], message: str, at: tuple[int, int] | None = None) -> P.Problem:
        line, column = at or (None, None)
        return kind(message, file=name, line=line, column=column, hint=DESCRIPTOR_HINT)

    try:
        real = path.resolve(strict=True)
        if not real.is_relative_to(path.parent.resolve()):
            return bad(P.UnsafePath, f"{name} leads outside the package's folder (through a link)")
        if not stat.S_ISREG(os.stat(real).st_mode):
            return bad(P.UnsafePath, f"{name} is not a regular file (a folder, FIFO, socket or device)")
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced since it was looked at
                return bad(P.UnsafePath, f"{name} is not a regular file (a folder, FIFO, socket or device)")
            data = fh.read(MAX_DESCRIPTOR_BYTES + 1)
    except RuntimeError:  # a loop of links
        return bad(P.UnsafePath, f"{name} is a link that leads to itself")
    except OSError as e:
        return bad(P.FileUnreadable, f"cannot read {name}: {e.strerror or e}")
    if len(data) > MAX_DESCRIPTOR_BYTES:
        return bad(P.FileTooLarge, f"{name} is larger than {MAX_DESCRIPTOR_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return bad(
            P.EncodingProblem, f"{name} is not UTF-8 (byte {e.start:,} cannot be read)", _line_col(data, e.start)
        )
    too_deep = f"{name} is nested more than {MAX_DEPTH} levels deep"
    try:
        desc = json.loads(text, object_pairs_hook=_one_of_each, parse_constant=_not_json)
    except _NotJson as e:  # Python's json reads NaN and Infinity; JSON, R's jsonlite and Node do not
        at = data.find(e.args[0].encode())
        return bad(P.DescriptorProblem, f"{name} holds {e.args[0]}, which is not JSON", _line_col(data, at))
    except _TwiceGiven as e:  # where: JSON readers keep no positions, so the key is named instead
        return bad(
            P.DescriptorProblem,
            f"{name} gives the key {show(e.args[0])} twice in one object (readers differ on which one counts)",
        )
    except json.JSONDecodeError as e:
        return bad(P.DescriptorProblem, f"{name} is not valid JSON: {e.msg}", (e.lineno, e.colno))
    except RecursionError:
        return bad(P.DescriptorProblem, too_deep, _deep_at(data))
    except ValueError:  # an integer too long to convert (over 4,300 digits)
        long = _LONG_NUMBER.search(data)
        return bad(
            P.DescriptorProblem, f"{name} holds a number too long to read", long and _line_col(data, long.start())
        )
    if _depth(desc) > MAX_DEPTH:
        return bad(P.DescriptorProblem, too_deep, _deep_at(data))
    if not isinstance(desc, dict):
        return bad(P.DescriptorProblem, f"{name} holds {type(desc).__name__}, not an object", (1, 1))
    if not isinstance(desc.get("resources", []), list):
        return P.DescriptorProblem(
            f"'resources' is {show(desc['resources'])}, not a list", file=name, field="resources", hint=DESCRIPTOR_HINT
        )
    return desc


class _NotJson(Exception):
    """NaN, Infinity or -Infinity in a descriptor (its args: the word)."""


def _not_json(word: str) -> object:
    raise _NotJson(word)


class _TwiceGiven(Exception):
    """A key given twice in one JSON object (its args: the key)."""


def _one_of_each(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _TwiceGiven(key)
        out[key] = value
    return out


def _line_col(data: bytes, at: int) -> tuple[int, int]:
    """Line and column (1-based, the column in characters) of byte ``at``."""
    start = data.rfind(b"\n", 0, at) + 1
    return data.count(b"\n", 0, at) + 1, len(data[start:at].decode("utf-8", "replace")) + 1


def _depth(obj: object) -> int:
    """How deeply lists and objects nest in ``obj`` (without recursion)."""
    deepest = 0
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        children = o.values() if isinstance(o, dict) else o if isinstance(o, list) else None
        if children is None:
            continue
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            break
        stack.extend((c, d + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _deep_at(data: bytes) -> tuple[int, int] | None:
    """Where the nesting of a JSON text first goes deeper than MAX_DEPTH."""
    depth = 0
    for m in _TOKENS.finditer(data):
        c = m.group()[:1]
        if c in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                return _line_col(data, m.start())
        elif c in (b"]", b"}"):
            depth -= 1
    return None


def check_descriptor(desc: dict, root: Path, name: str) -> Descriptor:
    """The resources of a descriptor object and the file each names, if it may be opened, and a located problem
    for everything refused: a path that is not a regular file inside ``root``; anything frictionless-py would read
    or fetch from elsewhere (a resource, ``schema`` or ``dialect`` given as a path or URL, a custom ``profile``);
    ``bytes`` and ``hash`` that are not a size and a known checksum."""
    out = Descriptor({}, {}, [], {k: v for k, v in desc.items() if k != "resources"})

    def refuse(kind: type[P.Problem], message: str, resource: str | None, fld: str, hint: str = HINT) -> None:
        out.problems.append(kind(message, file=name, resource=resource, field=fld, hint=hint))

    named = (
        "write it out in the descriptor, as `nk-troops build` does: nothing is read from a path or fetched from a URL"
    )
    for key in ("profile", "$schema"):
        value = desc.get(key)
        if value is not None and not _named_profile(key, value, PACKAGE_PROFILES):
            refuse(P.UnsafePath, f"{show(value)} is not a standard profile", None, key, named)
    for i, res in enumerate(desc.get("resources", [])):
        if not isinstance(res, dict):
            refuse(P.UnsafePath, f"resource {i + 1} is {show(res)}, not an object", None, "resources", named)
            continue
        label = res["name"] if isinstance(res.get("name"), str) else f"#{i + 1}"
        if label != res.get("name"):
            refuse(P.DescriptorProblem, f"the name of resource {i + 1} is {show(res.get('name'))}", label, "name")
        if label in out.resources:  # readers differ on which one counts: the first is kept, the other refused
            message = f"resource {i + 1} has the name {show(label)} of an earlier one"
            refuse(P.DescriptorProblem, message, label, "name", "list each table once, as `nk-troops build` does")
            continue
        for key in INLINE:
            if key in res and not isinstance(res[key], dict):
                refuse(P.UnsafePath, f"'{key}' is {show(res[key])}, not an object", label, key, named)
        if "profile" in res and not _named_profile("profile", res["profile"]):
            refuse(P.UnsafePath, f"{show(res['profile'])} is not a standard profile", label, "profile", named)
        if "extrapaths" in res:
            refuse(P.UnsafePath, "a resource is one file: 'extrapaths' is not read", label, "extrapaths")
        size = res.get("bytes")
        if "bytes" in res and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            refuse(P.DescriptorProblem, f"'bytes' is {show(size)}, not a number of bytes", label, "bytes", SIZE_HINT)
        digest = res.get("hash")
        if "hash" in res and not (isinstance(digest, str) and _HASH.fullmatch(digest)):
            refuse(
                P.DescriptorProblem,
                f"'hash' is {show(digest)}, not ALGORITHM:HEX (md5, sha1, sha256 or sha512)",
                label,
                "hash",
                SIZE_HINT,
            )
        if "path" in res:
            got = confined_file(root, res["path"])
            if isinstance(got, Refusal):
                refuse(got.kind, got.message, label, "path", got.hint)
            else:
                out.paths[label] = got
        refused = {p.field for p in out.problems if p.resource == label} - {"path"}  # a path stays, to name the file
        out.resources[label] = {k: v for k, v in res.items() if k not in refused}
    return out


def _named_profile(key: str, value: object, named: set[str] = PROFILES) -> bool:
    if key == "$schema":
        return isinstance(value, str) and _STANDARD_SCHEMA.fullmatch(value) is not None
    return isinstance(value, str) and value in named


def unsafe_folders(root: Path, paths: Iterable[str]) -> list[P.Problem]:
    """Folders on the way to files a command writes that are links or not folders (a pull request can add them):
    writing there would write outside the repository. Folders that do not exist yet are fine (the command makes
    them)."""
    bad: dict[str, str] = {}
    for rel in paths:
        parts = Path(rel).parts[:-1]
        for i in range(1, len(parts) + 1):
            folder = Path(*parts[:i])
            try:
                mode = os.lstat(root / folder).st_mode
            except FileNotFoundError:
                break  # made by the build
            except OSError as e:
                bad[folder.as_posix()] = f"cannot be inspected ({e.strerror})"
                break
            if not stat.S_ISDIR(mode):
                what = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
                bad[folder.as_posix()] = f"is {what}; files are written only into real folders of the repository"
                break
    return [
        P.FileUnreadable(f"'{folder}' {why}", file=folder, hint="remove it; the command makes the folder")
        for folder, why in sorted(bad.items())
    ]


def links_inside(folder: Path) -> str | None:
    """The first symbolic link found in ``folder`` (not followed), as a path relative to it; None if none: a
    folder a command writes into must hold none, or it would write where the link points."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            if os.path.islink(os.path.join(top, name)):
                return os.path.relpath(os.path.join(top, name), folder)
    return None
