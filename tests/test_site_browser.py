"""The static site in a real browser: headless Chromium (Debian's ``chromium``, driven over its DevTools pipe by
tests/chromium.py) opens the site the build published in docs/site/ (test_build.py proves those files are what the
records build), served by a local HTTP server on 127.0.0.1 that the tests start and stop.
Each kind of page loads with no console error and no request outside the site; every highlight is its citation's excerpt
at its offsets; the index filters show the right rows; Tab reaches every link; axe-core finds no serious or
critical accessibility violation; the index page with all it loads weighs under 500 KB.

One browser for the whole module. Missing Chromium or axe-core is a skip on a developer's machine but a failure
under CI (CI set): scripts/setup.sh installs both (axe-core into .cache/axe-core/ by scripts/install_axe.sh).
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections import defaultdict
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from chromium import Chromium, find_chromium
from conftest import REPO, repo_tables

from nk_troops.excerpts import normalise
from nk_troops.site_text import anchor

AXE = REPO / ".cache" / "axe-core" / "axe.min.js"
INDEX_LIMIT = 500_000
"""Bytes: the index page and everything it loads, as sent over the network."""


def missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing under CI: scripts/setup.sh should have installed it")
    pytest.skip(f"{what} is not installed (scripts/setup.sh installs it)")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site():
    """(the published site's address, the tables, the HTML pages' paths relative to the site)."""
    root = REPO / "docs" / "site"
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    assert len(pages) > 10, f"{root} holds {len(pages)} pages: run `nk-troops build`"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", repo_tables(), pages
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    if exe is None:
        missing("Chromium (Debian package chromium)")
    b = Chromium(exe)
    yield b
    b.close()


def problems(events: list[dict], base: str) -> list[str]:
    """What went wrong while a page loaded: console errors and warnings, uncaught exceptions, failed loads and
    every request to an address outside the site."""
    out = []
    for ev in events:
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and p["type"] in ("error", "warning", "assert"):
            out.append(f"console.{p['type']}: {[a.get('value') for a in p['args']]}")
        elif method == "Runtime.exceptionThrown":
            out.append(f"exception: {p['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            out.append(f"{p['entry']['source']} {p['entry']['level']}: {p['entry']['text']}")
        elif method == "Network.requestWillBeSent" and not p["request"]["url"].startswith(base):
            out.append(f"request outside the site: {p['request']['url']}")
        elif method == "Network.loadingFailed":
            out.append(f"failed to load: {p.get('errorText')} {p.get('blockedReason', '')}")
        elif method == "Network.responseReceived" and p["response"]["status"] != 200:
            out.append(f"HTTP {p['response']['status']}: {p['response']['url']}")
    return out


def pages_of_each_kind(tables, pages: list[str]) -> list[str]:
    """The pages the browser walks: the index and the charts, every source page (the archived texts, with their
    highlights, are where pages differ most), the first claim page of each kind and the most linked one, the first
    actor page and the one with most figures. The other pages of a kind come from the same template: test_site.py
    checks on every page, without a browser, each link and what the page loads, and that nothing on it is refused
    by its Content-Security-Policy (an inline script, style or handler)."""
    chosen = {"index.html", "charts.html", *axe_pages(tables)}
    chosen |= {rel for rel in pages if rel.startswith("sources/")}
    for kind in ("ev-", "fg-", "st-"):
        chosen |= set([rel for rel in pages if rel.startswith(f"claims/{kind}")][:1])
    chosen |= set([rel for rel in pages if rel.startswith("actors/")][:1])
    assert chosen <= set(pages), sorted(chosen - set(pages))
    return sorted(chosen)


def test_every_kind_of_page_loads_with_no_console_error_and_no_request_outside_the_site(site, browser):
    base, tables, pages = site
    walked = pages_of_each_kind(tables, pages)
    assert {rel.split("/")[0] for rel in walked} >= {"index.html", "charts.html", "claims", "sources", "actors"}
    for rel in walked:
        events = browser.load(base + rel)
        assert not problems(events, base), (rel, problems(events, base))
        loaded = {ev["params"]["request"]["url"] for ev in events if ev.get("method") == "Network.requestWillBeSent"}
        assert base + "style.css" in loaded, f"{rel} did not load the stylesheet"


MARKS = """Array.from(document.querySelectorAll('.archived mark')).map(m => ({
  cites: m.dataset.cites.split(' '), start: +m.dataset.start, end: +m.dataset.end, text: m.textContent,
  link: m.querySelector('a') && m.querySelector('a').getAttribute('href')}))"""


def test_every_highlight_in_the_browser_is_its_citations_excerpt_at_its_offsets(site, browser):
    base, tables, _ = site
    by_source = defaultdict(list)
    for cit in tables["citations"]:
        by_source[cit["source_id"]].append(cit)
    checked = 0
    for sid, cites in by_source.items():
        browser.load(f"{base}sources/{sid}.html")
        marks = browser.evaluate(MARKS)
        for cit in cites:
            a = anchor(cit["citation_id"])
            mine = [m for m in marks if a in m["cites"]]
            assert mine, f"{cit['citation_id']}: no highlight on sources/{sid}.html"
            joined = "".join(m["text"] for m in mine)
            assert normalise(joined).text == normalise(cit["excerpt"]).text, cit["citation_id"]
            assert (mine[0]["start"], mine[-1]["end"]) == (cit["char_start"], cit["char_end"]), cit["citation_id"]
            assert all(x["end"] == y["start"] for x, y in zip(mine, mine[1:], strict=False)), "a highlight has a hole"
            assert browser.evaluate(f"!!document.getElementById({json.dumps(a)})"), f"no element with id {a}"
            checked += 1
    assert checked == len(tables["citations"])


def expected_rows(tables) -> list[dict]:
    """Each claim as the index should filter it: type, claimant's name, the sources it cites (from the tables)."""
    names = {a["actor_id"]: a["name"] for a in tables["actors"]}
    cited = defaultdict(set)
    for cit in tables["citations"]:
        cited[cit["claim_id"]].add(cit["source_id"])
    rows = []
    for resource, kind, key, who in (
        ("events", "event", "event_id", "claimant_actor_id"),
        ("statements", "statement", "statement_id", "speaker_actor_id"),
        ("figures", "figure", "figure_id", "claimant_actor_id"),
    ):
        for r in tables[resource]:
            rows.append({"id": r[key], "type": kind, "claimant": names.get(r[who]), "sources": cited[r[key]]})
    return rows


FILTER = """(function (choice) {
  document.querySelectorAll('#filters select').forEach(s => {
    s.value = choice[s.dataset.key] || ''; s.dispatchEvent(new Event('change'));
  });
  const rows = Array.from(document.querySelectorAll('#claims tbody tr')).filter(r => r.getClientRects().length > 0);
  return {ids: rows.map(r => r.querySelector('a').getAttribute('href').split('/').pop().replace('.html', '')),
          shown: document.getElementById('shown').textContent};
})"""


def test_the_index_filters_show_exactly_the_matching_claims(site, browser):
    base, tables, _ = site
    browser.load(base + "index.html")
    keys = browser.evaluate("Array.from(document.querySelectorAll('#filters select')).map(s => s.dataset.key)")
    assert set(keys) >= {"type", "claimant", "source"}
    rows = expected_rows(tables)
    figure = next(r for r in rows if r["type"] == "figure" and r["claimant"] and r["sources"])
    source = sorted(figure["sources"])[0]
    choices = [
        {},
        {"type": "figure"},
        {"type": "event"},
        {"claimant": figure["claimant"]},
        {"source": source},
        {"type": "figure", "source": source},
    ]
    for choice in choices:
        want = sorted(
            r["id"] for r in rows if all(r[k] == v if k != "source" else v in r["sources"] for k, v in choice.items())
        )
        got = browser.evaluate(f"{FILTER}({json.dumps(choice)})")
        assert sorted(got["ids"]) == want, choice
        assert got["shown"] == f"({len(want)} of {len(rows)} shown)", choice
    assert len({tuple(sorted(r["id"] for r in rows if r["type"] == t)) for t in ("event", "figure")}) == 2


def test_sorting_the_index_by_the_earliest_day_orders_the_rows_undated_last(site, browser):
    base, _, _ = site
    browser.load(base + "index.html")
    browser.evaluate("document.querySelector('th[data-sort] button').click()")
    starts = browser.evaluate("Array.from(document.querySelectorAll('#claims tbody tr')).map(r => r.dataset.start)")
    dated = [s for s in starts if s]
    assert dated == sorted(dated) and starts == dated + [""] * (len(starts) - len(dated))
    browser.evaluate("document.querySelector('th[data-sort] button').click()")
    starts = browser.evaluate("Array.from(document.querySelectorAll('#claims tbody tr')).map(r => r.dataset.start)")
    dated = [s for s in starts if s]
    assert dated == sorted(dated, reverse=True)


FOCUS_LOG = """window.__focused = [];
document.addEventListener('focusin', e => window.__focused.push(e.target.tagName === 'A' ?
  'a:' + Array.prototype.indexOf.call(document.links, e.target) : e.target.tagName), true); document.links.length"""


@pytest.mark.parametrize("page", ["index.html", "claim"])
def test_tab_reaches_every_link_on_the_page(site, browser, page):
    base, tables, _ = site
    if page == "claim":  # a figure linked to another claim: its page has citations, cards and fields
        linked = {link["claim_id"] for link in tables["claim_links"]}
        page = f"claims/{sorted(linked)[0]}.html"
    browser.load(base + page)
    links = browser.evaluate(FOCUS_LOG)
    assert links > 5
    focusable = browser.evaluate("document.querySelectorAll('a[href], button, select, input, textarea').length")
    browser.press("Tab", 9, times=focusable + 2)
    focused = browser.evaluate("window.__focused")
    reached = {int(f[2:]) for f in focused if f.startswith("a:")}
    missed = browser.evaluate(
        f"Array.from(document.links).filter((a, i) => !{sorted(reached)}.includes(i)).map(a => a.outerHTML)"
    )
    assert not missed, f"{page}: Tab never reaches {missed[:5]}"


def axe_pages(tables) -> list[str]:
    """The index and one page of each kind, the richest of its kind: most citations, most links, most claims."""
    cites = defaultdict(int)
    for cit in tables["citations"]:
        cites[cit["source_id"]] += 1
    links = defaultdict(int)
    for link in tables["claim_links"]:
        links[link["claim_id"]] += 1
        links[link["other_claim_id"]] += 1
    made = defaultdict(int)
    for r in tables["figures"]:
        made[r["claimant_actor_id"]] += 1
    pick = lambda counts: max(sorted(counts), key=counts.get)  # noqa: E731
    return [
        "index.html",
        f"sources/{pick(cites)}.html",
        f"claims/{pick(links)}.html",
        f"actors/{pick({k: v for k, v in made.items() if k})}.html",
    ]


RUN_AXE = """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)})))"""


def test_axe_finds_no_serious_or_critical_accessibility_violation(site, browser):
    if not AXE.is_file():
        missing("axe-core (scripts/install_axe.sh puts it in .cache/axe-core/)")
    base, tables, _ = site
    source = AXE.read_text(encoding="utf-8")
    found = {}
    for page in axe_pages(tables):
        browser.load(base + page)
        browser.evaluate(source)
        violations = browser.evaluate(RUN_AXE, await_promise=True)
        if violations:
            found[page] = violations
    assert not found, json.dumps(found, indent=1)


def test_the_index_page_with_everything_it_loads_weighs_under_500_kb(site, browser):
    base, _, _ = site
    events = browser.load(base + "index.html")
    sizes = {}
    urls = {}
    for ev in events:
        p = ev.get("params", {})
        if ev.get("method") == "Network.requestWillBeSent":
            urls[p["requestId"]] = p["request"]["url"]
        elif ev.get("method") == "Network.loadingFinished":
            sizes[p["requestId"]] = p["encodedDataLength"]
    loaded = {urls[r]: n for r, n in sizes.items()}
    assert {base + "index.html", base + "style.css", base + "table.js"} <= set(loaded)
    assert all(n > 0 for n in loaded.values())
    assert sum(loaded.values()) < INDEX_LIMIT, loaded


def test_no_page_scrolls_sideways_on_a_phone(site, browser):
    base, tables, _ = site
    browser.page(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        wide = {}
        for page in axe_pages(tables):
            browser.load(base + page)
            sizes = browser.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if sizes[0] > sizes[1]:
                wide[page] = sizes
        assert not wide, f"wider than the phone's screen (scroll width, screen width): {wide}"
    finally:
        browser.page("Emulation.clearDeviceMetricsOverride")


def _click(browser, selector: str) -> str:
    """Click the first element matching ``selector`` (a link to another page), wait for that page; its address."""
    browser.events.clear()
    found = browser.evaluate(
        f"(() => {{ const a = document.querySelector({selector!r}); if (a) a.click(); return !!a; }})()"
    )
    assert found, f"nothing to click: {selector}"
    browser.wait_for("Page.loadEventFired")
    return browser.evaluate("location.href")


def test_a_reader_clicks_from_the_index_to_the_evidence_and_the_conflicting_estimate_and_back(site, browser):
    """Done-when of issue 18: index → a figure → its excerpt highlighted in the archived article → back to the
    claim → the estimate linked to it → back, with clicks only."""
    base, tables, _ = site
    links = [
        link
        for link in tables["claim_links"]
        if link["claim_id"].startswith("fg-") and link["other_claim_id"].startswith("fg-")
    ]
    assert links, "no two linked figures to follow"
    figure, other = links[0]["claim_id"], links[0]["other_claim_id"]
    browser.load(base + "index.html")
    assert _click(browser, f'a[href="claims/{figure}.html"]') == f"{base}claims/{figure}.html"
    at = _click(browser, 'p.where a[href*="../sources/"]')
    anchor = at.split("#", 1)[1]
    target = browser.evaluate(
        f"(() => {{ const t = document.getElementById({anchor!r}); const m = t && (t.closest('mark') || t.querySelector('mark') || t.nextElementSibling);"
        " return t ? {inText: !!t.closest('.archived'), text: (m && m.textContent) || ''} : null; })()"
    )
    assert target and target["inText"] and target["text"].strip(), target
    back = _click(browser, f'.archived mark a[href*="claims/{figure}.html"]')
    assert back.split("#")[0] == f"{base}claims/{figure}.html"
    assert _click(browser, f'a[href$="{other}.html"]').split("#")[0] == f"{base}claims/{other}.html"
    browser.evaluate("history.back()")  # may come back from the page cache, with no load event: poll
    import time

    deadline = time.monotonic() + 20
    while browser.evaluate("location.href").split("#")[0] != f"{base}claims/{figure}.html":
        assert time.monotonic() < deadline, browser.evaluate("location.href")
        time.sleep(0.1)
    assert browser.evaluate("document.querySelector('h1').textContent"), "the page came back empty"
