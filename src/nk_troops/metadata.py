"""Package-level metadata of the dataset: the one place for name, version, licences and authorship.

datapackage.json, CITATION.cff and .zenodo.json are generated from here.
"""

from __future__ import annotations

from . import __version__

NAME = "north-korean-troops-russia-ukraine"
TITLE = "North Korean troops in Russia's war against Ukraine: events, statements and figures from archived news"
DESCRIPTION = (
    "Claims about North Korea's troops in Russia's war against Ukraine - their deployment and losses, the two soldiers "
    "Ukraine captured in Russia's Kursk region in January 2025, and the talks between Kyiv and Seoul on transferring "
    "them - curated from archived news articles. Every event, statement and figure cites the archived source with a "
    "verbatim excerpt; who claims something is kept apart from who reports it; conflicting claims are linked, not resolved."
)
VERSION = __version__
RELEASED = "2026-11-21"
"""Date of this version (used as 'created' so rebuilds never depend on the clock)."""
HOMEPAGE = None
KEYWORDS = [
    "North Korea",
    "DPRK",
    "Russia",
    "Ukraine",
    "Kursk",
    "prisoners of war",
    "South Korea",
    "armed conflict",
    "claims",
    "news",
]
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
CODE_LICENSE = {"name": "MIT", "title": "MIT License", "path": "https://opensource.org/licenses/MIT"}
CONTRIBUTORS = [{"title": "nk-troops dataset curators", "role": "author"}]
