"""The README stays short, and every relative link in README.md and docs/*.md leads somewhere.

A link is `[text](target)`, `![alt](target)` or a reference definition `[id]: target`, outside code. A
relative target must be a file or folder inside the repository; a `#fragment` must name a heading of the
Markdown file it points into (GitHub's heading anchors). Web addresses are not fetched."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from conftest import REPO

README_MAX_BYTES = 12_000

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)")
REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def prose_lines(text: str):
    """(line number, line) of every line outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            continue
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        yield number, line


def links(text: str) -> list[tuple[int, str]]:
    out = []
    for number, line in prose_lines(text):
        line = INLINE_CODE.sub("", line)
        found = [m.group(1) for m in INLINE_LINK.finditer(line)]
        m = REFERENCE_DEF.match(line)
        if m:
            found.append(m.group(1))
        out += [(number, target.strip("<>")) for target in found]
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        m = HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    for m in re.finditer(r'<a\s+(?:name|id)="([^"]+)"', path.read_text(encoding="utf-8")):
        out.add(m.group(1))
    return out


def broken_links(path: Path, root: Path = REPO) -> list[str]:
    problems = []
    for number, target in links(path.read_text(encoding="utf-8")):
        where = f"{path.relative_to(root)}:{number}: {target}"
        if not target or SCHEME.match(target) or target.startswith("//"):
            continue  # a web address (not fetched) or an empty link
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if root.resolve() not in (dest, *dest.parents):
            problems.append(f"{where} (outside the repository)")
        elif not dest.exists():
            problems.append(f"{where} (no such file)")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            problems.append(f"{where} (no heading with anchor #{fragment})")
    return problems


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_readme_is_short():
    size = (REPO / "README.md").stat().st_size
    assert size < README_MAX_BYTES, f"README.md is {size:,} bytes; move detail into docs/"


def test_the_link_check_sees_a_broken_link_a_bad_anchor_and_skips_code(tmp_path):
    """The checker itself: a missing file and a missing heading are reported, links in code are not."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# Fast start: 0.2 s, `--no-cache`\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "See [a](docs/a.md#fast-start-02-s---no-cache) and ![p](docs/a.md).\n"
        "[gone](docs/gone.md), [bad](docs/a.md#nope), [out](../x.md), [web](https://example.org/x).\n"
        "`[code](nowhere.md)`\n```\n[fenced](nowhere.md)\n```\n[ref]: docs/missing.md\n",
        encoding="utf-8",
    )
    got = broken_links(page, tmp_path)
    assert [g.split(": ", 1)[1] for g in got] == [
        "docs/gone.md (no such file)",
        "docs/a.md#nope (no heading with anchor #nope)",
        "../x.md (outside the repository)",
        "docs/missing.md (no such file)",
    ]


def test_the_documented_error_types_are_the_ones_reported():
    """docs/validation.md lists every problem type (a stable interface for JSON readers), and no other."""
    from nk_troops import problems

    text = (REPO / "docs" / "validation.md").read_text(encoding="utf-8")
    section = text.split("## Error types", 1)[1].split("\n## ", 1)[0]
    documented = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", section, flags=re.M))
    assert documented == {kind.type: kind.title for kind in problems.ALL_KINDS}
