"""``docs/site/annotations.jsonld``: every citation as a W3C Web Annotation (https://www.w3.org/TR/annotation-model/).

One Annotation per row of the citations table, in an AnnotationCollection of one AnnotationPage. Its target is the
archived text (``seeds/...``, the file the published offsets count in) selected twice: a TextPositionSelector
(``start``/``end`` = ``char_start``/``char_end``, code points from 0, end excluded) and a TextQuoteSelector (the
archived characters at those offsets as ``exact``, with up to :data:`AFFIX` characters before and after as
``prefix`` and ``suffix``). Its body is the claim's page on the site. Identifiers are relative to the site's folder,
so the file works offline from the release zip as on the published site.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from . import metadata as M
from .site_text import anchor
from .tables import Rows

ANNOTATIONS_FILE = "annotations.jsonld"
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AFFIX = 32
"""Characters of prefix and suffix in a TextQuoteSelector (enough to tell repeated words apart)."""


def annotation(cit: dict[str, Any], source: dict[str, Any], text: str) -> dict[str, Any]:
    start, end = cit["char_start"], cit["char_end"]
    from .descriptor import SITE_DIR

    path = posixpath.relpath(source["archived_file"], SITE_DIR)  # the archived file, from the site's folder
    target_source: dict[str, Any] = {"id": path, "type": "Text", "format": "text/plain"}
    if source.get("language"):
        target_source["language"] = source["language"]
    return {
        "id": f"{ANNOTATIONS_FILE}#{anchor(cit['citation_id'])}",
        "type": "Annotation",
        "motivation": "linking",
        "body": {
            "id": f"claims/{cit['claim_id']}.html",
            "type": "Text",
            "format": "text/html",
            "language": "en",
        },
        "target": {
            "type": "SpecificResource",
            "source": target_source,
            "selector": [
                {"type": "TextPositionSelector", "start": start, "end": end},
                {
                    "type": "TextQuoteSelector",
                    "exact": text[start:end],
                    "prefix": text[max(0, start - AFFIX) : start],
                    "suffix": text[end : end + AFFIX],
                },
            ],
        },
    }


def annotations_jsonld(tables: dict[str, Rows], texts: dict[str, str | None]) -> bytes:
    """The collection of every citation whose archived text could be read, as UTF-8 JSON-LD."""
    sources = {r["source_id"]: r for r in tables["sources"]}
    items = []
    for cit in tables["citations"]:
        source = sources.get(cit["source_id"])
        text = texts.get(cit["source_id"])
        if source is None or text is None or source.get("archived_file") is None:
            continue
        items.append(annotation(cit, source, text))
    body = {
        "@context": CONTEXT,
        "id": ANNOTATIONS_FILE,
        "type": "AnnotationCollection",
        "label": f"{M.TITLE}: every citation, version {M.VERSION}",
        "total": len(items),
        "first": {"id": f"{ANNOTATIONS_FILE}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return (json.dumps(body, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
