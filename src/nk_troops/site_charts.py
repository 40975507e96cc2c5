"""The plots on the site: each SVG of docs/plots with every figure and event in it linked to its claim page.

The plots give each point, bar or label the id of its record (plot_common.py); here each such element is wrapped in
a link to ``claims/<id>.html``. The SVG is matplotlib's own output, parsed with the standard library (it resolves
no external entity) and written back in the same order, so the bytes are as deterministic as the plot's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
CHARTS = {
    "figures_by_claimant": "Who claimed how many North Korean troops, when, and how sure",
    "events_timeline": "What happened when, as claimed, by whom and from which source",
}
"""Each chart of docs/plots the site shows, with the question it answers."""


def linked_svg(svg: bytes, ids: set[str], prefix: str) -> bytes:
    """``svg`` with every element whose id is in ``ids`` wrapped in a link to ``prefix + id + '.html'``."""
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    root = ET.fromstring(svg)
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in [e for e in root.iter() if e.get("id") in ids]:
        parent = parents[element]
        link = ET.Element(f"{{{SVG}}}a", {f"{{{XLINK}}}href": f"{prefix}{element.get('id')}.html", "target": "_top"})
        ET.SubElement(link, f"{{{SVG}}}title").text = str(element.get("id"))
        parent.insert(list(parent).index(element), link)
        parent.remove(element)
        link.append(element)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"
