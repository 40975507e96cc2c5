"""The static site (site.py): every highlight is its citation's archived span, uncited text of a copyrighted article is
collapsed, the annotations select the same spans, and validate never loads the template engine."""

from __future__ import annotations

import json
import posixpath
from functools import cache
from html.parser import HTMLParser

import pytest
from conftest import REPO, repo_tables_and_plots

from nk_troops import metadata as M
from nk_troops.claimants import OWN_VOICE, UNNAMED
from nk_troops.excerpts import normalise
from nk_troops.site import render_site
from nk_troops.site_text import anchor, read_archived
from nk_troops.vocabularies import ActorType, ArchiveStatus, DatePrecision

VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "area", "base", "col", "embed", "track"}


class Page(HTMLParser):
    """What the tests read from a page: every element with its attributes, the text under each, ids and links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.elements: list[dict] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "inside": [e["tag"] for e in self.stack]}
        self.elements.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "", "inside": [e["tag"] for e in self.stack]})

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data
        self.elements.append({"tag": "#text", "attrs": {}, "text": data, "inside": [e["tag"] for e in self.stack]})

    def find(self, tag: str, **attrs) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())]

    def ids(self) -> set[str]:
        return {e["attrs"]["id"] for e in self.elements if "id" in e["attrs"]}


@cache
def built(full_text: bool = False) -> tuple[dict, dict[str, bytes]]:
    tables, plots = repo_tables_and_plots()
    return tables, render_site(REPO, tables, full_text=full_text, plots=plots)


@cache
def parsed(rel: str, full_text: bool = False) -> Page:
    return Page(built(full_text)[1][rel].decode())


def texts(tables) -> dict[str, str | None]:
    return {r["source_id"]: read_archived(REPO, r["archived_file"]) for r in tables["sources"]}


def test_every_highlight_is_its_citations_archived_span_and_links_both_ways():
    tables, files = built()
    archived = texts(tables)
    for cit in tables["citations"]:
        sid = cit["source_id"]
        page = parsed(f"docs/site/sources/{sid}.html")
        a = anchor(cit["citation_id"])
        marks = [m for m in page.find("mark") if a in m["attrs"].get("data-cites", "").split()]
        text = archived[sid]
        span = text[cit["char_start"] : cit["char_end"]]
        assert "".join(m["text"] for m in marks) == span, cit["citation_id"]
        assert normalise(span).text == normalise(cit["excerpt"]).text
        assert int(marks[0]["attrs"]["data-start"]) == cit["char_start"]
        assert int(marks[-1]["attrs"]["data-end"]) == cit["char_end"]
        assert a in page.ids(), f"no element with id {a} on the source page"
        claim = parsed(f"docs/site/claims/{cit['claim_id']}.html")
        assert claim.find("a", href=f"../sources/{sid}.html#{a}"), "the claim page does not link to the highlight"
        for m in marks:  # each piece of the highlight is a link to a claim that cites it, naming every such claim
            link = page.elements[page.elements.index(m) + 1]
            assert link["tag"] == "a" and link["attrs"]["href"].startswith("../claims/")
            assert cit["claim_id"] in link["attrs"]["title"].split(", ")


def test_uncited_text_of_a_copyrighted_article_is_collapsed_and_counted():
    tables, files = built()
    archived = texts(tables)
    seed = next(r for r in tables["sources"] if r["archived_file"] and r["full_text"] == "not_republishable")
    text = archived[seed["source_id"]]
    page = Page(files[f"docs/site/sources/{seed['source_id']}.html"].decode())
    box = page.find("div", **{"class": "archived"})[0]
    gaps = [e["text"] for e in page.find("span", **{"class": "gap"})]
    assert gaps, "nothing was collapsed"
    hidden = sum(int(g.strip("[]").split()[0].replace(",", "")) for g in gaps)
    shown = len(box["text"]) - sum(len(g) for g in gaps)
    assert shown + hidden == len(text)
    assert len(box["text"]) < len(text)
    cited = [c for c in tables["citations"] if c["source_id"] == seed["source_id"]]
    last_end = max(c["char_end"] for c in cited)
    tail = text[last_end:].strip()
    assert tail and tail[-40:] not in box["text"], "the uncited end of the article is published"


def test_a_reviewers_build_shows_the_whole_archived_text():
    tables, files = built(full_text=True)
    archived = texts(tables)
    for sid, text in archived.items():
        if text is None:
            continue
        page = Page(files[f"docs/site/sources/{sid}.html"].decode())
        assert page.find("div", **{"class": "archived"})[0]["text"] == text


def test_annotations_follow_the_web_annotation_model_and_select_the_cited_spans():
    tables, files = built()
    archived = texts(tables)
    doc = json.loads(files["docs/site/annotations.jsonld"])
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection" and doc["first"]["type"] == "AnnotationPage"
    items = doc["first"]["items"]
    assert doc["total"] == len(items) == len(tables["citations"])
    by_id = {c["citation_id"]: c for c in tables["citations"]}
    sources = {r["source_id"]: r for r in tables["sources"]}
    by_file = {
        posixpath.relpath(r["archived_file"], "docs/site"): sid for sid, r in sources.items() if r["archived_file"]
    }
    seen = set()
    for ann, cit in zip(items, tables["citations"], strict=True):
        assert ann["type"] == "Annotation" and ann["id"].endswith("#" + anchor(cit["citation_id"]))
        seen.add(ann["id"])
        assert ann["body"]["id"] == f"claims/{cit['claim_id']}.html" and f"docs/site/{ann['body']['id']}" in files
        target = ann["target"]
        assert target["type"] == "SpecificResource"
        text = archived[by_file[target["source"]["id"]]]
        assert by_file[target["source"]["id"]] == by_id[cit["citation_id"]]["source_id"]
        selectors = {s["type"]: s for s in target["selector"]}
        assert set(selectors) == {"TextPositionSelector", "TextQuoteSelector"}
        pos, quote = selectors["TextPositionSelector"], selectors["TextQuoteSelector"]
        assert isinstance(pos["start"], int) and isinstance(pos["end"], int) and 0 <= pos["start"] < pos["end"]
        assert (pos["start"], pos["end"]) == (cit["char_start"], cit["char_end"])
        assert text[pos["start"] : pos["end"]] == quote["exact"]
        assert text[: pos["start"]].endswith(quote["prefix"]) and text[pos["end"] :].startswith(quote["suffix"])
        assert normalise(quote["exact"]).text == normalise(cit["excerpt"]).text
    assert len(seen) == len(items)


def test_a_claim_that_names_no_claimant_is_given_to_the_source_only_when_it_speaks_in_its_own_voice():
    """An empty claimant is the citing source's own voice, or someone it leaves unnamed ("Media reports have
    indicated", voice 'other'): the index and the claim page must not read the second as the first."""
    tables, _ = built()
    voices: dict[str, set[str]] = {}
    for c in tables["citations"]:
        voices.setdefault(c["claim_id"], set()).add(c["voice"])
    index = parsed("docs/site/index.html")
    said = {r["attrs"]["data-claimant"] for r in index.find("tr") if "data-claimant" in r["attrs"]}
    seen = set()
    for resource, key, who in (
        ("events", "event_id", "claimant_actor_id"),
        ("figures", "figure_id", "claimant_actor_id"),
    ):
        for row in tables[resource]:
            if row[who]:
                continue
            want = OWN_VOICE if "own_voice" in voices[row[key]] else UNNAMED
            seen.add(want)
            page = parsed(f"docs/site/claims/{row[key]}.html")
            shown = [e["text"] for e in page.find("span", **{"class": "own"})]
            assert shown and set(shown) == {want}, (row[key], shown)
    assert seen == {OWN_VOICE, UNNAMED} and seen <= said


def test_a_figure_reads_as_the_source_said_it_with_no_code_and_no_word_twice():
    """'approximately 0.3333 share share killed or wounded' and 'unhedged 2,700 persons' were shown before: the
    unit said twice (the measure says it), a vocabulary code as a word, and the source's words left out."""
    tables, _ = built()
    worded = 0
    for f in tables["figures"]:
        page = parsed(f"docs/site/claims/{f['figure_id']}.html")
        title = " ".join(e["text"] for e in page.find("h1")).split()[1:]  # after the kind ("figure")
        meta = " ".join(e["text"] for e in page.find("p", **{"class": "meta"}))
        assert not [a for a, b in zip(title, title[1:], strict=False) if a == b], title
        assert "unhedged" not in title + meta.split() and "_" not in " ".join(title[:6]), (title, meta)
        if f["value_text"]:
            worded += 1
            assert " ".join(title).startswith(f["value_text"]) and f["value_text"] in meta, (title, meta)
    assert worded


def test_dates_and_kinds_read_as_words_and_an_unknown_date_as_unknown():
    """Found in review: the pages showed vocabulary codes ('on_or_before', 'armed_force') as words, and a date the
    sources do not give as its reason, as if the reason were the date ('Date: Seed 004 gives no date... (unknown)')."""
    tables, _ = built()
    index = parsed("docs/site/index.html")
    codes = {v for vocabulary in (ActorType, ArchiveStatus, DatePrecision) for v in vocabulary.values() if "_" in v}
    for cls in ("precision", "note"):
        shown = [e["text"] for e in index.find("span", **{"class": cls})]
        assert shown and not [t for t in shown if any(code in t for code in codes)], (cls, shown)
    undated = next(f for f in tables["figures"] if f["as_of_missing_reason"])
    meta = " ".join(
        e["text"] for e in parsed(f"docs/site/claims/{undated['figure_id']}.html").find("p", **{"class": "meta"})
    )
    assert f"Date: unknown ({undated['as_of_missing_reason']})" in " ".join(meta.split()), meta


def test_every_page_says_the_version_how_to_cite_and_the_licence():
    _, files = built()
    for rel in files:
        if not rel.endswith(".html"):
            continue
        page = parsed(rel)
        footer = page.find("footer")[0]["text"]
        assert M.VERSION in footer, rel
        if M.is_unreleased():
            assert "unreleased" in footer.replace(M.VERSION, ""), rel
        assert "How to cite" in footer and "Creative Commons Attribution 4.0" in footer, rel


def test_every_link_stays_inside_the_site_and_finds_its_page():
    _, files = built()
    for rel in files:
        if not rel.endswith(".html"):
            continue
        page = parsed(rel)
        for el in page.elements:
            for attr in ("href", "src"):
                link = el["attrs"].get(attr)
                if link is None or el["attrs"].get("rel") in ("license", "nofollow noopener noreferrer"):
                    continue
                path, _, fragment = link.partition("#")
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path)) if path else rel
                assert target in files, f"{rel}: {link}"
                if fragment and target.endswith(".html"):
                    assert fragment in parsed(target).ids(), f"{rel}: {link}"


def test_nothing_on_any_page_is_refused_by_its_content_security_policy():
    """The pages' policy allows only the site's own scripts, styles and images: an inline script, style or event
    handler would be refused by a browser (and logged as an error). test_site_browser.py loads one page of each
    kind in Chromium; this reads every page."""
    _, files = built()
    for rel in [r for r in files if r.endswith(".html")]:
        page = parsed(rel)
        policy = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
        assert len(policy) == 1 and "default-src 'none'" in policy[0]["attrs"]["content"], rel
        assert not page.find("style"), rel
        for el in page.elements:
            assert "style" not in el["attrs"], (rel, el["tag"], el["attrs"])
            assert not [a for a in el["attrs"] if a.startswith("on")], (rel, el["tag"], el["attrs"])
            if el["tag"] == "script":
                assert el["attrs"].get("src") and not el["text"].strip(), (rel, el)


def test_the_site_command_writes_a_reviewers_full_text_site_only_outside_the_repository(tmp_path, capsys, plain_plots):
    from nk_troops.cli import main

    assert main(["site", "--root", str(REPO), "--out", str(REPO / "docs/site-full")]) == 2
    assert not (REPO / "docs/site-full").exists()
    assert main(["site", "--root", str(REPO), "--out", str(tmp_path / "review"), "--full-text"]) == 0
    tables, _ = built()
    seed = next(r for r in tables["sources"] if r["archived_file"])
    page = Page((tmp_path / "review" / "sources" / f"{seed['source_id']}.html").read_text(encoding="utf-8"))
    assert page.find("div", **{"class": "archived"})[0]["text"] == read_archived(REPO, seed["archived_file"])


@pytest.mark.parametrize("trap", ["a-file", "link-to-a-file", "link-to-a-folder", "link-deeper"])
def test_the_site_command_writes_nothing_through_a_link_and_refuses_a_file(tmp_path, capsys, trap):
    """A link inside --out made the site overwrite the file it pointed to (outside the folder), or write the full
    texts into the repository's docs/site/; --out naming a file ended in a traceback. Both are now refused
    before anything is rendered: one line, exit 2, nothing written."""
    from nk_troops.cli import main

    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    if trap == "a-file":
        out.write_text("a file", encoding="utf-8")
    else:
        out.mkdir()
        if trap == "link-to-a-file":
            (out / "index.html").symlink_to(victim)
        elif trap == "link-to-a-folder":
            (out / "sources").symlink_to(elsewhere, target_is_directory=True)
        else:
            (out / "claims").mkdir()
            (out / "claims" / "x.html").symlink_to(victim)
    capsys.readouterr()
    assert main(["site", "--root", str(REPO), "--out", str(out), "--full-text"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and ("link" in err or "is a file" in err), err
    assert victim.read_text(encoding="utf-8") == "untouched" and list(elsewhere.iterdir()) == []


def test_every_figure_and_event_on_the_charts_links_to_its_claim_page():
    """Issue 18: the estimates chart and the timeline on the site, each point leading to its claim."""
    import xml.etree.ElementTree as ET

    from nk_troops.site_charts import CHARTS, SVG, XLINK

    tables, files = built()
    expected = {r["figure_id"] for r in tables["figures"] if r["unit"] == "persons"} | {
        r["event_id"] for r in tables["events"]
    }
    linked: set[str] = set()
    for name in CHARTS:
        root = ET.fromstring(files[f"docs/site/charts/{name}.svg"])
        for a in root.iter(f"{{{SVG}}}a"):
            href = a.get(f"{{{XLINK}}}href", "")
            assert href.startswith("../claims/") and f"docs/site/claims/{href[len('../claims/') :]}" in files, href
            inner = {e.get("id") for e in a.iter() if e.get("id")}
            assert href == f"../claims/{next(iter(inner & expected))}.html"
            linked |= inner & expected
    assert linked == expected, sorted(expected - linked)[:5]
    assert b"charts/figures_by_claimant.svg" in files["docs/site/charts.html"]
