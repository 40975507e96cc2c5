"""How to cite the dataset: CITATION.cff, .zenodo.json and the `cite` command.

Everything here is generated from ``metadata.py`` (name, title, version,
release date, licence, authors), so the citation files cannot drift from the
version: ``build`` writes them and ``build --check`` fails when they are stale.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import metadata as M

CFF_PATH = "CITATION.cff"
ZENODO_PATH = ".zenodo.json"
CFF_MESSAGE = "If you use this dataset, please cite it using the metadata from this file."
_HEADER = "# Generated from src/nk_troops/metadata.py by `nk-troops build`; edit metadata.py, not this file.\n"


def _authors() -> list[dict[str, Any]]:
    """The contributors with role 'author' (all contributors if none has it), in metadata order."""
    people = [c for c in M.CONTRIBUTORS if c.get("role", "author") == "author"] or list(M.CONTRIBUTORS)
    return people


def _is_person(c: dict[str, Any]) -> bool:
    return bool(c.get("familyName") or c.get("givenName"))


def _cff_author(c: dict[str, Any]) -> dict[str, Any]:
    """A Frictionless contributor as a CFF person (givenName/familyName given) or entity (title only)."""
    out: dict[str, Any] = {}
    if _is_person(c):
        if c.get("familyName"):
            out["family-names"] = c["familyName"]
        if c.get("givenName"):
            out["given-names"] = c["givenName"]
    else:
        out["name"] = c["title"]
    if c.get("organization"):
        out["affiliation"] = c["organization"]
    if c.get("email"):
        out["email"] = c["email"]
    if str(c.get("path", "")).startswith("https://orcid.org/"):
        out["orcid"] = c["path"]
    return out


def _display_name(c: dict[str, Any], *, inverted: bool) -> str:
    if not _is_person(c):
        return c["title"]
    family, given = c.get("familyName", ""), c.get("givenName", "")
    if inverted:
        return ", ".join(p for p in (family, given) if p)
    return " ".join(p for p in (given, family) if p)


def cff_data() -> dict[str, Any]:
    """The CITATION.cff content (Citation File Format 1.2.0) as a mapping, keys in the order written."""
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": CFF_MESSAGE,
        "type": "dataset",
        "title": M.TITLE,
        "abstract": M.DESCRIPTION,
        "version": M.VERSION,
        "license": M.DATA_LICENSE["name"],
        "authors": [_cff_author(c) for c in _authors()],
        "keywords": list(M.KEYWORDS),
    }
    if not M.is_unreleased():  # an unreleased build has no release date: citing it is citing nothing fixed
        data["date-released"] = M.RELEASED
    if M.DOI:
        data["doi"] = M.DOI
    if M.REPOSITORY:
        data["repository-code"] = M.REPOSITORY
    if M.HOMEPAGE:
        data["url"] = M.HOMEPAGE
    return data


def zenodo_data() -> dict[str, Any]:
    """The .zenodo.json deposit metadata (Zenodo's legacy deposit schema) as a mapping."""
    creators = []
    for c in _authors():
        creator = {"name": _display_name(c, inverted=True)}
        if c.get("organization"):
            creator["affiliation"] = c["organization"]
        if str(c.get("path", "")).startswith("https://orcid.org/"):
            creator["orcid"] = c["path"].removeprefix("https://orcid.org/")
        creators.append(creator)
    data: dict[str, Any] = {
        "upload_type": "dataset",
        "title": M.TITLE,
        "description": M.DESCRIPTION,
        "version": M.VERSION,
        "publication_date": M.RELEASED,
        "creators": creators,
        "keywords": list(M.KEYWORDS),
        "license": M.DATA_LICENSE["name"].lower(),
        "access_right": "open",
    }
    if M.is_unreleased():  # as in CITATION.cff: unreleased changes were published on no date (Zenodo then uses
        del data["publication_date"]  # the day of the deposit)
    if M.HOMEPAGE:
        data["related_identifiers"] = [{"identifier": M.HOMEPAGE, "relation": "isSupplementTo", "scheme": "url"}]
    return data


def citation_files() -> dict[str, bytes]:
    """CITATION.cff and .zenodo.json as bytes; the same metadata always gives the same bytes."""
    import yaml  # only when the files are rendered: the command line starts without it

    cff = yaml.safe_dump(cff_data(), sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    zenodo = json.dumps(zenodo_data(), indent=2, ensure_ascii=False) + "\n"
    return {CFF_PATH: (_HEADER + cff).encode("utf-8"), ZENODO_PATH: zenodo.encode("utf-8")}


# --------------------------------------------------------------------------- cite


@dataclass(frozen=True)
class Cited:
    """What a citation names: a version, its release date and, for a recorded release, its content hash."""

    version: str
    released: str
    content_sha256: str | None


def cited_version(root: Path) -> tuple[Cited | None, str | None]:
    """(what to cite, a warning) for the repository at ``root``.

    A released version is cited with the content hash of its record (``releases/``). Between releases the
    package holds changes no release has: the last release is cited, with a warning; with none, nothing."""
    from .releases import ReleaseError, latest, read_record

    try:
        if M.is_unreleased():
            last = latest(root)
            since = M.base_version()
            if last is None:
                return (
                    None,
                    f"unreleased changes since {since}, and no release is recorded in releases/: nothing to cite yet",
                )
            warning = (
                f"unreleased changes since {last.version}: cite a release; this is the citation of {last.version} "
                f"(`nk-troops diff {last.version}` lists what changed since; docs/versioning.md says how to get its files)"
            )
            return Cited(last.version, last.released, last.content_sha256), warning
        record = read_record(root, M.VERSION)
    except ReleaseError as e:
        return None, str(e)
    if record is None:
        return Cited(
            M.VERSION, M.RELEASED, None
        ), f"{M.VERSION} has no release record yet (run `nk-troops release {M.VERSION}`)"
    from .validate import released_version_changed

    changed = released_version_changed(root)  # files changed since the release, the version left as it was
    return Cited(record.version, record.released, record.content_sha256), changed[0].message if changed else None


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text).replace("~", r"\textasciitilde{}").replace("^", r"\textasciicircum{}")


def _where(cited: Cited) -> list[str]:
    """The parts that let a reader fetch and check exactly this version."""
    parts = []
    if M.DOI:
        parts.append(f"https://doi.org/{M.DOI}")
    if M.REPOSITORY:
        parts.append(M.REPOSITORY)
    if cited.content_sha256:
        parts.append(f"Content SHA-256 {cited.content_sha256}")
    return parts


def cite_text(cited: Cited, style: str = "text") -> str:
    """The citation of one version: 'text' (APA-like), 'bibtex' (a @misc entry) or 'csl-json' (CSL-JSON)."""
    authors = _authors()
    year = cited.released[:4]
    if style == "text":
        names = [_display_name(c, inverted=True) for c in authors]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]
        ref = (
            f"{who} ({year}). {M.TITLE} (Version {cited.version}) [Data set]. Released {cited.released}. "
            f"Licence {M.DATA_LICENSE['name']}."
        )
        return " ".join([ref, *(f"{p}." if p.startswith("Content") else p for p in _where(cited))])
    if style == "bibtex":
        # entities are double-braced so BibTeX does not split them into given and family names
        names = [
            _bibtex_escape(_display_name(c, inverted=True)) if _is_person(c) else "{" + _bibtex_escape(c["title"]) + "}"
            for c in authors
        ]
        note = f"Data set, version {cited.version}, released {cited.released}; licence {_bibtex_escape(M.DATA_LICENSE['name'])}"
        if cited.content_sha256:
            note += f"; content SHA-256 {cited.content_sha256}"
        fields = [
            ("author", " and ".join(names)),
            ("title", _bibtex_escape(M.TITLE)),
            ("year", year),
            ("version", cited.version),
            ("note", note),
        ]
        if M.DOI:
            fields.append(("doi", M.DOI))
        if M.REPOSITORY or M.HOMEPAGE:
            fields.append(("url", str(M.REPOSITORY or M.HOMEPAGE)))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        return f"@misc{{{M.NAME}-{cited.version},\n{body}\n}}"
    if style == "csl-json":
        item: dict[str, Any] = {
            "id": f"{M.NAME}-{cited.version}",
            "type": "dataset",
            "title": M.TITLE,
            "author": [
                {"family": c["familyName"], "given": c.get("givenName", "")}
                if _is_person(c)
                else {"literal": c["title"]}
                for c in authors
            ],
            "issued": {"date-parts": [[int(x) for x in cited.released.split("-")]]},
            "version": cited.version,
            "license": M.DATA_LICENSE["name"],
        }
        if M.DOI:
            item["DOI"] = M.DOI
        if M.REPOSITORY:
            item["URL"] = M.REPOSITORY
        if cited.content_sha256:
            item["note"] = f"Content SHA-256 {cited.content_sha256}"
        return json.dumps([item], indent=2, ensure_ascii=False)
    raise ValueError(f"unknown citation style {style!r}; use 'text', 'bibtex' or 'csl-json'")
