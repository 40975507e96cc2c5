"""What a saved web page says about itself: title, byline, date, outlet, address and language, each with where it
was read, from the page's own metadata only (nothing is inferred from the article's words, nothing is fetched).

Read, in this order of preference (``SOURCES``):

* headline: ``og:title``, JSON-LD ``headline``; else the ``<title>`` element;
* byline: ``<meta name="author">``, ``article:author`` (names, not profile addresses), JSON-LD ``author``;
* published: ``article:published_time``, JSON-LD ``datePublished`` (the date part, as the page writes it);
* outlet: ``og:site_name``, JSON-LD ``publisher`` name;
* url: ``<link rel="canonical">``, ``og:url``, JSON-LD ``url`` / ``mainEntityOfPage``;
* language: ``<html lang>``, ``og:locale``, JSON-LD ``inLanguage`` (the primary language subtag).

A field is established when the page declares it and every declaration agrees (compared after case folding and
collapsing whitespace); when declarations disagree, the field is not established and the reason lists them. The
``<title>`` element is used for the headline only when nothing else declares one, and only when it does not also
carry the outlet's name after a separator (then what is headline and what is outlet is not written down).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import lxml.html


@dataclass(frozen=True)
class Declared:
    """One value the page declares for a field, and where it is declared (``og:title``, ``JSON-LD headline``...)."""

    value: str
    where: str


@dataclass(frozen=True)
class Reading:
    """What the page establishes for one field: the value and where it was read, or why it is not established."""

    value: str | None
    where: str  # e.g. "og:title and JSON-LD headline"; for an unestablished field, the reason


FIELDS = ("headline", "byline", "published", "outlet", "url", "language")


def _squash(s: str) -> str:
    return " ".join(s.split())


def _json_ld(doc: lxml.html.HtmlElement) -> list[dict]:
    """Every JSON-LD object of the page (``@graph`` members included) whose type is an article or a web page."""
    found: list[dict] = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # not JSON, or nested too deep to read: as if absent
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                types = item.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and (t.endswith("Article") or t == "WebPage") for t in types):
                    found.append(item)
    return found


def _names(value: object, listed: bool = False) -> list[str]:
    """The names in a JSON-LD person or organisation value (a text, an object with a name, or a list of them; a
    list inside the list names no one: JSON-LD has none, and a page nesting them 600 deep broke the recursion)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list) and not listed:
        return [n for v in value for n in _names(v, listed=True)]
    return []


def _url_of(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("@id"), str):
        return value["@id"]
    return None


def declarations(html: str) -> dict[str, list[Declared]]:
    """Every value the page declares for each field, most preferred first (``<title>`` under ``title``)."""
    doc = lxml.html.document_fromstring(html)
    out: dict[str, list[Declared]] = {f: [] for f in (*FIELDS, "title")}

    def meta(attr: str, name: str) -> list[str]:
        return [
            _squash(c)
            for el in doc.xpath(
                f"//meta[translate(@{attr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')=$n]", n=name
            )
            if (c := el.get("content")) and c.strip()
        ]

    def add(fld: str, values: list[str], where: str) -> None:
        out[fld].extend(Declared(_squash(v), where) for v in values if isinstance(v, str) and v.strip())

    ld = _json_ld(doc)
    add("headline", meta("property", "og:title"), "og:title")
    add("headline", [h for o in ld for h in [o.get("headline")] if isinstance(h, str)], "JSON-LD headline")
    authors = meta("name", "author")
    add("byline", [", ".join(authors)] if authors else [], '<meta name="author">')
    names = [a for a in meta("property", "article:author") if not re.match(r"https?://", a)]
    add("byline", [", ".join(names)] if names else [], "article:author")
    add("byline", [", ".join(n) for o in ld if (n := _names(o.get("author")))], "JSON-LD author")
    add("published", meta("property", "article:published_time"), "article:published_time")
    add("published", [d for o in ld if isinstance(d := o.get("datePublished"), str)], "JSON-LD datePublished")
    add("outlet", meta("property", "og:site_name"), "og:site_name")
    add("outlet", [n for o in ld for n in _names(o.get("publisher"))[:1]], "JSON-LD publisher")
    add("url", [h for el in doc.xpath('//link[@rel="canonical"]') if (h := el.get("href"))], '<link rel="canonical">')
    add("url", meta("property", "og:url"), "og:url")
    add(
        "url",
        [u for o in ld for u in [_url_of(o.get("url")) or _url_of(o.get("mainEntityOfPage"))] if u],
        "JSON-LD url",
    )
    add("language", [lang for el in doc.xpath("/html[@lang]") if (lang := el.get("lang"))], "<html lang>")
    add("language", meta("property", "og:locale"), "og:locale")
    add("language", [lang for o in ld if isinstance(lang := o.get("inLanguage"), str)], "JSON-LD inLanguage")
    add("title", [t.text_content() for t in doc.xpath("//head/title")[:1]], "<title>")
    return out


def _normal(fld: str, value: str) -> str | None:
    """The value in the record's form (a date's YYYY-MM-DD, a language's two-letter code), or None if it has none."""
    if fld == "published":
        m = re.match(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:$|[T ])", value)
        return m.group(1) if m else None
    if fld == "language":
        m = re.fullmatch(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*", value)
        return m.group(1).lower() if m else None
    return value


def _quote(value: str) -> str:
    return "'" + (value if len(value) <= 100 else value[:97] + "...") + "'"


def read_page(html: str) -> dict[str, Reading]:
    """What the page establishes for each of :data:`FIELDS`."""
    found = declarations(html)
    out: dict[str, Reading] = {}
    for fld in FIELDS:
        decl = found[fld]
        if not decl:
            out[fld] = Reading(None, "")
            continue
        forms = [_normal(fld, d.value) for d in decl]
        odd = [d for d, f in zip(decl, forms, strict=True) if f is None]
        if odd:
            out[fld] = Reading(
                None, f"the page's {odd[0].where} is {_quote(odd[0].value)}, which is not in the form needed"
            )
            continue
        distinct = {f.casefold() for f in forms if f}
        if len(distinct) > 1:
            said = "; ".join(f"{d.where} {_quote(d.value)}" for d in decl)
            out[fld] = Reading(None, f"the page's metadata disagrees: {said}")
            continue
        wheres = list(dict.fromkeys(d.where for d in decl))
        if fld in ("published", "language"):  # the value was read from what the page wrote: show that too
            shown = ", ".join(f"{w} {_quote(next(d.value for d in decl if d.where == w))}" for w in wheres)
        else:
            shown = " and ".join(wheres)
        out[fld] = Reading(forms[0], shown)
    if out["headline"].value is None and not out["headline"].where and found["title"]:
        title = found["title"][0].value
        if not re.search(r"\s[|\u2013\u2014-]\s|\s::\s|\s\|", title):
            out["headline"] = Reading(title, f"<title> {_quote(title)} (the page declares no other headline)")
    return out
