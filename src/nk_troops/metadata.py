"""Package-level metadata of the dataset: the one place for name, version, licences and authorship.

datapackage.json, CITATION.cff and .zenodo.json are generated from here.
"""

from __future__ import annotations

import re

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
"""MAJOR.MINOR.PATCH for a release; between releases the last one with ``+unreleased`` (semver build metadata,
PEP 440 local version): the tables then hold changes no release has (docs/versioning.md)."""
RELEASED = "2026-11-30"
"""Date of the last release (also 'created' of an unreleased build, so rebuilds never depend on the clock)."""
HOMEPAGE = None
REPOSITORY: str | None = None
"""The public repository (https://github.com/OWNER/NAME) once it is published: cited with every version. Not yet
known, so not invented; ``repository_problem`` checks its form."""
DOI: str | None = None
"""The concept DOI Zenodo assigns once the repository is connected to it (docs/versioning.md); never invented."""
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


UNRELEASED = "+unreleased"


def is_unreleased(version: str | None = None) -> bool:
    """Whether ``version`` (default: this package's) marks changes made since its release (``0.1.0+unreleased``)."""
    return (VERSION if version is None else version).endswith(UNRELEASED)


def base_version(version: str | None = None) -> str:
    """The release a version is, or follows: ``0.1.0+unreleased`` → ``0.1.0``."""
    return (VERSION if version is None else version).removesuffix(UNRELEASED)


def repository_problem(url: object) -> str | None:
    """Why ``url`` cannot be the repository setting (an https address of a repository, no credentials), or None."""
    if url is None:
        return None
    if not isinstance(url, str) or not re.fullmatch(
        r"https://[a-z0-9.-]+\.[a-z]{2,}/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", url
    ):
        return f"{url!r} is not an https address of a repository (https://github.com/OWNER/NAME)"
    return None
