"""Hostile text is text: records and archived texts holding markup, event handlers, direction-changing characters or a
javascript: address render as inert text on every page type of the site.

The rows are edited after validation (as a table engine's package or a future rule change could let such values
through), so the site's own escaping is what is tested, not the records' rules."""

from __future__ import annotations

import copy
import re
import shutil

import pytest
from conftest import REPO
from test_site import Page

from nk_troops.characters import INVISIBLE
from nk_troops.site import render_site
from nk_troops.validate import check_records

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(2)>'
BIDI = "safe\u202eexe.txt\u2066tail"
URL = "javascript:alert(3)"
HOSTILE = f"{SCRIPT} {BREAKOUT} {BIDI}"


def _bidi(text: str) -> bool:
    return re.search(INVISIBLE, text) is not None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(REPO / "seeds", root / "seeds")
    tables = copy.deepcopy(check_records(REPO).tables)
    assert tables is not None
    source = next(r for r in tables["sources"] if r["archived_file"])
    archived = f"Before. {HOSTILE} After."
    (root / "seeds" / "hostile.txt").write_text(archived, encoding="utf-8")
    source.update(archived_file="seeds/hostile.txt", headline=HOSTILE, url=URL, notes=HOSTILE, outlet=BREAKOUT)
    start = archived.index(SCRIPT)
    claim = tables["events"][0]
    claim.update(summary=HOSTILE, notes=BREAKOUT, place=BIDI)
    tables["citations"] = [c for c in tables["citations"] if c["source_id"] != source["source_id"]]
    tables["citations"].append(
        {
            "citation_id": f"{claim['event_id']}/c99",
            "claim_id": claim["event_id"],
            "source_id": source["source_id"],
            "excerpt": HOSTILE,
            "char_start": start,
            "char_end": start + len(HOSTILE),
            "voice": "own_voice",
        }
    )
    actor = next(a for a in tables["actors"] if a["actor_id"] == claim["actor_id"])
    actor.update(name=HOSTILE, role=BREAKOUT)
    tables["statements"][0]["text"] = HOSTILE
    tables["figures"][0]["subject"] = BREAKOUT
    if tables["claim_links"]:
        tables["claim_links"][0]["note"] = HOSTILE
    return render_site(root, tables)


def pages_of_every_type(site: dict[str, bytes]) -> list[str]:
    kinds = ("docs/site/index.html", "docs/site/claims/", "docs/site/sources/", "docs/site/actors/")
    found = [rel for rel in site if rel.endswith(".html")]
    assert all(any(rel.startswith(k) for rel in found) for k in kinds)
    return found


def test_hostile_text_is_inert_on_every_page(site):
    for rel in pages_of_every_type(site):
        html = site[rel].decode("utf-8")
        page = Page(html)
        scripts = page.find("script")
        assert all(s["attrs"].get("src", "").endswith("table.js") and not s["text"] for s in scripts), rel
        assert not page.find("img"), rel
        for el in page.elements:
            assert not any(name.startswith("on") for name in el["attrs"]), (rel, el)
            for attr in ("href", "src", "action", "formaction"):
                value = (el["attrs"].get(attr) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:", "vbscript:")), (rel, el)
            if el["tag"] == "#text" and _bidi(el["text"]):
                assert "bdi" in el["inside"], f"{rel}: a direction-changing character outside <bdi>: {el['text']!r}"
        assert "<script>alert" not in html and "<img" not in html, rel


def test_hostile_text_is_shown_as_written(site):
    """Inert, not dropped: a reader sees the words the record holds."""
    shown = {rel: "".join(e["text"] for e in Page(site[rel].decode()).elements if e["tag"] == "#text") for rel in site}
    text_pages = [rel for rel in pages_of_every_type(site) if SCRIPT in shown[rel] and BREAKOUT in shown[rel]]
    assert any(r.startswith("docs/site/claims/") for r in text_pages)
    assert any(r.startswith("docs/site/sources/") for r in text_pages)
    assert any(r.startswith("docs/site/actors/") for r in text_pages)
    assert "docs/site/index.html" in text_pages
    assert any(URL in shown[r] for r in text_pages if r.startswith("docs/site/sources/"))


def test_a_javascript_url_is_never_a_link(site):
    for rel in pages_of_every_type(site):
        for el in Page(site[rel].decode()).find("a"):
            assert "javascript" not in (el["attrs"].get("href") or "").lower(), rel


def test_no_page_loads_anything_from_elsewhere(site):
    for rel in pages_of_every_type(site):
        page = Page(site[rel].decode())
        for el in page.elements:
            if el["tag"] in ("script", "link", "img", "iframe", "object", "embed", "source", "video", "audio"):
                ref = el["attrs"].get("src") or el["attrs"].get("href") or ""
                assert "//" not in ref and ":" not in ref, (rel, el)
