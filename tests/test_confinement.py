"""Nothing a package names makes a command read outside its folder, wait forever, or reach the network.

Packages come from scripts/generate_synthetic.py (as in test_engine.py), written once and copied.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import synthetic  # the synthetic generator's packages, each generated once per process

from nk_troops import problems as P
from nk_troops.engine import validate_tables

SECRET = "TOP-SECRET first line of a file outside the package"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "pkg"
    synthetic(out, 150, seed=5)
    return out


@pytest.fixture
def pkg(built, tmp_path) -> Path:
    """A copy of a clean synthetic package, with a file outside it whose first line is SECRET."""
    shutil.copytree(built, tmp_path / "pkg")
    (tmp_path / "outside.csv").write_text(SECRET + "\nmore\n", encoding="utf-8")
    return tmp_path / "pkg"


def _edit_descriptor(package: Path, edit) -> None:
    path = package / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    edit(desc)
    path.write_text(json.dumps(desc, indent=2), encoding="utf-8")


def _resource(desc: dict, name: str) -> dict:
    return next(r for r in desc["resources"] if r["name"] == name)


def _set(package: Path, name: str, key: str, value) -> None:
    _edit_descriptor(package, lambda d: _resource(d, name).__setitem__(key, value))


def _within(seconds: float, fn):
    """fn() run on a thread of its own; fails (instead of hanging the suite) if it has not returned in time."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s (blocked?)"
    if "error" in out:
        raise out["error"]
    return out["value"]


def _report(problems) -> str:
    return P.Report(problems=problems).render("text") + P.Report(problems=problems).render("json")


# --------------------------------------------------------------------------- resource paths


def _outside_link(package: Path) -> str:
    os.symlink(package.parent / "outside.csv", package / "dataset" / "link.csv")
    return "dataset/link.csv"


def _fifo(package: Path) -> str:
    os.mkfifo(package / "dataset" / "pipe.csv")
    return "dataset/pipe.csv"


def _folder_link(package: Path) -> str:
    os.symlink(package.parent, package / "up")
    return "up/outside.csv"


PATHS = {
    "absolute": lambda p: str(p.parent / "outside.csv"),
    "dot-dot": lambda p: "../outside.csv",
    "dot-dot-inside": lambda p: "dataset/../../outside.csv",
    "link-out": _outside_link,
    "folder-link-out": _folder_link,
    "http-url": lambda p: "http://127.0.0.1:9/events.csv",
    "file-url": lambda p: "file://" + str(p.parent / "outside.csv"),
    "backslash": lambda p: "dataset\\tables\\csv\\events.csv",
    "fifo": _fifo,
    "folder": lambda p: "dataset",
    "not-text": lambda p: ["dataset/tables/csv/events.csv"],
}


@pytest.mark.parametrize("kind", list(PATHS))
def test_a_table_path_outside_the_package_is_refused_and_never_read(pkg, kind):
    value = PATHS[kind](pkg)
    _set(pkg, "events", "path", value)
    problems = _within(60, lambda: validate_tables(pkg))
    on_path = [p for p in problems if p.field == "path"]
    assert [(p.type, p.file, p.resource) for p in on_path] == [("unsafe-path", "datapackage.json", "events")], problems
    assert not [p for p in problems if p.resource == "events" and p.field != "path"], problems  # nothing read
    assert SECRET not in _report(problems)


def test_a_missing_table_is_located_on_the_descriptor(pkg):
    _set(pkg, "events", "path", "dataset/tables/csv/nowhere.csv")
    problems = validate_tables(pkg)
    assert [(p.type, p.file, p.resource, p.field) for p in problems if p.resource == "events"] == [
        ("file-unreadable", "datapackage.json", "events", "path")
    ]


def test_a_link_is_followed_only_inside_the_package(pkg):
    os.symlink("tables/csv/events.csv", pkg / "dataset" / "events-link.csv")
    _set(pkg, "events", "path", "dataset/events-link.csv")
    assert validate_tables(pkg) == []
    os.symlink("../../../outside.csv", pkg / "dataset" / "tables" / "out-link.csv")
    _set(pkg, "events", "path", "dataset/tables/out-link.csv")
    assert [(p.type, p.resource, p.field) for p in validate_tables(pkg)] == [("unsafe-path", "events", "path")]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("schema", "http://127.0.0.1:9/schema.json"),
        ("schema", "schema/events.json"),
        ("dialect", "../dialect.json"),
        ("profile", "https://127.0.0.1:9/profile.json"),
        ("profile", "../profile.json"),
    ],
)
def test_a_property_to_fetch_is_refused(pkg, key, value):
    _set(pkg, "events", key, value)
    problems = validate_tables(pkg)
    assert [(p.type, p.file, p.resource, p.field) for p in problems] == [
        ("unsafe-path", "datapackage.json", "events", key)
    ], problems


def test_a_resource_given_as_a_url_and_a_custom_package_profile_are_refused(pkg):
    def edit(desc: dict) -> None:
        desc["profile"] = "http://127.0.0.1:9/package-profile.json"
        desc["resources"].append("http://127.0.0.1:9/resource.json")

    _edit_descriptor(pkg, edit)
    problems = validate_tables(pkg)
    assert sorted((p.type, p.file, p.field) for p in problems) == [
        ("unsafe-path", "datapackage.json", "profile"),
        ("unsafe-path", "datapackage.json", "resources"),
    ], problems


# --------------------------------------------------------------------------- archived texts


def test_an_archived_text_reached_through_a_linked_seeds_folder_is_refused(pkg, tmp_path):
    """sources.archived_file is seeds/NAME.txt by its pattern, but seeds/ itself may be a link out of the package."""
    outside = tmp_path / "elsewhere"
    shutil.move(pkg / "seeds", outside)
    os.symlink(outside, pkg / "seeds")
    problems = validate_tables(pkg)
    assert problems and {(p.type, p.resource, p.field) for p in problems} >= {
        ("seed-path-error", "sources", "archived_file")
    }
    assert all(p.row is not None for p in problems if p.type == "seed-path-error")
    assert not [p for p in problems if p.type == "seed-undescribed"]  # the folder outside is not listed either


def test_a_curated_archived_text_reached_through_a_linked_seeds_folder_is_refused(mini, tmp_path):
    from nk_troops.validate import validate

    outside = tmp_path / "elsewhere"
    shutil.move(mini / "seeds", outside)
    os.symlink(outside, mini / "seeds")
    problems = validate(mini, records_only=True).problems
    assert [(p.type, p.file, p.field) for p in problems] == [
        ("seed-path-error", "dataset/records/sources.yaml", "archived_file")
    ], problems


# --------------------------------------------------------------------------- the descriptor itself


def _descriptor_text(package: Path) -> str:
    return (package / "datapackage.json").read_text(encoding="utf-8")


def _with_field(key: str, value):
    def text(package: Path) -> str:
        desc = json.loads(_descriptor_text(package))
        _resource(desc, "events")[key] = value
        return json.dumps(desc)

    return text


DESCRIPTORS = {  # what datapackage.json holds: (its text from the package, the problem's type, line, column)
    "not-json": (lambda p: '{\n  "resources": [}\n', "descriptor-error", 2, 17),
    "deep": (lambda p: "[" * 100_000 + "]" * 100_000, "descriptor-error", 1, 65),
    "deep-but-parsed": (lambda p: '{"x": ' + "[" * 500 + "]" * 500 + "}", "descriptor-error", 1, 70),
    "number-5000-digits": (lambda p: '{"resources": [],\n "x": ' + "9" * 5000 + "}", "descriptor-error", 2, 7),
    "not-utf8": (lambda p: b'{"title": "caf\xe9"}', "encoding-error", 1, 15),
    # Python's json read these; JSON, R's jsonlite and Node do not: check-tables said valid
    "nan": (lambda p: '{"resources": [],\n "x-note": NaN}', "descriptor-error", 2, 12),
    "minus-infinity": (lambda p: '{"resources": [], "x": -Infinity}', "descriptor-error", 1, 24),
    "list": (lambda p: "[]", "descriptor-error", 1, 1),
    "resources-not-a-list": (lambda p: '{"resources": {"events": {}}}', "descriptor-error", None, None),
    "bytes-not-a-number": (_with_field("bytes", "50k"), "descriptor-error", None, None),
    "unknown-hash": (_with_field("hash", "sha999:00ff"), "descriptor-error", None, None),
    "hash-not-text": (_with_field("hash", 5), "descriptor-error", None, None),
    "name-not-text": (_with_field("name", ["events"]), "descriptor-error", None, None),
}


@pytest.mark.parametrize("kind", list(DESCRIPTORS))
def test_a_descriptor_that_cannot_be_used_is_one_located_problem(pkg, kind):
    text, kind_type, line, column = DESCRIPTORS[kind]
    data = text(pkg)
    (pkg / "datapackage.json").write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    problems = validate_tables(pkg)
    on_descriptor = [p for p in problems if p.file == "datapackage.json"]
    assert [(p.type, p.line, p.column) for p in on_descriptor] == [(kind_type, line, column)], problems
    assert "\n" not in on_descriptor[0].message
    if on_descriptor[0].field in ("bytes", "hash"):  # not the hint of a path
        assert "as `nk-troops build` writes them" in (on_descriptor[0].hint or ""), on_descriptor[0]


def test_a_huge_descriptor_is_refused_unread(pkg):
    with open(pkg / "datapackage.json", "wb") as fh:
        fh.truncate(16 * 1024 * 1024 + 1)  # sparse: costs no disk
    problems = validate_tables(pkg)
    assert [(p.type, p.file) for p in problems] == [("file-too-large", "datapackage.json")]


def test_a_descriptor_that_is_a_fifo_is_refused_without_waiting(pkg, capsys):
    from nk_troops.cli import main

    fifo = pkg / "datapackage.json"
    fifo.unlink()
    os.mkfifo(fifo)
    try:
        problems = _within(30, lambda: validate_tables(pkg))
        assert [(p.type, p.file) for p in problems] == [("unsafe-path", "datapackage.json")]
        assert _within(30, lambda: main(["check-tables", "--package", str(pkg)])) == 1
        assert "datapackage.json: [unsafe-path]" in capsys.readouterr().out
    finally:  # a reader still blocked on it (the code before this test) is let go
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


def test_check_tables_reports_a_broken_descriptor_in_one_line(pkg, capsys):
    from nk_troops.cli import main

    (pkg / "datapackage.json").write_text("[" * 100_000, encoding="utf-8")
    assert main(["check-tables", "--package", str(pkg)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines()[0].startswith("datapackage.json:1:65: [descriptor-error]"), out
    assert "Traceback" not in out.err


# --------------------------------------------------------------------------- bytes that are not UTF-8


def _edit_raw(package: Path, resource: str, edits: dict[int, dict[str, str]]) -> None:
    """Set cells ({row number, header = 1: {field: text}}); every U+0001 in them is written as the byte 0xFF."""
    import csv
    import io

    from test_engine import _refresh

    path = package / "dataset" / "tables" / "csv" / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    for number, cells in edits.items():
        for name, value in cells.items():
            rows[number - 1][rows[0].index(name)] = value
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode("utf-8").replace(b"\x01", b"\xff")
    path.write_bytes(data)
    _refresh(package, resource, data)


@pytest.mark.parametrize(
    ("workers", "part_min"), [(2, None), (1, None), (2, 1000)], ids=["whole", "one-worker", "split"]
)
def test_a_bad_byte_is_located_to_its_row_and_the_rest_of_the_table_is_checked(pkg, monkeypatch, workers, part_min):
    import csv
    import io

    from nk_troops.engine import core

    if part_min:  # citations is read as several byte ranges, on both workers
        monkeypatch.setattr(core, "PART_MIN", part_min)
    path = pkg / "dataset" / "tables" / "csv" / "citations.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    last = len(rows)
    excerpt = rows[0].index("excerpt")
    middle = next(i + 1 for i in range(last // 2, last) if "\n" in rows[i][excerpt] and '"' in rows[i][excerpt])
    broken = rows[middle - 1][excerpt].replace("\n", "\n\x01", 1)  # inside quotes, after a line break
    _edit_raw(
        pkg,
        "citations",
        {
            2: {"citation_id": rows[1][0] + "\x01"},
            middle: {"excerpt": broken},
            middle + 2: {"char_end": "12x"},  # an ordinary error after the bad bytes
            last - 1: {"char_start": "-"},
            last: {"source_id": rows[last - 1][2] + "\x01"},  # its value is read again for the message
        },
    )
    problems = validate_tables(pkg, workers=workers)
    found = {(p.type, p.row, p.field) for p in problems if p.resource == "citations"}
    assert {
        ("encoding-error", 2, "citation_id"),
        ("encoding-error", middle, "excerpt"),
        ("encoding-error", last, "source_id"),
        ("field-error", middle + 2, "char_end"),
        ("field-error", last - 1, "char_start"),
    } <= found, problems
    assert {p.row for p in problems} <= {2, middle, middle + 2, last - 1, last}, problems  # nothing else, no row None
    data = path.read_bytes()
    second = data.index(b"\xff", data.index(b"\xff") + 1)  # the middle row's
    assert [p.message for p in problems if p.row == middle and p.type == "encoding-error"] == [
        f"byte {second:,} of the file is not UTF-8 (the row is checked with it read as U+FFFD)"
    ]


# --------------------------------------------------------------------------- no command reaches the network


@pytest.fixture
def no_network(monkeypatch) -> list:
    """Every attempt to open a socket or look up a host is recorded, and fails."""
    import socket

    attempts: list = []

    def refuse(name: str):
        def refused(*args, **kwargs):
            attempts.append((name, args[:2]))
            raise OSError(f"{name}: the network is blocked in this test")

        return refused

    class Socket(socket.socket):  # a class still (ssl subclasses socket.socket when it is imported)
        def __init__(self, *args, **kwargs):
            refuse("socket")(*args, **kwargs)

    monkeypatch.setattr(socket, "socket", Socket)
    for name in ("create_connection", "getaddrinfo"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def _previous_release(mini: Path, tmp_path: Path) -> Path:
    """The mini package as an earlier version: version 0.0.9, one figure's value different."""
    import csv
    import io

    from test_engine import _refresh

    previous = tmp_path / "previous"
    shutil.copytree(mini, previous)
    path = previous / "dataset" / "tables" / "csv" / "figures.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index("value")] = "1"
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    _refresh(previous, "figures", buf.getvalue().encode("utf-8"))
    path.write_bytes(buf.getvalue().encode("utf-8"))
    _edit_descriptor(previous, lambda d: d.__setitem__("version", "0.0.9"))
    return previous


def test_no_command_opens_a_connection(mini, tmp_path, no_network, capsys, monkeypatch):
    from nk_troops import metadata as M
    from nk_troops.cli import main

    previous = _previous_release(mini, tmp_path)
    monkeypatch.setattr(M, "VERSION", "0.1.0")  # a version that can be released (not X.Y.Z+unreleased)
    root = ["--root", str(mini)]
    runs = {
        "build": (["build", *root], 0),
        "validate": (["validate", *root], 0),
        "build --check": (["build", "--check", *root], 0),
        "check-tables": (["check-tables", "--package", str(mini)], 0),
        "diff": (["diff", str(previous), str(mini)], 0),
        "cite": (["cite"], 0),
        "release": (["release", "0.1.0", "--since", str(previous), *root], 0),
    }
    for name, (argv, code) in runs.items():
        assert (name, main(argv)) == (name, code), capsys.readouterr()
    assert (mini / "dist").is_dir()  # the release was made
    assert no_network == []

    # a descriptor naming an http URL: refused by every command that reads it, no connection tried
    _set(mini, "events", "path", "http://127.0.0.1:9/events.csv")
    for argv in (["validate", *root], ["build", "--check", *root], ["check-tables", "--package", str(mini)]):
        assert main(argv) == 1
        assert no_network == [], argv
    out = capsys.readouterr().out
    assert "[unsafe-path] field 'path': 'http://127.0.0.1:9/events.csv' is a URL" in out


def test_frictionless_is_never_handed_a_descriptor_that_names_a_url(mini, no_network):
    """frictionless-py fetches http paths itself; package_check refuses the descriptor first."""
    from nk_troops.package_check import frictionless_problems

    assert frictionless_problems(mini / "datapackage.json") == []  # the package as built: frictionless runs
    _set(mini, "events", "path", "http://127.0.0.1:9/events.csv")
    _set(mini, "figures", "schema", "http://127.0.0.1:9/figures-schema.json")
    problems = frictionless_problems(mini / "datapackage.json")
    assert sorted((p.type, p.resource, p.field) for p in problems) == [
        ("unsafe-path", "events", "path"),
        ("unsafe-path", "figures", "schema"),
    ]
    assert no_network == []


def test_diff_reads_no_table_outside_the_folder(mini, tmp_path, capsys):
    from nk_troops.cli import main

    (tmp_path / "outside.csv").write_text("figure_id,value\n" + SECRET + ",1\n", encoding="utf-8")
    other = tmp_path / "other"
    shutil.copytree(mini, other)
    os.symlink(tmp_path / "outside.csv", other / "dataset" / "figures-link.csv")
    _set(other, "figures", "path", "dataset/figures-link.csv")
    assert main(["diff", str(mini), str(other)]) == 2
    out = capsys.readouterr()
    assert "'dataset/figures-link.csv' leads outside the package's folder" in out.err
    assert SECRET not in out.out + out.err


def _claims(edit):
    def change(desc: dict) -> None:
        edit(next(r for r in desc["resources"] if r["name"] == "claims"))

    return change


DISAGREEING = {
    "delimiter": (_claims(lambda r: r.setdefault("dialect", {}).update(delimiter=";")), "claims", "dialect.delimiter"),
    "encoding": (_claims(lambda r: r.update(encoding="utf-16")), "claims", "encoding"),
    "format": (_claims(lambda r: r.update(format="parquet")), "claims", "format"),
    "field-dropped": (_claims(lambda r: r["schema"]["fields"].pop()), "claims", "schema.fields"),
    "type-changed": (_claims(lambda r: r["schema"]["fields"][0].update(type="integer")), "claims", "schema.fields"),
    "key-elsewhere": (_claims(lambda r: r["schema"].update(primaryKey=["record_type"])), "claims", "schema.primaryKey"),
    # each of these was accepted, while frictionless-py, reading by the descriptor, reported the package invalid
    "comment-char": (_claims(lambda r: r["dialect"].update(commentChar="f")), "claims", "dialect.commentChar"),
    "header-rows": (_claims(lambda r: r["dialect"].update(headerRows=[2])), "claims", "dialect.headerRows"),
    "field-format": (
        _claims(lambda r: r["schema"]["fields"][0].update(format="uri")),
        "claims",
        "schema.fields.claim_id.format",
    ),
    "enum-narrowed": (
        _claims(lambda r: r["schema"]["fields"][1]["constraints"].update(enum=["event"])),
        "claims",
        "schema.fields.record_type.constraints.enum",
    ),
    # and these, which frictionless-py reads (or refuses) otherwise: `layout` is the old name of the dialect's
    # header rows, `stats` a hash it checks, true is not 1 to it
    "layout": (_claims(lambda r: r.update(layout={"headerRows": [2]})), "claims", "layout"),
    "stats": (_claims(lambda r: r.update(stats={"sha256": "0" * 64})), "claims", "stats"),
    "compression": (_claims(lambda r: r.update(compression="gz")), "claims", "compression"),
    "fields-match": (_claims(lambda r: r["schema"].update(fieldsMatch="subset")), "claims", "schema.fieldsMatch"),
    # frictionless-py reads the flat delimiter, a v2 reader the nested one
    "delimiter-flat-and-nested": (
        _claims(lambda r: r["dialect"].update(delimiter=";", csv={"delimiter": ","})),
        "claims",
        "dialect.delimiter",
    ),
    "title-a-number": (_claims(lambda r: r.update(title=5)), "claims", "title"),
    "licenses-a-number": (_claims(lambda r: r.update(licenses=5)), "claims", "licenses"),
    "profile-data-resource": (_claims(lambda r: r.update(profile="data-resource")), "claims", "profile"),
    "format-upper-case": (_claims(lambda r: r.update(format="CSV")), "claims", "format"),
    "header-1": (_claims(lambda r: r["dialect"].update(header=1)), "claims", "dialect.header"),
    "line-end-5": (_claims(lambda r: r["dialect"].update(lineTerminator=5)), "claims", "dialect.lineTerminator"),
    "bare-number-1": (
        _claims(lambda r: r["schema"]["fields"][0].update(bareNumber=1)),
        "claims",
        "schema.fields.claim_id.bareNumber",
    ),
    "unique-1": (
        _claims(lambda r: r["schema"]["fields"][0]["constraints"].update(unique=1)),
        "claims",
        "schema.fields.claim_id.constraints.unique",
    ),
    "extra-table": (
        lambda d: d["resources"].append({"name": "zzz", "path": "dataset/tables/csv/claims.csv"}),
        "zzz",
        "name",
    ),
}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("licenses", 5),
        ("licenses", [5]),
        ("licenses", [{}]),
        ("contributors", [{"title": "x", "role": 5}]),
        ("keywords", [5]),
        ("title", ["a"]),
        ("created", "yesterday"),
        ("image", 5),
        ("name", "Bad Name!"),
        ("profile", "data-resource"),  # frictionless-py fetches it as a file
    ],
)
def test_a_package_property_a_reader_refuses_is_refused(pkg, key, value):
    """frictionless-py refuses a package whose licenses are not a list of licenses or whose name is not a name:
    check-tables said valid."""
    _edit_descriptor(pkg, lambda d: d.update({key: value}))
    problems = validate_tables(pkg)
    assert [(p.resource, p.field) for p in problems] == [(None, key)], problems


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda r: r["dialect"].update(title=5), "dialect.title"),
        (lambda r: r["dialect"].update(csv={"title": 5}), "dialect.csv.title"),
        (lambda r: r["schema"].update(description=5), "schema.description"),
        (lambda r: r["schema"]["fields"][0].update(title=5), "schema.fields.claim_id.title"),
        (lambda r: r["schema"]["fields"][0].update({"$schema": 3}), "schema.fields.claim_id.$schema"),
        (lambda r: r.update(licenses=[{}]), "licenses"),
        (lambda r: r.update(mediatype=5), "mediatype"),
    ],
    ids=["dialect", "nested-dialect", "schema", "field", "field-schema", "resource-licenses", "mediatype"],
)
def test_words_that_are_not_of_their_type_are_refused_wherever_they_stand(pkg, edit, field):
    _edit_descriptor(pkg, _claims(edit))
    problems = validate_tables(pkg)
    assert [(p.type, p.resource, p.field) for p in problems] == [("descriptor-error", "claims", field)], problems


def test_a_descriptor_may_give_a_default_or_describe_a_field_in_its_own_words(pkg):
    """What frictionless-py reads as the build's descriptor is not refused: defaults given, words changed, keys
    given as one name, lists whose order means nothing reordered, a dialect in Data Package v2's nested form."""

    def edit(desc: dict) -> None:
        claims = next(r for r in desc["resources"] if r["name"] == "claims")
        claims["dialect"].update(skipInitialSpace=False, headerRows=[1], headerCase=True, title="CSV")
        claims["schema"]["fields"][0].update(format="default", title="Claim", description="Any words.")
        claims["schema"]["fields"][1]["constraints"]["enum"].reverse()
        claims["schema"]["fields"][1]["constraints"]["unique"] = False
        claims["schema"]["primaryKey"] = "claim_id"
        citations = next(r for r in desc["resources"] if r["name"] == "citations")
        citations["encoding"] = "utf_8"
        next(r for r in desc["resources"] if r["name"] == "actors")["encoding"] = "utf-8-sig"
        claims["schema"]["fields"][1]["constraints"]["minLength"] = 0  # record_type has no minLength
        citations["dialect"] = {"header": True, "csv": {k: v for k, v in citations["dialect"].items() if k != "header"}}
        citations["schema"]["foreignKeys"].reverse()
        citations["schema"]["foreignKeys"][0]["fields"] = citations["schema"]["foreignKeys"][0]["fields"][0]

    _edit_descriptor(pkg, edit)
    assert validate_tables(pkg) == []


@pytest.mark.parametrize("kind", list(DISAGREEING))
def test_a_descriptor_that_describes_the_tables_otherwise_is_refused(pkg, kind):
    """Every row is right, but a consumer who trusts the descriptor would read the package otherwise."""
    edit, resource, field = DISAGREEING[kind]
    _edit_descriptor(pkg, edit)
    problems = validate_tables(pkg)
    assert [(p.type, p.file, p.resource, p.field) for p in problems] == [
        ("descriptor-error", "datapackage.json", resource, field)
    ], problems


def test_a_key_given_twice_in_the_descriptor_is_refused(pkg):
    """Readers differ on which of two 'path' keys counts: the descriptor is refused, never read either way."""
    desc = pkg / "datapackage.json"
    text = desc.read_text(encoding="utf-8")
    twice = text.replace(
        '"path": "dataset/tables/csv/claims.csv"',
        '"path": "../outside.csv", "path": "dataset/tables/csv/claims.csv"',
        1,
    )
    assert twice != text
    desc.write_text(twice, encoding="utf-8")
    problems = validate_tables(pkg)
    assert [p.type for p in problems] == ["descriptor-error"] and "'path' twice" in problems[0].message, problems
    assert SECRET not in _report(problems)


@pytest.mark.parametrize("where", ["package", "resource"])
@pytest.mark.parametrize("value", [{"url": "http://127.0.0.1:9/p.json"}, ["tabular-data-package"]])
def test_a_profile_that_is_not_text_is_refused_without_a_traceback(pkg, where, value):
    """`value in PROFILES` raised TypeError (unhashable) for an object or a list."""

    def edit(desc: dict) -> None:
        (desc if where == "package" else desc["resources"][0])["profile"] = value

    _edit_descriptor(pkg, edit)
    problems = validate_tables(pkg)
    assert [(p.type, p.field) for p in problems] == [("unsafe-path", "profile")], problems


def test_a_resource_listed_twice_is_refused_and_the_first_kept(pkg):
    """The last of two entries named alike silently won: a wrong size and hash in the first went unseen."""

    def edit(desc: dict) -> None:
        first = next(r for r in desc["resources"] if r["name"] == "figures")
        desc["resources"].insert(0, {**first, "bytes": 1})

    _edit_descriptor(pkg, edit)
    problems = validate_tables(pkg)
    assert sorted((p.type, p.resource, p.field) for p in problems) == [
        ("descriptor-error", "figures", "name"),
        ("table-hash-mismatch", "figures", None),  # the first entry is the one checked
    ], problems


def test_a_descriptor_that_is_a_link_out_of_the_package_is_never_read(pkg):
    outside = pkg.parent / "outside.json"
    (pkg / "datapackage.json").rename(outside)
    os.symlink(outside, pkg / "datapackage.json")
    problems = validate_tables(pkg)
    assert [(p.type, p.file) for p in problems] == [("unsafe-path", "datapackage.json")], problems
    assert "leads outside the package's folder" in problems[0].message
    os.unlink(pkg / "datapackage.json")
    os.symlink("datapackage.json", pkg / "datapackage.json")  # a link to itself
    assert [p.type for p in validate_tables(pkg)] == ["unsafe-path"]


def test_a_hash_in_upper_case_hex_is_the_same_hash(pkg):
    def edit(desc: dict) -> None:
        for res in desc["resources"]:
            algo, _, hexdigits = res["hash"].partition(":")
            res["hash"] = f"{algo}:{hexdigits.upper()}"

    _edit_descriptor(pkg, edit)
    assert validate_tables(pkg) == []
