"""diff and release on real packages: built from records, edited through the records, rebuilt."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import stand_in_plots, table_checker_only

from nk_troops import metadata as M
from nk_troops.build import build
from nk_troops.cli import main
from nk_troops.diff import compare, render_text, required_bump
from nk_troops.release import ReleaseError, bump_between, changelog_entry, release
from nk_troops.releases import read_record, sha256sums
from nk_troops.snapshot import from_folder

pytestmark = pytest.mark.usefixtures("plain_plots", "no_frictionless")  # conftest.py

REPO = Path(__file__).resolve().parents[1]
SEED = "000_903a45e1dc248108.txt"

SOURCES = [
    {
        "source_id": "korea-times-interview",
        "status": "archived",
        "archived_file": f"seeds/{SEED}",
        "sha256": hashlib.sha256((REPO / "seeds" / SEED).read_bytes()).hexdigest(),
        "kind": "interview",
        "outlet": "The Korea Times",
        "headline": {"unknown": "the archived text starts below the headline"},
        "byline": {"unknown": "no byline in the archived text"},
        "published": "2025-02-05",
        "url": {"unknown": "the archived text does not show it"},
        "language": "en",
    }
]
ACTORS = [
    {"actor_id": "ukrainian-forces", "name": "Ukrainian forces", "actor_type": "armed_force", "country": "UA"},
    {
        "actor_id": "dmytro-ponomarenko",
        "name": "Dmytro Ponomarenko",
        "actor_type": "person",
        "country": "UA",
        "role": "Ambassador of Ukraine to South Korea",
    },
]
EVENTS = [
    {
        "event_id": "ev-capture",
        "event_type": "capture",
        "summary": "Ukrainian forces capture two North Korean soldiers.",
        "date": "mid-January 2025",
        "place": "Kursk region",
        "place_precision": "subdivision",
        "country": "RU",
        "actor_id": "ukrainian-forces",
        "hedge": "asserted",
        "citations": [
            {
                "source_id": "korea-times-interview",
                "excerpt": "In mid-January, Ukrainian forces captured two North Korean soldiers",
                "voice": "claimant",
            }
        ],
    }
]
STATEMENTS = [
    {
        "statement_id": "st-end-war",
        "speaker_actor_id": "dmytro-ponomarenko",
        "form": "verbatim",
        "text": "Ukraine wants to end this war more than any other country",
        "date": "by 2025-02-05",
        "medium": "written_interview",
        "hedge": "asserted",
        "citations": [
            {
                "source_id": "korea-times-interview",
                "excerpt": "Ukraine wants to end this war more than any other country",
                "voice": "claimant",
            }
        ],
    }
]
FIGURES = [
    {
        "figure_id": "fg-killed-or-wounded",
        "measure": "killed_or_wounded",
        "subject": "North Korean military personnel fighting in Russia",
        "value": 4000,
        "qualifier": "approximately",
        "unit": "persons",
        "as_of": "by 2025-02-05",
        "claimant_actor_id": "dmytro-ponomarenko",
        "hedge": "asserted",
        "citations": [
            {
                "source_id": "korea-times-interview",
                "excerpt": "with approximately 4,000 killed or wounded so far",
                "voice": "claimant",
            }
        ],
    }
]
NEW_EVENT = {
    "event_id": "ev-interrogation-footage",
    "event_type": "disclosure",
    "summary": "Zelenskyy releases footage of the interrogation.",
    "date": "2025-01-12",
    "actor_id": "dmytro-ponomarenko",
    "hedge": "asserted",
    "citations": [
        {
            "source_id": "korea-times-interview",
            "excerpt": "Footage of their interrogation revealed by Ukrainian President Volodymyr Zelenskyy on Jan. 12",
            "voice": "claimant",
        }
    ],
}


# --------------------------------------------------------------------------- helpers


def write_records(root: Path, **tables: list) -> None:
    data = {
        "sources": SOURCES,
        "actors": ACTORS,
        "events": EVENTS,
        "statements": STATEMENTS,
        "figures": FIGURES,
        **tables,
    }
    folder = root / "dataset" / "records"
    folder.mkdir(parents=True, exist_ok=True)
    for name, records in data.items():
        (folder / f"{name}.yaml").write_text(
            yaml.safe_dump(records, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


def edit_records(root: Path, table: str, change) -> None:
    path = root / "dataset" / "records" / f"{table}.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = change(records)
    records = records if result is None or isinstance(result, tuple) else result
    path.write_text(yaml.safe_dump(records, sort_keys=False, allow_unicode=True), encoding="utf-8")


def rebuild(root: Path) -> None:
    """A build with stand-in plots and the table checker alone (what this module tests is the diff and the release)."""
    with stand_in_plots(), table_checker_only():
        report, _ = build(root)
    assert report.ok, report.render()


def make_package(root: Path) -> Path:
    (root / "seeds").mkdir(parents=True)
    shutil.copy2(REPO / "seeds" / SEED, root / "seeds" / SEED)
    write_records(root)
    rebuild(root)
    return root


@pytest.fixture(scope="module")
def _built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built once for this module (a build is about a second); tests get copies of it."""
    return make_package(tmp_path_factory.mktemp("diff-template") / "package")


def built_copy(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    return target


@pytest.fixture(scope="module")
def _built_010(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same package built as version 0.1.0, for the release tests' repository."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(M, "VERSION", "0.1.0")
        return make_package(tmp_path_factory.mktemp("diff-template-010") / "package")


@pytest.fixture
def old(tmp_path: Path, _built: Path) -> Path:
    return built_copy(_built, tmp_path / "old")


@pytest.fixture
def new(old: Path, tmp_path: Path) -> Path:
    target = tmp_path / "new"
    shutil.copytree(old, target)
    return target


def diff_of(old: Path, new: Path):
    return compare(from_folder(old), from_folder(new))


def run(argv: list[str]) -> int:
    return main(argv)


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def kinds(diff) -> set[tuple]:
    return {(c.kind, c.table, c.id, c.bump) for c in diff.records}


# --------------------------------------------------------------------------- diff: records


def test_same_package_needs_no_bump(old: Path, new: Path):
    diff = diff_of(old, new)
    assert diff.changes == [] and required_bump(diff) == "none"
    assert "No differences" in render_text(diff)


def test_added_record_is_minor(old: Path, new: Path):
    edit_records(new, "events", lambda ev: ev.append(NEW_EVENT))
    rebuild(new)
    diff = diff_of(old, new)
    assert kinds(diff) == {
        ("added", "events", "ev-interrogation-footage", "minor"),
        ("added", "claims", "ev-interrogation-footage", "patch"),
        ("added", "citations", "ev-interrogation-footage/c1", "patch"),
    }
    assert diff.schema == []
    assert required_bump(diff) == "minor"
    added = next(c for c in diff.records if c.table == "events")
    assert added.row["summary"] == NEW_EVENT["summary"] and added.row["date_start"] == "2025-01-12"


def test_changed_value_is_patch_with_old_and_new(old: Path, new: Path, capsys):
    def change(figures):
        figures[0]["value"] = 4500
        figures[0]["qualifier"] = "more_than"

    edit_records(new, "figures", change)
    rebuild(new)
    diff = diff_of(old, new)
    assert required_bump(diff) == "patch"
    [c] = diff.records
    assert (c.kind, c.table, c.id) == ("changed", "figures", "fg-killed-or-wounded")
    assert c.fields == {
        "value": {"old": "4000", "new": "4500"},
        "qualifier": {"old": "approximately", "new": "more_than"},
    }
    text = render_text(diff)
    assert "Required version bump: patch" in text
    assert "~ fg-killed-or-wounded  [patch]" in text and 'value: "4000" → "4500"' in text

    assert run(["diff", str(old), str(new), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["required_bump"] == "patch"
    assert out["records"] == [
        {"kind": "changed", "bump": "patch", "table": "figures", "id": "fg-killed-or-wounded", "fields": c.fields}
    ]


LONG_NOTE = (
    "Printed without a hedge of its own ('another 2,700 wounded'); the sentence's 'At least' is read as applying "
    "to the 300 killed only. If it covers both numbers, this is 'at least 2,700'. Not added to the 300 killed."
)


def test_a_change_late_in_a_long_text_is_shown_where_it_is(old: Path, new: Path):
    """Both sides of a long text used to be cut at the same point, so a change past it showed as two equal values."""
    for root, note in ((old, LONG_NOTE), (new, LONG_NOTE.replace("Not added", "Never added"))):
        edit_records(root, "figures", lambda figures, note=note: figures[0].update(notes=note))
        rebuild(root)
    diff = diff_of(old, new)
    [c] = diff.records
    assert c.fields == {"notes": {"old": LONG_NOTE, "new": LONG_NOTE.replace("Not added", "Never added")}}
    line = next(ln for ln in render_text(diff).splitlines() if ln.strip().startswith("notes:"))
    before, after = line.split(" → ")
    assert "Not added to the 300 killed." in before and "Never added to the 300 killed." in after, line
    assert before.lstrip().startswith('notes: "…') and len(line) < len(LONG_NOTE) * 2  # the unchanged start is elided
    entry = changelog_entry("0.2.0", "2026-11-22", diff, "v0.1.0")
    assert 'Not added to the 300 killed." → "…' in entry and "Never added to the 300 killed." in entry, entry


def test_removed_record_is_major(old: Path, new: Path):
    edit_records(new, "figures", lambda f: [])
    rebuild(new)
    diff = diff_of(old, new)
    assert ("removed", "figures", "fg-killed-or-wounded", "major") in kinds(diff)
    assert ("removed", "citations", "fg-killed-or-wounded/c1", "patch") in kinds(diff)
    assert required_bump(diff) == "major"
    assert "- fg-killed-or-wounded  [major]" in render_text(diff)


def test_renamed_id_is_a_removal_and_an_addition(old: Path, new: Path):
    edit_records(new, "events", lambda ev: ev[0].update(event_id="ev-capture-kursk"))
    rebuild(new)
    diff = diff_of(old, new)
    assert {("removed", "events", "ev-capture", "major"), ("added", "events", "ev-capture-kursk", "minor")} <= kinds(
        diff
    )
    assert required_bump(diff) == "major"


def test_second_citation_of_a_claim_is_patch(old: Path, new: Path):
    extra = {
        "source_id": "korea-times-interview",
        "excerpt": "Ukrainian forces captured two North Korean soldiers who had been fighting for Russia",
        "voice": "claimant",
    }
    edit_records(new, "events", lambda ev: ev[0]["citations"].insert(0, extra))
    rebuild(new)
    diff = diff_of(old, new)
    # the citation ids are positions: c1 now holds the new excerpt and the old one moved to c2
    assert kinds(diff) == {
        ("added", "citations", "ev-capture/c2", "patch"),
        ("changed", "citations", "ev-capture/c1", "patch"),
    }
    assert required_bump(diff) == "patch"


# --------------------------------------------------------------------------- diff: schema


def _edit_built_table(root: Path, table: str, edit_schema, edit_csv) -> None:
    """Change the built package directly (models cannot be edited in a test): the schema in datapackage.json and the CSV."""
    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == table)
    edit_schema(res["schema"])
    path = root / res["path"]
    data = edit_csv(path.read_bytes().decode("utf-8")).encode("utf-8")
    path.write_bytes(data)
    res["bytes"], res["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()  # a package, built so
    (root / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")


def _lines(edit):
    return lambda text: "\r\n".join(edit(text.split("\r\n")))


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_lines(lambda ls: [ls[0], ls[1], *ls[1:]]), "repeats the primary key"),
        (_lines(lambda ls: ls[1:]), "has the header"),
        (lambda text: "", "has the header None"),
        (_lines(lambda ls: [ls[0], ls[1] + ",extra", *ls[2:]]), "data row 1 has"),
        (_lines(lambda ls: [ls[0], '"' + ls[1], *ls[2:]]), "cells; the header has"),
    ],
    ids=["a-row-twice", "no-header", "emptied", "a-cell-too-many", "a-quote-left-open"],
)
def test_a_table_that_is_not_what_its_descriptor_says_is_refused_not_diffed(old: Path, new: Path, capsys, edit, said):
    """Each of these was compared row by row and gave a confident bump, exit 0 (a row twice: no difference; no
    header: the first row read as the header, a major bump). Now one line, exit 2, as for a broken descriptor."""
    _edit_built_table(new, "actors", lambda schema: None, edit)
    assert run(["diff", str(old), str(new)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "actors.csv" in err[0] and said in err[0], err


def _edit_descriptor(root: Path, edit) -> None:
    desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    edit(desc)
    (root / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")


def test_a_table_described_without_its_format_is_still_compared(old: Path, new: Path):
    """Data Package infers a CSV table's format from its path: diff skipped every resource that did not say
    format 'csv', and a package with every record removed from a table needed no bump."""
    for root in (old, new):
        _edit_descriptor(root, lambda d: [r.pop("format") for r in d["resources"]])
    _edit_built_table(new, "actors", lambda schema: None, _lines(lambda ls: [ls[0], *ls[2:]]))
    diff = diff_of(old, new)
    assert [c.kind for c in diff.records] == ["removed"] and required_bump(diff) == "major"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda r: r.update(format="CSV"), "'format' is 'CSV'"),
        (lambda r: r.update(encoding="latin-1"), "'encoding' is 'latin-1'"),
        (lambda r: r["dialect"].update(delimiter=";"), "'delimiter' is ';'"),
        (lambda r: r.update(layout={"headerRows": [2]}), "layout"),
    ],
    ids=["format", "encoding", "dialect", "layout"],
)
def test_a_table_described_to_be_read_otherwise_is_refused_not_diffed(old: Path, new: Path, capsys, edit, said):
    """A table read as the build writes it, when its descriptor says to read it otherwise, gave a confident bump
    (a delimiter ';' read with ',': a header mismatch; 'latin-1' read as UTF-8; 'CSV' skipped: 'none')."""
    _edit_descriptor(new, lambda d: edit(next(r for r in d["resources"] if r["name"] == "actors")))
    assert run(["diff", str(old), str(new)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "resource 'actors'" in err[0] and said in err[0], err


def test_a_table_changed_after_the_build_is_refused(old: Path, new: Path, capsys):
    path = new / "dataset/tables/csv/actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\x00\r\n", 1))
    assert run(["diff", str(old), str(new)]) == 2
    assert "does not have the sha256 the descriptor gives" in capsys.readouterr().err


def test_ids_and_values_from_a_package_reach_the_terminal_inert(old: Path, new: Path, capsys):
    """A record id from a package folder was printed as it was: an escape sequence in it set the terminal's title
    and colour. The text output now writes every control, invisible or bidi character as its escape."""
    first = (old / "dataset/tables/csv/events.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    hostile = first + "\x1b]0;pwned\x07\x1b[31m"
    _edit_built_table(new, "events", lambda schema: None, lambda text: text.replace(first, hostile, 1))
    assert run(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out, out
    assert first + "\\x1b]0;pwned\\x07\\x1b[31m" in out, out


def test_renamed_field_is_detected_and_major(old: Path, new: Path):
    def schema(s):
        next(f for f in s["fields"] if f["name"] == "place")["name"] = "location"

    _edit_built_table(new, "events", schema, lambda text: text.replace(",place,", ",location,", 1))
    diff = diff_of(old, new)
    assert [(c.kind, c.table, c.field, c.to, c.bump) for c in diff.schema] == [
        ("field_renamed", "events", "place", "location", "major")
    ]
    assert diff.records == []  # the values moved with the field: no record changed
    assert required_bump(diff) == "major"
    assert "[major] field 'events.place' renamed to 'location' (same values)" in render_text(diff)


def test_removed_and_added_fields(old: Path, new: Path):
    def schema(s):
        s["fields"] = [f for f in s["fields"] if f["name"] != "role"]

    def csv_text(text):
        lines = [line.split(",") for line in text.split("\r\n") if line]
        i = lines[0].index("role")
        return "".join(",".join(cells[:i] + cells[i + 1 :]) + "\r\n" for cells in lines)

    _edit_built_table(new, "actors", schema, csv_text)
    diff = diff_of(old, new)
    assert [(c.kind, c.table, c.field, c.bump) for c in diff.schema] == [("field_removed", "actors", "role", "major")]
    assert diff.records == [] and required_bump(diff) == "major"

    # the reverse direction is an added field: minor
    back = compare(from_folder(new), from_folder(old))
    assert [(c.kind, c.field, c.bump) for c in back.schema] == [("field_added", "role", "minor")]
    assert back.records == [] and required_bump(back) == "minor"


def test_type_and_constraint_changes(old: Path, new: Path):
    def schema(s):
        fields = {f["name"]: f for f in s["fields"]}
        fields["value"]["type"] = "integer"
        fields["qualifier"]["constraints"]["enum"].append("roughly")
        fields["subject"]["description"] = "Whose number it is."
        fields["value_low"]["decimalChar"] = ","  # each value read otherwise: as a change of type

    _edit_built_table(new, "figures", schema, lambda text: text)
    diff = diff_of(old, new)
    got = {(c.field, c.attribute, c.bump) for c in diff.schema}
    assert got == {
        ("value", "type", "major"),
        ("value_low", "decimalChar", "major"),
        ("qualifier", "constraints.enum", "minor"),
        ("subject", "description", "patch"),
    }
    assert required_bump(diff) == "major"
    # withdrawing an allowed value is major
    back = compare(from_folder(new), from_folder(old))
    assert ("qualifier", "constraints.enum", "major") in {(c.field, c.attribute, c.bump) for c in back.schema}


@pytest.mark.parametrize(
    ("edit", "attribute", "bump"),
    [
        (lambda d, r: r.update(licenses=[{"name": "proprietary"}]), "licenses", "major"),
        (lambda d, r: r.pop("profile"), "profile", "major"),  # R's frictionless no longer reads it (another is refused)
        (lambda d, r: r.update(sources=[{"title": "elsewhere"}]), "sources", "patch"),
        (lambda d, r: d.update(sources=d["sources"][1:]), "sources", "patch"),
        (lambda d, r: d.update(profile="data-package"), "profile", "major"),
    ],
    ids=["resource-licence", "resource-profile", "resource-sources", "package-sources", "package-profile"],
)
def test_a_change_of_a_resource_or_package_property_is_not_none(old: Path, new: Path, edit, attribute, bump):
    """Found in review: a resource's own licence (which overrides the package's), its profile, or the package's
    sources changed, and diff said no bump was needed."""
    _edit_descriptor(new, lambda d: edit(d, next(r for r in d["resources"] if r["name"] == "figures")))
    diff = diff_of(old, new)
    assert [(c.attribute, c.bump) for c in diff.schema] == [(attribute, bump)]
    assert required_bump(diff) == bump


def test_a_table_moved_to_another_path_is_major(old: Path, new: Path):
    (new / "dataset/tables/csv/figures.csv").rename(new / "dataset/tables/csv/figures-moved.csv")
    _edit_descriptor(
        new,
        lambda d: next(r for r in d["resources"] if r["name"] == "figures").update(
            path="dataset/tables/csv/figures-moved.csv"
        ),
    )
    diff = diff_of(old, new)
    assert [(c.table, c.attribute, c.bump) for c in diff.schema] == [("figures", "path", "major")]


def test_a_field_property_given_at_its_default_is_no_change(old: Path, new: Path):
    """Found in review: "decimalChar": "." added to a field (how every reader reads it anyway) was a major bump."""

    def schema(s):
        value = next(f for f in s["fields"] if f["name"] == "value")
        value.update(decimalChar=".", bareNumber=True)

    _edit_built_table(new, "figures", schema, lambda text: text)
    assert required_bump(diff_of(old, new)) == "none"


def test_removed_table_is_major(old: Path, new: Path):
    desc = json.loads((new / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] = [r for r in desc["resources"] if r["name"] != "claim_links"]
    (new / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    diff = diff_of(old, new)
    assert [(c.kind, c.table, c.bump) for c in diff.schema] == [("table_removed", "claim_links", "major")]
    assert [(c.kind, c.table, c.bump) for c in diff_of(new, old).schema] == [("table_added", "claim_links", "minor")]


# --------------------------------------------------------------------------- diff: git revisions and mistakes


@pytest.fixture(scope="module")
def _released_010(tmp_path_factory: pytest.TempPathFactory, _built_010: Path) -> Path:
    """A git repository whose first commit is a built package released as 0.1.0 (its record in releases/), made
    once for this module (a release and a commit take about half a second); tests get copies of it."""
    root = built_copy(_built_010, tmp_path_factory.mktemp("released-010") / "repo")
    with pytest.MonkeyPatch.context() as mp, stand_in_plots(), table_checker_only():  # as the tests run
        mp.setattr(M, "VERSION", "0.1.0")
        rebuild(root)
        git(root, "init", "-q")
        assert release(root, "0.1.0").previous is None
    (root / ".gitignore").write_text("dist/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "0.1.0")
    return root


@pytest.fixture
def repo(tmp_path: Path, monkeypatch, _released_010: Path) -> Path:
    """A copy of that repository, the package's version 0.1.0 while the test runs."""
    monkeypatch.setattr(M, "VERSION", "0.1.0")
    return built_copy(_released_010, tmp_path / "repo")


def test_diff_against_a_release_and_a_git_revision(repo: Path, capsys):
    """No git tag is needed: a release is found by its record, at the commit that added it."""
    edit_records(repo, "events", lambda ev: ev[0].update(place="Kursk Oblast"))
    rebuild(repo)
    assert run(["diff", "0.1.0", "--root", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "Comparing release 0.1.0 (" in out and "Required version bump: patch" in out
    assert 'place: "Kursk region" → "Kursk Oblast"' in out

    git(repo, "commit", "-qam", "place")
    assert run(["diff", "HEAD~1", "HEAD", "--root", str(repo), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["records"][0]["fields"] == {"place": {"old": "Kursk region", "new": "Kursk Oblast"}}


def test_plain_errors_for_user_mistakes(repo: Path, tmp_path: Path, capsys):
    assert run(["diff", "v9.9.9", "--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "'v9.9.9' is not a git revision" in err and "Traceback" not in err
    assert run(["diff", "9.9.9", "--root", str(repo)]) == 2
    assert "'9.9.9' has no record in releases/ (released: 0.1.0)" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["diff", str(empty), str(repo)]) == 2
    assert "no datapackage.json" in capsys.readouterr().err
    assert run(["diff", "v0.1.0", "--root", str(empty)]) == 2
    assert "not a git repository" in capsys.readouterr().err
    assert run(["release", "0.2.0", "--root", str(empty)]) == 2
    assert "not the dataset's folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- release


def _zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_bump_between():
    assert bump_between("0.1.0", "0.1.1") == "patch"
    assert bump_between("0.1.3", "0.2.0") == "minor"
    assert bump_between("0.4.2", "1.0.0") == "major"
    for wrong in ("0.3.0", "0.2.1", "0.1.0", "0.0.9", "v0.2.0", "0.2"):
        with pytest.raises(ReleaseError):
            bump_between("0.1.0", wrong)


def test_release_writes_changelog_and_a_checked_zip(repo: Path, monkeypatch):
    edit_records(repo, "events", lambda ev: (ev.append(NEW_EVENT), ev[0].update(place="Kursk Oblast")))
    monkeypatch.setattr(M, "VERSION", "0.2.0")
    rebuild(repo)

    done = release(repo, "0.2.0")
    assert (done.previous, done.bump, done.required) == ("0.1.0", "minor", "minor")
    assert done.zip_path == repo / "dist" / f"{M.NAME}-0.2.0.zip"

    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n")
    assert f"## [0.2.0] - {M.RELEASED}" in changelog
    assert "Compared with 0.1.0; the changes need a minor version." in changelog
    assert "### Added\n\n- events `ev-interrogation-footage`\n- citations `ev-interrogation-footage/c1`\n" in changelog
    assert '### Changed\n\n- events `ev-capture`: `place` "Kursk region" → "Kursk Oblast"\n' in changelog
    assert "### Removed" not in changelog and "claims `" not in changelog

    members = _zip_members(done.zip_path)
    prefix = f"{M.NAME}-0.2.0/"
    assert list(members) == sorted(members) and all(n.startswith(prefix) for n in members)
    names = {n.removeprefix(prefix) for n in members}
    for required in (
        "datapackage.json",
        "dataset/tables/parquet/datapackage.json",
        "dataset/tables/csv/events.csv",
        "dataset/tables/parquet/events.parquet",
        "dataset/tables/sqlite/nk_troops.sqlite",
        "CITATION.cff",
        "CHANGELOG.md",
        "SHA256SUMS",
    ):
        assert required in names
    if (repo / "docs" / "codebook.md").exists():
        assert "docs/codebook.md" in names
    assert {"docs/site/index.html", "docs/site/annotations.jsonld", "docs/plots/figures_by_claimant.svg"} <= names
    assert json.loads(members[prefix + "datapackage.json"])["version"] == "0.2.0"
    assert b"version: 0.2.0\n" in members[prefix + "CITATION.cff"]
    assert members[prefix + "CHANGELOG.md"].decode("utf-8") == changelog

    # SHA256SUMS lists every other member, with its real hash
    sums = {}
    for line in members[prefix + "SHA256SUMS"].decode("utf-8").splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    assert set(sums) == names - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(members[prefix + name]).hexdigest() == digest

    # the release is recorded: every file's sha256 and the content hash (the sha256 of SHA256SUMS)
    record = read_record(repo, "0.2.0")
    assert record is not None and record.changelog == done.changelog_entry
    assert record.files == sums and record.content_sha256 == hashlib.sha256(members[prefix + "SHA256SUMS"]).hexdigest()
    assert record.zip_sha256 == hashlib.sha256(done.zip_path.read_bytes()).hexdigest()
    with pytest.raises(ReleaseError, match="0.2.0 is already released"):
        release(repo, "0.2.0")

    # same inputs, same bytes; the changelog keeps one entry per version
    first = done.zip_path.read_bytes()
    (repo / record.path).unlink()
    release(repo, "0.2.0")
    assert done.zip_path.read_bytes() == first and read_record(repo, "0.2.0") == record
    assert (repo / "CHANGELOG.md").read_text(encoding="utf-8").count("## [0.2.0]") == 1
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(*map(int, M.RELEASED.split("-")), 0, 0, 0)}

    # the next release goes on top
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "0.2.0")
    edit_records(repo, "figures", lambda f: f[0].update(value=4100))
    monkeypatch.setattr(M, "VERSION", "0.2.1")
    rebuild(repo)
    assert release(repo, "0.2.1").required == "patch"
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## [0.2.1]") < changelog.index("## [0.2.0]")
    assert "Compared with 0.2.0;" in changelog


def test_release_refuses_a_too_small_bump(repo: Path, monkeypatch):
    changelog = (repo / "CHANGELOG.md").read_bytes()
    edit_records(repo, "figures", lambda f: [])
    monkeypatch.setattr(M, "VERSION", "0.2.0")
    rebuild(repo)
    with pytest.raises(ReleaseError) as e:
        release(repo, "0.2.0")
    msg = str(e.value)
    assert "0.1.0 → 0.2.0 is a minor release" in msg and "need a major release" in msg
    assert "figures 'fg-killed-or-wounded' removed" in msg
    assert (repo / "CHANGELOG.md").read_bytes() == changelog, "a refused release wrote its changelog entry"
    assert not (repo / "dist" / f"{M.NAME}-0.2.0.zip").exists() and read_record(repo, "0.2.0") is None

    monkeypatch.setattr(M, "VERSION", "1.0.0")
    rebuild(repo)
    assert release(repo, "1.0.0").bump == "major"


@pytest.mark.parametrize("broken", ["changelog-missing", "released-before", "dist-a-file"])
def test_release_refuses_what_would_lose_history_before_writing_anything(repo: Path, monkeypatch, broken):
    """Found in review: a missing CHANGELOG.md was written anew with the new entry alone (the earlier ones lost);
    a release date before the last release's was taken; a dist/ that was a file failed after the changelog was
    rewritten."""
    edit_records(repo, "figures", lambda f: [])
    monkeypatch.setattr(M, "VERSION", "1.0.0")
    if broken == "released-before":
        monkeypatch.setattr(M, "RELEASED", "2000-01-01")
    rebuild(repo)
    if broken == "changelog-missing":
        (repo / "CHANGELOG.md").unlink()
    elif broken == "dist-a-file":
        shutil.rmtree(repo / "dist")
        (repo / "dist").write_bytes(b"a file")
    before = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    with pytest.raises(ReleaseError) as e:
        release(repo, "1.0.0")
    said = {"changelog-missing": "CHANGELOG.md is missing", "released-before": "before 0.1.0's release date"}
    assert said.get(broken, "dist is a link or a file") in str(e.value)
    assert {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts} == before


def test_a_version_whose_record_was_removed_is_not_released_again(repo: Path):
    """Found in review: with releases/0.1.0.json removed and committed, 0.1.0 could be released again, and the
    history then held two releases of one version."""
    git(repo, "rm", "-q", "releases/0.1.0.json")
    git(repo, "commit", "-qm", "withdraw 0.1.0")
    with pytest.raises(ReleaseError) as e:
        release(repo, "0.1.0")
    assert "0.1.0 was released before: its record was added in commit" in str(e.value)


def test_release_refuses_when_the_version_is_not_set(repo: Path, capsys):
    edit_records(repo, "figures", lambda f: f[0].update(value=4100))
    rebuild(repo)
    assert run(["release", "0.1.1", "--root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert f"the package version is {M.VERSION}, not 0.1.1" in err
    assert "src/nk_troops/__init__.py" in err and "nk-troops build" in err and "Traceback" not in err


def test_release_refuses_unbuilt_changes_and_odd_versions(repo: Path, monkeypatch):
    monkeypatch.setattr(M, "VERSION", "0.1.1")
    with pytest.raises(ReleaseError, match="run `nk-troops build`"):
        release(repo, "0.1.1")  # datapackage.json still says 0.1.0
    rebuild(repo)
    with pytest.raises(ReleaseError, match=r"nothing changed since 0\.1\.0 \(releases/0\.1\.0\.json\)"):
        release(repo, "0.1.1")  # the previous release named by its record (it said 'None')
    monkeypatch.setattr(M, "VERSION", "0.3.0")
    rebuild(repo)
    with pytest.raises(ReleaseError, match="does not follow 0.1.0"):
        release(repo, "0.3.0")


def test_release_since_a_folder_and_first_release(repo: Path, tmp_path: Path, monkeypatch):
    previous = tmp_path / "previous"
    shutil.copytree(repo, previous, ignore=shutil.ignore_patterns(".git"))
    edit_records(repo, "statements", lambda s: s[0].update(medium="interview"))
    monkeypatch.setattr(M, "VERSION", "0.1.1")
    rebuild(repo)
    assert release(repo, "0.1.1", since=str(previous)).required == "patch"
    assert "Compared with 0.1.0; the changes need a patch version." in (repo / "CHANGELOG.md").read_text(
        encoding="utf-8"
    )

    # the package just built at 0.1.1, without git, tags, releases or changelog: a first release (--since would compare)
    fresh = tmp_path / "fresh"
    shutil.copytree(repo, fresh, ignore=shutil.ignore_patterns(".git", "dist", "releases", "CHANGELOG.md"))
    subprocess.run(["git", "-C", str(fresh), "init", "-q"], check=True)
    done = release(fresh, "0.1.1")
    assert done.previous is None and "First release." in done.changelog_entry


def test_a_release_is_compared_only_if_history_holds_its_files(repo: Path, capsys):
    """The record pins the bytes: a record (or a history) changed afterwards is refused, never compared."""
    from nk_troops.releases import ReleaseRecord, sha256sums

    record = read_record(repo, "0.1.0")
    assert record is not None
    files = dict(record.files, **{"dataset/tables/csv/figures.csv": "ab" * 32})
    forged = ReleaseRecord(
        **{**record.__dict__, "files": files, "content_sha256": hashlib.sha256(sha256sums(files)).hexdigest()}
    )
    (repo / record.path).write_bytes(forged.to_bytes())
    assert run(["diff", "0.1.0", "--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "'dataset/tables/csv/figures.csv' at commit" in err and "is not the file released" in err


def test_verify_rebuilds_the_zip_of_a_recorded_release(repo: Path, capsys):
    """What the release workflow runs on a tag: the zip rebuilt from the tree must be the recorded one."""
    assert run(["release", "0.1.0", "--verify", "--root", str(repo)]) == 0
    assert "is release 0.1.0, byte for byte" in capsys.readouterr().out
    released = sorted((repo / "dist").iterdir())
    zipped = {p: p.read_bytes() for p in released}
    csv = repo / "dataset" / "tables" / "csv" / "events.csv"
    csv.write_bytes(csv.read_bytes().replace(b"Kursk region", b"Kursk Oblast"))
    assert run(["release", "0.1.0", "--verify", "--root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "'dataset/tables/csv/events.csv' differs" in err and "are NOT release 0.1.0 (no zip written)" in err
    assert {p: p.read_bytes() for p in sorted((repo / "dist").iterdir())} == zipped  # found in review: overwritten
    assert run(["release", "0.9.0", "--verify", "--root", str(repo)]) == 2  # misuse, as `diff 0.9.0` is
    assert "0.9.0 has no record in releases/" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["1.0.0+unreleased"], ["v0.2"], ["0.2", "--verify"], ["x", "--since", "0.1.0"]])
def test_a_version_argument_not_of_the_form_major_minor_patch_is_misuse(repo: Path, capsys, argv):
    """It exited 1, as a data problem does; a version no release can have is misuse: one line, exit 2."""
    assert run(["release", *argv, "--root", str(repo)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "MAJOR.MINOR.PATCH" in err[0], err


@pytest.mark.parametrize(
    ("descriptor", "why"),
    [
        ("[]", "it is not a JSON object"),
        ('{"resources": {}}', "'resources' is not a list"),
        ('{"resources": [{"path": "x.csv"}]}', "resource 0 is not an object with a name"),
        ('{"resources": [{"name": "x", "schema": {"fields": [1]}}]}', "does not list its fields"),
        ('{"resources": [{"name": "x", "schema": {"fields": [], "primaryKey": 3}}]}', "primaryKey of 'x'"),
        ('{"resources": [{"name": "x", "path": "x.csv"}, {"name": "x", "path": "y.csv"}]}', "name 'x' of an earlier"),
        ('{"resources": [{"name": "x", "schema": {"fields": []}}]}', "'x' has no path"),
        ('{"resources": [{"name": "x", "schema": {"fields": [{"name": "f", "constraints": []}]}}]}', "field 'f' of"),
        (
            '{"resources": [{"name": "x", "schema": {"fields": [{"name": "f", "constraints": {"enum": [["a"]]}}]}}]}',
            "an enum",
        ),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ],
)
def test_diff_of_a_malformed_descriptor_is_one_line_not_a_traceback(tmp_path: Path, capsys, descriptor, why):
    """Found in review: '[]' gave AttributeError, a nameless resource KeyError, deep nesting RecursionError."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "datapackage.json").write_text(descriptor, encoding="utf-8")
    assert run(["diff", str(bad), str(bad)]) == 2
    err = capsys.readouterr().err
    assert why in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_diff_of_a_table_that_is_not_utf8_is_one_line(tmp_path: Path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "t.csv").write_bytes(b"id\n\xff\xfe\n")
    (bad / "datapackage.json").write_text(
        '{"resources": [{"name": "t", "path": "t.csv", "format": "csv", "schema": {"fields": [{"name": "id"}]}}]}',
        encoding="utf-8",
    )
    assert run(["diff", str(bad), str(bad)]) == 2
    assert "cannot be read as UTF-8 CSV" in capsys.readouterr().err


@pytest.mark.parametrize("dist", ["link", "file", "tmp-link"])
def test_release_writes_no_zip_through_a_link_or_over_a_file(repo: Path, tmp_path: Path, capsys, dist):
    """Found in review: a dist/ that was a link had the zip written where it pointed, a link at the zip's
    temporary name had its target overwritten, and a dist/ that was a file stopped with a traceback."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_bytes(b"keep")
    shutil.rmtree(repo / "dist")  # the fixture's release wrote its zip there
    if dist == "link":
        (repo / "dist").symlink_to(outside, target_is_directory=True)
    elif dist == "file":
        (repo / "dist").write_bytes(b"not a folder")
    else:
        (repo / "dist").mkdir()
        (repo / "dist" / f"{M.NAME}-0.1.0.zip.tmp").symlink_to(outside / "victim")
    code = run(["release", "0.1.0", "--verify", "--root", str(repo)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    assert (outside / "victim").read_bytes() == b"keep" and sorted(p.name for p in outside.iterdir()) == ["victim"]
    if dist == "tmp-link":
        assert code == 0  # the link was removed, not followed
    else:
        assert code == 1 and "dist is a link or a file, not a folder" in err, err


def test_verify_of_a_record_whose_zip_hash_was_changed_says_the_record_and_both_hashes(repo: Path, capsys):
    """Found in review: a record whose zip_sha256 was edited was blamed on zlib or Python ("the zip's bytes are
    not..."), as if the machine were at fault; the record is as likely, and both hashes are now shown."""
    path = repo / "releases" / "0.1.0.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    rebuilt, record["zip_sha256"] = record["zip_sha256"], "0" * 64
    path.write_text(json.dumps(record), encoding="utf-8")
    assert run(["release", "0.1.0", "--verify", "--root", str(repo)]) == 1
    err = capsys.readouterr().err
    assert f"the zip rebuilt from them has sha256 {rebuilt}; releases/0.1.0.json records {'0' * 64}" in err, err
    assert "zlib" in err and not (repo / "dist" / "north-korean-troops-russia-ukraine-0.1.0.rebuilt").exists()


@pytest.mark.parametrize("name", ["../x", "./LICENSE", "a/./b", "LICENSE\n::error forged"])
def test_verify_of_a_record_that_cannot_be_read_is_one_line(repo: Path, capsys, name):
    """Found in review: it ended in 'internal error' (a ReleaseError raised where the arguments are checked).
    A path with a '.' part (the zip would hold './LICENSE' beside 'LICENSE') or a control character is refused
    too, shown escaped."""
    path = repo / "releases" / "0.1.0.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    first = sorted(record["files"])[0]
    record["files"][name] = record["files"].pop(first)
    record["content_sha256"] = hashlib.sha256(sha256sums(record["files"])).hexdigest()  # only the path is wrong
    path.write_text(json.dumps(record), encoding="utf-8")
    assert run(["release", "0.1.0", "--verify", "--root", str(repo)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "releases/0.1.0.json" in err[0] and "not a relative path" in err[0], err
