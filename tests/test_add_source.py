"""`nk-troops add-source`: archive a saved article, write its source record and drafts; refuse with nothing written."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import socket
from pathlib import Path

import pytest
import yaml

from nk_troops.characters import INVISIBLE
from nk_troops.cli import main

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "002_55af95f4738c3aa6.txt"  # not in the mini dataset, so not archived there
KNOWABLE = ("outlet", "headline", "byline", "published", "url", "language")
META = {
    "headline": "Ukraine seeks dialogue with Seoul over captured North Korean troops",
    "outlet": "Example News",
    "url": "https://news.example.org/2025/02/ukraine-seeks-dialogue-with-seoul",
    "published": "2025-02-07T09:30:00+09:00",
}


def saved_page(text: str, *, json_ld_headline: str | None = None) -> str:
    """A web page as a browser saves it, holding the seed's text, with the usual metadata tags (no author)."""
    body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in text.split("\n") if p.strip())
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": json_ld_headline or META["headline"],
        "datePublished": META["published"],
        "publisher": {"@type": "Organization", "name": META["outlet"]},
    }
    return f"""<!DOCTYPE html>
<!-- saved from url=(0063){META["url"]} -->
<html lang="en-GB"><head><meta charset="utf-8">
<title>{html.escape(META["headline"])} | {META["outlet"]}</title>
<link rel="canonical" href="{META["url"]}">
<meta property="og:site_name" content="{META["outlet"]}">
<meta property="og:title" content="{html.escape(META["headline"])}">
<meta property="og:url" content="{META["url"]}">
<meta property="article:published_time" content="{META["published"]}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav></header>
<main><article><h1>{html.escape(META["headline"])}</h1>
{body}
</article><aside><h3>Most read</h3><ul><li><a href="/x">Another story</a></li></ul></aside></main>
<footer>© 2025 {META["outlet"]}</footer></body></html>
"""


def tree(root: Path) -> dict[str, str]:
    """Every file under root with its sha256 (links and FIFOs by their kind), to show nothing was written."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = (
                hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else "special"
            )
    return out


def run(root: Path, *args: str, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = main([*args, "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def add(root: Path, file: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, str, str]:
    return run(root, "add-source", str(file), "--kind", "rewrite", *extra, capsys=capsys)


def new_source(root: Path) -> dict:
    return yaml.safe_load((root / "dataset/records/sources.yaml").read_text(encoding="utf-8"))[-1]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("add-source tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_plain_text_is_archived_byte_for_byte_and_nothing_is_guessed(mini, tmp_path, capsys, no_network):
    saved = tmp_path / "saved.txt"
    saved.write_bytes(SEED.read_bytes())
    before = (mini / "dataset/records/sources.yaml").read_bytes()
    code, out, err = add(mini, saved, capsys)
    assert code == 0, err
    src = new_source(mini)
    archived = mini / src["archived_file"]
    assert archived.read_bytes() == SEED.read_bytes()
    assert src["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert src["status"] == "archived" and src["kind"] == "rewrite" and "original_file" not in src
    for name in KNOWABLE:  # plain text marks nothing up: every field unknown, each with a reason
        assert set(src[name]) == {"unknown"} and len(src[name]["unknown"]) > 20, name
    after = (mini / "dataset/records/sources.yaml").read_bytes()
    assert after.startswith(before)  # the curated records' bytes are kept
    assert src["source_id"] in out and src["archived_file"] in out and f"dataset/drafts/{src['source_id']}.yaml" in out
    code, out, err = run(mini, "validate", "--records-only", capsys=capsys)
    assert code == 0, out  # the new record and its drafts validate


def test_saved_page_gives_the_fields_its_metadata_establishes(mini, tmp_path, capsys, no_network):
    import trafilatura

    page = saved_page(SEED.read_text(encoding="utf-8"))
    saved = tmp_path / "page.html"
    saved.write_text(page, encoding="utf-8")
    code, out, err = add(mini, saved, capsys)
    assert code == 0, err
    src = new_source(mini)
    assert (mini / src["original_file"]).read_bytes() == saved.read_bytes()
    assert src["original_sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
    text = (mini / src["archived_file"]).read_text(encoding="utf-8")
    assert text.strip() == trafilatura.extract(page, output_format="txt", include_comments=False).strip()
    assert "Subscribe" not in text and "Most read" not in text  # page furniture is not article text
    assert src["headline"] == META["headline"]
    assert src["outlet"] == META["outlet"]
    assert src["url"] == META["url"]
    assert src["published"] == META["published"][:10]
    assert src["language"] == "en"
    assert set(src["byline"]) == {"unknown"}  # the page declares no author
    for where in ("og:title", "og:site_name", "article:published_time", "canonical", "<html lang>", "trafilatura"):
        assert where in src["notes"], where
    code, out, err = run(mini, "validate", "--records-only", capsys=capsys)
    assert code == 0, out


def test_metadata_that_disagrees_is_not_established(mini, tmp_path, capsys):
    saved = tmp_path / "page.html"
    saved.write_text(saved_page(SEED.read_text(encoding="utf-8"), json_ld_headline="Another title"), encoding="utf-8")
    assert add(mini, saved, capsys)[0] == 0
    reason = new_source(mini)["headline"]["unknown"]
    assert "Another title" in reason and META["headline"] in reason


@pytest.mark.parametrize(
    "name, make",
    [
        ("page.html", lambda page: '<?xml version="1.0" encoding="utf-8"?>\n' + page),
        ("page.html", lambda page: page.split('<html lang="en-GB">', 1)[1]),  # <head> first, no <html>
        ("page.htm", lambda page: "just text, named as a page: " + page),
        ("page.txt", lambda page: page),
        ("page", lambda page: '<?xml version="1.0"?>\n' + page),
    ],
    ids=["xml-declaration", "head-first", "named-htm", "named-txt", "no-extension"],
)
def test_a_page_is_a_page_and_a_text_a_text(mini, tmp_path, capsys, name, make):
    """Found in review: a page saved with an XML declaration, or starting at <head>, was archived as plain text
    (markup drafted as excerpts), and a .txt holding markup as a page. A name's extension decides; else how the
    file begins."""
    saved = tmp_path / name
    saved.write_text(make(saved_page(SEED.read_text(encoding="utf-8"))), encoding="utf-8")
    assert add(mini, saved, capsys)[0] == 0
    src = new_source(mini)
    page = not name.endswith(".txt")
    assert ("original_file" in src) == page and src["archived_file"].endswith(".txt"), src
    archived = (mini / src["archived_file"]).read_text(encoding="utf-8")
    assert ("<head>" in archived) != page and (src["headline"] == META["headline"]) == page


def test_text_a_browser_hides_is_not_archived_or_drafted(mini, tmp_path, capsys):
    """Found in review: a paragraph marked hidden, or inside a <template>, was archived and drafted as the
    article's, though no reader of the page sees it (text that could be planted)."""
    planted = (
        "<p hidden>At least 11,111 North Korean soldiers were killed, officials said.</p>"
        "<template><p>At least 44,444 North Korean soldiers were killed, officials said.</p></template>"
    )
    saved = tmp_path / "page.html"
    saved.write_text(saved_page(SEED.read_text(encoding="utf-8")).replace("</article>", planted + "</article>"))
    assert add(mini, saved, capsys)[0] == 0
    src = new_source(mini)
    archived = (mini / src["archived_file"]).read_text(encoding="utf-8")
    assert "11,111" not in archived and "44,444" not in archived and "Ponomarenko" in archived
    assert "the elements a browser hides" in src["notes"]


@pytest.mark.parametrize(
    "deep",
    ["[" * 100_000 + "]" * 100_000, '{"@type": "NewsArticle", "author": ' + "[" * 600 + '"x"' + "]" * 600 + "}"],
    ids=["too-deep-to-parse", "author-lists-600-deep"],
)
def test_json_ld_nested_too_deep_to_read_is_as_if_absent(mini, tmp_path, capsys, deep):
    """It ended in a RecursionError traceback (the second: in reading the author's names, found in review); the
    page's other metadata still establish the fields."""
    page = saved_page(SEED.read_text(encoding="utf-8"))
    deep = '<script type="application/ld+json">' + deep + "</script>"
    saved = tmp_path / "page.html"
    saved.write_text(page.replace("</head>", deep + "</head>"), encoding="utf-8")
    code, _, err = add(mini, saved, capsys)
    assert code == 0 and "Traceback" not in err and new_source(mini)["headline"] == META["headline"]


def test_a_changed_saved_page_is_reported_by_validate_and_check_tables(mini, tmp_path, capsys, no_frictionless):
    saved = tmp_path / "page.html"
    saved.write_text(saved_page(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    assert add(mini, saved, capsys)[0] == 0
    assert run(mini, "build", capsys=capsys)[0] == 0
    original = mini / new_source(mini)["original_file"]
    original.write_bytes(original.read_bytes() + b"\n")
    code, out, _ = run(mini, "validate", "--records-only", capsys=capsys)
    assert code == 1 and "seed-hash-mismatch" in out and "original_sha256" in out
    code = main(["check-tables", "--package", str(mini)])
    out = capsys.readouterr().out
    assert code == 1 and "seed-hash-mismatch" in out and original.name in out


def _drafted(mini: Path, tmp_path: Path, capsys) -> tuple[str, Path, list[dict]]:
    """add-source on the seed as a plain text: its source id, its drafts file and the drafts in it."""
    saved = tmp_path / "saved.txt"
    saved.write_bytes(SEED.read_bytes())
    assert add(mini, saved, capsys)[0] == 0
    sid = new_source(mini)["source_id"]
    draft = mini / "dataset/drafts" / f"{sid}.yaml"
    records = yaml.safe_load(draft.read_text(encoding="utf-8"))
    return sid, draft, records


def test_drafts_validate_and_their_problems_are_located_in_the_draft(mini, tmp_path, capsys):
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    figures = [r for r in records if "figure_id" in r]
    statements = [r for r in records if "statement_id" in r]
    assert figures and statements
    assert all(r["provenance"] == "scripted" and r["citations"][0]["source_id"] == sid for r in records)
    assert any(r["value"] == 4000 and r["qualifier"] == "approximately" for r in figures)  # "approximately 4,000"
    assert any(r["speaker_actor_id"] == "dmytro-ponomarenko" for r in statements)
    assert draft.read_text(encoding="utf-8").count("\n# scripted ") == len(records)  # a comment on each
    text = draft.read_text(encoding="utf-8")
    first = records[0]["citations"][0]["excerpt"]
    draft.write_text(text.replace(json.dumps(first, ensure_ascii=False), '"words the article does not hold"', 1))
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = json.loads(out)["errors"]
    assert code == 1 and len(found) == 1
    assert found[0]["file"] == f"dataset/drafts/{sid}.yaml" and found[0]["type"] == "excerpt-not-found"
    assert found[0]["line"] and found[0]["record_id"] == records[0].get("figure_id", records[0].get("statement_id"))


def test_a_draft_id_a_record_or_an_earlier_draft_uses_is_a_duplicate_where_it_is_written(mini, tmp_path, capsys):
    """Promoted, such a draft would clash: the id is reported at the draft, naming the record that has it."""
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    statement = next(r for r in records if "statement_id" in r)
    text = draft.read_text(encoding="utf-8")
    text = text.replace(f"statement_id: {statement['statement_id']}\n", "statement_id: st-end-war\n", 1)
    draft.write_text(text, encoding="utf-8")
    copy = draft.with_name("zz-copy.yaml")
    copy.write_text(text, encoding="utf-8")
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = [p for p in json.loads(out)["errors"] if p["type"] == "duplicate-id"]
    assert code == 1
    lines = text.splitlines()
    first = {r.get("figure_id", r.get("statement_id")) for r in records} - {statement["statement_id"]} | {"st-end-war"}
    assert {p["record_id"] for p in found} == first
    for p in found:
        assert p["field"] in ("figure_id", "statement_id") and lines[p["line"] - 1].endswith(p["record_id"]), p
        if p["record_id"] == "st-end-war":  # twice: in the draft and in its copy, each time the record's
            assert "is already used by the record at dataset/records/statements.yaml:1" in p["message"], p
        else:
            assert p["file"] == "dataset/drafts/zz-copy.yaml", p
            assert f"is already used by the record at dataset/drafts/{sid}.yaml:" in p["message"], p
    assert sum(p["record_id"] == "st-end-war" for p in found) == 2


def test_a_draft_id_of_a_record_with_other_errors_is_a_duplicate_too(mini, tmp_path, capsys):
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    statement = next(r for r in records if "statement_id" in r)
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace(f"statement_id: {statement['statement_id']}\n", "statement_id: st-end-war\n", 1))
    statements = mini / "dataset/records/statements.yaml"
    statements.write_text(statements.read_text(encoding="utf-8").replace("  medium:", "  mediumm:", 1))  # an error
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    errors = json.loads(out)["errors"]
    found = [p for p in errors if p["type"] == "duplicate-id" and p["file"].startswith("dataset/drafts/")]
    assert code == 1 and [p["record_id"] for p in found] == ["st-end-war"], out


def test_drafts_citing_a_source_whose_text_cannot_be_read_add_nothing_to_its_own_problem(mini, tmp_path, capsys):
    """Found in review: a source record naming a missing seed was reported, and then again as a dangling
    reference in every draft citing it."""
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    sources = mini / "dataset/records/sources.yaml"
    archived = new_source(mini)["archived_file"]
    sources.write_text(sources.read_text(encoding="utf-8").replace(archived, "seeds/not-there.txt"), encoding="utf-8")
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = json.loads(out)["errors"]
    assert code == 1 and found
    assert not [p for p in found if p["file"].startswith("dataset/drafts/")], found
    assert all(p["file"] in ("dataset/records/sources.yaml", archived) for p in found), found


def test_drafts_of_a_text_with_invisible_characters_validate(mini, tmp_path, capsys):
    """Found in review: a quotation or a counted noun holding a zero-width or direction character was drafted as it
    was, and validate then refused the draft's own text (an excerpt keeps them: it is the archived text)."""
    saved = tmp_path / "saved.txt"
    saved.write_text(
        "\u202eSeoul report\n\nAbout 3,000 North\u200b Korean soldiers have been killed, the ministry said.\n\n"
        '"The troops are suffering\u200b heavy losses," Zelensky told reporters.\n',
        encoding="utf-8",
    )
    assert add(mini, saved, capsys)[0] == 0
    drafts = yaml.safe_load(
        (mini / "dataset/drafts" / f"{new_source(mini)['source_id']}.yaml").read_text(encoding="utf-8")
    )
    words = [r.get("text") or r.get("subject") for r in drafts]
    assert words and not [w for w in words if re.search(INVISIBLE, w)], words
    assert any(re.search(INVISIBLE, c["excerpt"]) for r in drafts for c in r["citations"])  # kept as archived
    code, out, _ = run(mini, "validate", "--records-only", capsys=capsys)
    assert code == 0, out


def test_drafts_are_kept_within_what_validate_reads(mini, tmp_path, capsys, monkeypatch):
    """Found in review: the drafts of a 1 MB number-dense text (20 MB) were more than validate reads of a file
    (records.MAX_FILE_BYTES), so none was checked. The first drafts that fit are written, and the count left out."""
    import nk_troops.records as records

    monkeypatch.setattr(records, "MAX_FILE_BYTES", 12_000)  # the seed's drafts are about 30 kB
    sid, draft, kept = _drafted(mini, tmp_path, capsys)
    text = draft.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 12_000 and kept
    left = re.search(r"# (\d+) more candidates are left out: a drafts file holds at most 12,000 bytes", text)
    assert left and int(left.group(1)) > 0, text[:600]
    code, out, _ = run(mini, "validate", "--records-only", capsys=capsys)
    assert code == 0, out


def test_a_sentence_printed_twice_gives_drafts_that_each_cite_their_own_place(mini, tmp_path, capsys):
    """A caption printed twice (as seed 000 prints its own) gives a candidate at each place: each draft says which
    place it cites, so that the drafts validate and neither is pinned to the other's place."""
    sentence = "Ukraine's military said 300 North Korean soldiers were killed near Kursk."
    saved = tmp_path / "saved.txt"
    saved.write_text(f"Seoul, Feb. 3\n\n{sentence}\n\nMore fighting was reported.\n\n{sentence}\n", encoding="utf-8")
    assert add(mini, saved, capsys)[0] == 0
    sid = new_source(mini)["source_id"]
    drafts = yaml.safe_load((mini / "dataset/drafts" / f"{sid}.yaml").read_text(encoding="utf-8"))
    cited = [r["citations"][0] for r in drafts if "figure_id" in r]
    assert [(c["excerpt"], c.get("occurrence")) for c in cited] == [(sentence, 1), (sentence, 2)], drafts
    code, out, _ = run(mini, "validate", "--records-only", capsys=capsys)
    assert code == 0, out


def test_a_draft_s_cells_and_its_citations_cells_are_checked_by_the_table_rules(mini, tmp_path, capsys):
    """The drafts' check asks the table checker for each draft's cells, its citations' included."""
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    figure = next(r for r in records if "figure_id" in r)
    text = draft.read_text(encoding="utf-8").replace(f"figure_id: {figure['figure_id']}", "figure_id: Not_An_Id", 1)
    text = text.replace('subject: "North Korean soldiers"', 'subject: "=North Korean soldiers"', 1)
    excerpt = json.dumps(figure["citations"][0]["excerpt"], ensure_ascii=False)
    text = text.replace(excerpt, excerpt[0] + " " + excerpt[1:], 1)  # a space before the excerpt
    draft.write_text(text, encoding="utf-8")
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = {(p["type"], p["field"], p["record_id"]) for p in json.loads(out)["errors"]}
    assert code == 1
    assert {
        ("field-error", "figure_id", "Not_An_Id"),
        ("field-error", "subject", "Not_An_Id"),
        ("field-error", "citations[0].excerpt", "Not_An_Id"),
    } <= found, found


@pytest.mark.parametrize("missing", [False, True])
def test_a_draft_s_citation_and_link_values_outside_their_vocabulary_are_reported(mini, tmp_path, capsys, missing):
    """Vocabularies are the table checker's rule: a draft's citations and links are checked by it too, whether
    or not the draft also fails its shape check (here: its text missing)."""
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    statement = next(r for r in records if "statement_id" in r)
    statement["citations"][0]["voice"] = "bogus"
    statement["links"] = [{"relation": "bogus", "other_claim_id": statement["statement_id"] + "-x"}]
    if missing:
        del statement["text"]
    draft.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = {(p["type"], p["field"]) for p in json.loads(out)["errors"] if p["record_id"] == statement["statement_id"]}
    assert code == 1
    expected = {("field-error", "citations[0].voice"), ("field-error", "links[0].relation")}
    assert found == expected | ({("missing-field", "text")} if missing else set()), found


def test_a_draft_number_with_too_many_digits_is_one_problem_and_the_rest_is_checked(mini, tmp_path, capsys):
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    figure = next(r for r in records if "figure_id" in r)
    figure["value"] = "9" * 40  # written below as a plain number
    figure["unit"] = "people"
    text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False).replace(f"'{'9' * 40}'", "9" * 40)
    draft.write_text(text, encoding="utf-8")
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = [(p["type"], p["field"]) for p in json.loads(out)["errors"] if p["record_id"] == figure["figure_id"]]
    assert code == 1
    assert sorted(found) == [("field-error", "unit"), ("field-error", "value")], found
    assert "significant digits" in next(p["message"] for p in json.loads(out)["errors"] if p["field"] == "value")


def test_a_draft_s_provenance_or_source_refused_for_its_digits_is_one_problem_each(mini, tmp_path, capsys):
    sid, draft, records = _drafted(mini, tmp_path, capsys)
    figure = next(r for r in records if "figure_id" in r)
    figure["provenance"] = figure["citations"][0]["source_id"] = "digits-here"
    text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False).replace("digits-here", "1234567890123456789")
    draft.write_text(text, encoding="utf-8")
    code, out, _ = run(mini, "validate", "--records-only", "--format", "json", capsys=capsys)
    found = [(p["type"], p["field"]) for p in json.loads(out)["errors"] if p["record_id"] == figure["figure_id"]]
    assert code == 1
    assert sorted(found) == [("field-error", "citations[0].source_id"), ("field-error", "provenance")], found


def test_drafts_are_never_published(mini, tmp_path, capsys, no_frictionless):
    saved = tmp_path / "saved.txt"
    saved.write_bytes(SEED.read_bytes())
    assert add(mini, saved, capsys)[0] == 0
    assert run(mini, "build", capsys=capsys)[0] == 0
    published = [p for p in (mini / "dataset/tables").rglob("*") if p.is_file()]
    assert published
    assert not any(b"draft-" in p.read_bytes() for p in published)
    for p in (mini / "dataset/drafts").iterdir():
        p.unlink()
    code, out, _ = run(mini, "build", "--check", capsys=capsys)  # the same package without any draft
    assert code == 0, out


def _fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


def _link(p: Path) -> Path:
    p.symlink_to(SEED)
    return p


def _folder(p: Path) -> Path:
    p.mkdir()
    return p


def _large(p: Path) -> Path:
    from nk_troops.seeds import MAX_SEED_BYTES

    with open(p, "wb") as fh:
        fh.truncate(MAX_SEED_BYTES + 1)
    return p


def _bytes(data: bytes):
    def make(p: Path) -> Path:
        p.write_bytes(data)
        return p

    return make


REFUSALS = {
    "missing": (lambda p: p, "does not exist"),
    "link": (_link, "symbolic link"),
    "folder": (_folder, "is a folder"),
    "fifo": (_fifo, "not a regular file"),
    "too large": (_large, "at most 10,485,760"),
    "not utf-8": (_bytes(b"Seoul caf\xe9 \xff\n"), "not UTF-8"),
    "binary": (_bytes(b"%PDF-1.7\n\x00\x01\x02"), "not text"),
    "empty": (_bytes(b" \n\n"), "holds no text"),
    "already archived": (_bytes((REPO / "seeds/000_903a45e1dc248108.txt").read_bytes()), "already archived"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_each_refusal_is_one_line_and_writes_nothing(mini, tmp_path, capsys, case):
    make, words = REFUSALS[case]
    path = make(tmp_path / "saved.txt")
    before = tree(mini)
    code, out, err = add(mini, path, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nk-troops: add-source: refused") and words in err, err
    assert tree(mini) == before


def test_a_headline_of_one_long_word_gives_an_id_within_the_limit(mini, tmp_path, capsys):
    """The id was built from the headline's first words with no length cap: a 500,000-letter headline made
    add-source refuse an id the user never gave, in a line of 500,000 characters."""
    saved = tmp_path / "page.html"
    saved.write_text(saved_page(SEED.read_text(encoding="utf-8")).replace(META["headline"], "T" * 500_000), "utf-8")
    code, _, err = add(mini, saved, capsys)
    assert code == 0, err
    sid = new_source(mini)["source_id"]
    assert sid.startswith("seed-") and len(sid) <= 80, sid


def test_a_source_id_given_wrong_is_shown_short_with_what_to_do(mini, tmp_path, capsys):
    saved = tmp_path / "saved.txt"
    saved.write_bytes(SEED.read_bytes())
    code, _, err = add(mini, saved, capsys, "--source-id", "x" * 5000)
    assert code == 2 and err.count("\n") == 1 and len(err) < 400 and "--source-id" in err, err


@pytest.mark.parametrize(
    "args, words",
    [
        (("--name", "000_903a45e1dc248108"), "already exists"),
        (("--source-id", "seed-000-korea-times"), "already used"),
    ],
)
def test_a_taken_seed_name_or_source_id_is_refused(mini, tmp_path, capsys, args, words):
    saved = tmp_path / "saved.txt"
    saved.write_bytes(SEED.read_bytes())
    before = tree(mini)
    code, _, err = add(mini, saved, capsys, *args)
    assert code == 2 and words in err and err.count("\n") == 1
    assert tree(mini) == before


@pytest.mark.parametrize("folder", ["seeds", "dataset/drafts"])
def test_a_linked_folder_is_never_written_through(mini, tmp_path, capsys, folder):
    """Review: open(..., 'x') refused only a link at the file itself, so a pull request's seeds/ or
    dataset/drafts/ pointing elsewhere had add-source write the archive or the drafts outside the repository."""
    import shutil

    outside = tmp_path / "outside"
    outside.mkdir()
    target = mini / folder
    if target.exists():
        for entry in target.iterdir():
            shutil.move(str(entry), outside / entry.name)
        target.rmdir()
    target.symlink_to(outside, target_is_directory=True)
    listing = sorted(p.name for p in outside.iterdir())
    saved = tmp_path / "saved.txt"
    saved.write_text(
        "A new article about North Korean soldiers in the Kursk region, said the ministry.\n", encoding="utf-8"
    )
    code, _, err = add(mini, saved, capsys)
    assert code == 2 and f"'{folder}' is a symbolic link" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in outside.iterdir()) == listing


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (1e-05, "value"),
        (1e20, "value"),
        (0.5, "value"),
        ("0x10", "source_id"),
        ("yes", "source_id"),
        ("1_000", "source_id"),
    ],
)
def test_what_add_source_writes_every_yaml_reader_reads_alike(value, key):
    """A draft's 1e-05 was written so; PyYAML reads that as text (its exponent needs a point). A bare id 0x10 is
    16 to PyYAML. The loader refuses such values, so the writer must not write them."""
    from nk_troops.yaml_loader import load_yaml
    from nk_troops.yaml_writer import scalar

    read = load_yaml(f"- {key}: {scalar(value, key)}\n", "drafts.yaml")
    assert read.data == [{key: value}] and not read.problems, (scalar(value, key), read.problems)
    assert yaml.safe_load(f"x: {scalar(value, key)}")["x"] == value  # PyYAML reads the same
