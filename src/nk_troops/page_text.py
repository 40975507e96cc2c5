"""A saved web page: how one is told from a text file, and the article text it holds (what add-source archives).

The text is trafilatura's extraction of the page, less what a browser hides; how it was extracted is written into
the source record's notes, so that anyone can redo it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

TRAFILATURA_OPTIONS: dict[str, Any] = dict(
    output_format="txt", include_comments=False, include_tables=True, include_images=False, with_metadata=False
)
"""How the article text of a page is extracted (written into the source record's notes)."""

_HTML_START = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|(?:html|head|meta|title)[\s>/])",
    re.IGNORECASE | re.DOTALL,
)
"""How a saved web page begins (after an XML declaration and comments): the file's name says it otherwise."""
PAGE_SUFFIXES, TEXT_SUFFIXES = (".html", ".htm", ".xhtml"), (".txt",)
XML_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>")


def is_page(file: Path, text: str) -> bool:
    """Whether a file is a saved web page: by its name's extension where it says, else by how it begins."""
    suffix = file.suffix.lower()
    return suffix in PAGE_SUFFIXES or (suffix not in TEXT_SUFFIXES and _HTML_START.match(text) is not None)


HIDDEN = "//*[@hidden] | //template"
"""Elements a browser does not show: their text is no part of the article a reader sees (it could be planted)."""


def shown(html: str) -> str:
    """The page without the elements a browser hides (HIDDEN); the page itself where it has none."""
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):  # nothing to parse: trafilatura says what it finds
        return html
    hidden = doc.xpath(HIDDEN)
    if not hidden:
        return html
    for el in hidden:
        el.drop_tree()
    return lxml.html.tostring(doc, encoding="unicode")


def extract_text(html: str) -> tuple[str, str] | None:
    """The article text of a page (with a final line break) and how it was extracted; None when it has none."""
    import trafilatura

    extracted = trafilatura.extract(shown(html), **TRAFILATURA_OPTIONS)  # a string in: nothing is fetched
    if not extracted or not extracted.strip():
        return None
    options = ", ".join(f"{k}={v!r}" for k, v in TRAFILATURA_OPTIONS.items())
    how = (
        f"trafilatura {trafilatura.__version__}, extract(page, {options}) on the page without the elements a "
        "browser hides (hidden, template), plus a final line break"
    )
    return extracted.rstrip("\n") + "\n", how
