"""Checks between records: archived sources and their hashes, unique ids,
references, and that every excerpt is found in the source it cites.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import problems as P
from . import rulebook as R
from .confine import SEEDS_DIR, Refusal, seed_file
from .excerpt_hint import nearest_passage
from .excerpts import NormalisedText, find_excerpt, normalise
from .hints import Candidates, reference_hint
from .links import (
    DUPLICATE_LINK_HINT,
    LINK_KEY,
    RELAYS,
    SELF_LINK,
    cycle_hint,
    cycle_message,
    cycles,
    duplicate_link_message,
    duplicate_relay_message,
    graph_cycles,
    self_references,
)
from .models import CLAIMS, CURATED, Citation, SourceRecord
from .records import Dataset, Located
from .schema_gen import columns
from .seeds import MAX_SEED_BYTES, original_refusal, undescribed_seeds
from .vocabularies import ArchiveStatus


@dataclass
class CheckResult:
    problems: list[P.Problem] = field(default_factory=list)
    spans: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    """(claim id, citation index) → (char_start, char_end) in the archived text."""


def check_dataset(dataset: Dataset) -> CheckResult:
    result = CheckResult()
    texts = _check_sources(dataset, result.problems)
    ids = _check_unique_ids(dataset, result.problems)
    _check_references(dataset, ids, result.problems)
    _check_citations(dataset, texts, result)
    return result


def _check_sources(dataset: Dataset, problems: list[P.Problem]) -> dict[str, NormalisedText]:
    """Verify each archived file is a plain file inside seeds/ whose bytes match sha256; return normalised texts."""
    root = dataset.root.resolve()
    seeds = root / SEEDS_DIR
    texts: dict[str, NormalisedText] = {}
    # files named by source records that failed their own checks count as described (their errors are reported already)
    described: set[str] = {Path(str(loc.item.get("archived_file"))).name for loc in dataset.invalid.get("sources", [])}
    for loc in dataset.of("sources"):
        src: SourceRecord = loc.record  # type: ignore[assignment]
        if src.status is not ArchiveStatus.archived or src.archived_file is None:
            continue
        line, col = loc.at("archived_file")
        where: dict[str, Any] = dict(
            file=loc.file, line=line, column=col, record_id=src.source_id, field="archived_file"
        )
        resolved = seed_file(dataset.root, src.archived_file)  # never opened unless a regular file in seeds/
        if isinstance(resolved, Refusal):
            problems.append(resolved.kind(resolved.message, **where, hint=resolved.hint))
            continue
        described.add(resolved.name)
        if src.original_file is not None:
            _check_original(dataset.root, loc, src, described, problems)
        raw = resolved.read_bytes() if resolved.stat().st_size <= MAX_SEED_BYTES else None
        if raw is None:
            problems.append(P.FileTooLarge(f"'{src.archived_file}' is larger than {MAX_SEED_BYTES:,} bytes", **where))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != src.sha256:
            hl, hc = loc.at("sha256")
            problems.append(
                R.SEED_HASH.kind(
                    R.SEED_HASH.message(path=src.archived_file, digest=digest, recorded=src.sha256),
                    file=loc.file,
                    line=hl,
                    column=hc,
                    record_id=src.source_id,
                    field="sha256",
                    hint=R.SEED_HASH.hint,
                )
            )
            continue
        try:
            texts[src.source_id] = normalise(raw.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(P.EncodingProblem(f"'{src.archived_file}' is not UTF-8 text", **where))
    if (
        seeds.is_dir() and not seeds.is_symlink() and "sources" not in dataset.unread
    ):  # with sources.yaml unread, every seed would look undescribed
        for rel, message, hint in undescribed_seeds(seeds, described):
            problems.append(P.SeedUndescribed(message, file=rel, hint=hint))
    return texts


def _check_original(
    root: Path, loc: Located, src: SourceRecord, described: set[str], problems: list[P.Problem]
) -> None:
    """The saved page an archived text was extracted from: in seeds/, its bytes matching original_sha256."""
    assert src.original_file is not None
    name, fld, refused = original_refusal(root, src.original_file, src.original_sha256)
    described.add(name)
    if refused is not None:
        line, col = loc.at(fld)
        problems.append(
            refused.kind(
                refused.message,
                file=loc.file,
                line=line,
                column=col,
                record_id=src.source_id,
                field=fld,
                hint=refused.hint,
            )
        )


def _check_unique_ids(dataset: Dataset, problems: list[P.Problem]) -> dict[str, dict[str, Located]]:
    ids: dict[str, dict[str, Located]] = {}
    for model in CURATED:
        seen: dict[str, Located] = {}
        for loc in dataset.of(model.resource):
            rid = loc.id
            if rid is None:
                continue  # a valid record always has its key; kept for the type checker
            if rid in seen:
                first = seen[rid]
                line, col = loc.at(model.primary_key)
                problems.append(
                    P.DuplicateId(
                        f"'{rid}' is already used by the record at {first.file}:{first.at(model.primary_key)[0]}",
                        file=loc.file,
                        line=line,
                        column=col,
                        record_id=rid,
                        field=model.primary_key,
                        hint="give this record its own id, or merge the two records (one record per claim, several citations)",
                    )
                )
                continue
            seen[rid] = loc
        ids[model.resource] = seen
    ids["claims"] = {k: v for m in CLAIMS for k, v in ids.get(m.resource, {}).items()}
    return ids


def _check_references(dataset: Dataset, ids: dict[str, dict[str, Located]], problems: list[P.Problem]) -> None:
    """Every reference resolves; checked on records as written, so a record with other errors still has its references checked."""
    invalid = {m.resource: dataset.invalid_ids(m.resource) for m in CURATED}
    invalid["claims"] = set().union(*(invalid[m.resource] for m in CLAIMS))
    unchecked = set(dataset.unread)  # a file that could not be read (reported once): its ids are unknown
    if unchecked & {m.resource for m in CLAIMS}:
        unchecked.add("claims")

    nearest: dict[str, Candidates] = {}  # for each table referred to: its ids, prepared for did-you-mean

    def check(loc: Located, path: tuple, value: object, target: str) -> None:
        if not isinstance(value, str):
            return  # missing, or of the wrong type (reported by the record's own checks)
        resource = target.split(".")[0]
        known = ids.get(resource, {})
        if value in known or value in invalid.get(resource, set()) or resource in unchecked:
            return  # the id is there, in a record already reported, or in a file that could not be read
        line, col = loc.at(*path)
        if resource not in nearest:
            nearest[resource] = Candidates(known)
        suggestion = reference_hint(value, nearest[resource])
        problems.append(
            P.DanglingReference(
                f"'{value}' is not the id of any record in {resource}",
                file=loc.file,
                line=line,
                column=col,
                record_id=loc.id,
                field=P.dotted(path),
                hint=suggestion or f"add the {resource[:-1]} to dataset/records/{_records_file(resource)}",
            )
        )

    def items(value: object) -> list[tuple[int, dict]]:
        return [(j, v) for j, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []

    for model in CURATED:
        fk_fields = [(c.source_field, c.fk) for c in columns(model) if c.fk]
        for loc in [*dataset.of(model.resource), *dataset.invalid.get(model.resource, [])]:
            item = loc.item
            for name, target in fk_fields:
                check(loc, (name,), item.get(name), target)
            for j, cit in items(item.get("citations")):
                check(loc, ("citations", j, "source_id"), cit.get("source_id"), "sources.source_id")
            written: dict[tuple, int] = {}  # (relation, other_claim_id) -> the first link that holds them
            for j, link in items(item.get("links")):
                check(loc, ("links", j, "other_claim_id"), link.get("other_claim_id"), "claims.claim_id")
                if loc.id is not None and link.get("other_claim_id") == loc.id:
                    line, col = loc.at("links", j, "other_claim_id")
                    problems.append(
                        P.RecordRule(
                            SELF_LINK,
                            file=loc.file,
                            line=line,
                            column=col,
                            record_id=loc.id,
                            field=f"links[{j}].other_claim_id",
                        )
                    )
                key = tuple(link.get(name) for name in LINK_KEY[1:])
                if all(isinstance(v, str) for v in key):
                    k = written.setdefault(key, j)
                    if k != j:
                        line, col = loc.at("links", j)
                        problems.append(
                            P.RecordRule(
                                duplicate_link_message(key[0], key[1], f"links[{k}], line {loc.at('links', k)[0]}"),
                                file=loc.file,
                                line=line,
                                column=col,
                                record_id=loc.id,
                                field=f"links[{j}]",
                                hint=DUPLICATE_LINK_HINT,
                            )
                        )
            relayed: dict[str, int] = {}  # relayed source id -> the first relay that names it
            for j, relay in items(item.get("relays")):
                other = relay.get("source_id")
                check(loc, ("relays", j, "source_id"), other, "sources.source_id")
                if not isinstance(other, str):
                    continue
                line, col = loc.at("relays", j, "source_id")
                k = relayed.setdefault(other, j)
                for message, hint in (
                    *([(R.RELAY_TO_ITSELF.message(), R.RELAY_TO_ITSELF.hint)] if other == loc.id else []),
                    *(
                        [
                            (
                                duplicate_relay_message(other, f"relays[{k}], line {loc.at('relays', k)[0]}"),
                                R.RELAY_ONCE.hint,
                            )
                        ]
                        if k != j
                        else []
                    ),
                ):
                    problems.append(
                        P.RecordRule(
                            message,
                            file=loc.file,
                            line=line,
                            column=col,
                            record_id=loc.id,
                            field=f"relays[{j}].source_id",
                            hint=hint,
                        )
                    )
    for model in CURATED:
        for column in self_references(model):
            _check_cycles(dataset.of(model.resource), column, problems)
    _check_relay_cycles(dataset.of("sources"), problems)


def _check_cycles(records: list[Located], column: str, problems: list[P.Problem]) -> None:
    """A self-reference must end: each loop once, at the record that closes it (links.cycles)."""
    first: dict[str | None, int] = {}
    for i, loc in enumerate(records):
        first.setdefault(loc.id, i)
    targets = ((i, getattr(loc.record, column)) for i, loc in enumerate(records))
    for loop in cycles({i: first[t] for i, t in targets if t is not None and t in first}):
        loc = records[loop[0]]
        line, col = loc.at(column)
        problems.append(
            P.RecordRule(
                cycle_message(column, [records[i].id for i in loop]),
                file=loc.file,
                line=line,
                column=col,
                record_id=loc.id,
                field=column,
                hint=cycle_hint(column),
            )
        )


def _check_relay_cycles(records: list[Located], problems: list[P.Problem]) -> None:
    """Relays must end: each loop through the sources' relays once, at the relay that closes it
    (links.graph_cycles; a source may relay several, so the relays are a graph)."""
    first: dict[str | None, int] = {}
    for i, loc in enumerate(records):
        first.setdefault(loc.id, i)
    edges: list[tuple[int, int, int]] = []
    at: list[tuple[int, int]] = []  # at[k]: the record and relay of edge k
    for i, loc in enumerate(records):
        assert isinstance(loc.record, SourceRecord)
        for j, relay in enumerate(loc.record.relays):
            if relay.source_id in first:
                edges.append((len(at), i, first[relay.source_id]))
                at.append((i, j))
    for loop in graph_cycles(edges):
        i, j = at[loop.edge]
        loc = records[i]
        line, col = loc.at("relays", j, "source_id")
        problems.append(
            P.RecordRule(
                cycle_message(RELAYS, [records[n].id for n in loop.nodes]),
                file=loc.file,
                line=line,
                column=col,
                record_id=loc.id,
                field=f"relays[{j}].source_id",
                hint=cycle_hint(RELAYS),
            )
        )


def _records_file(resource: str) -> str:
    return f"{resource}.yaml" if resource != "claims" else "events.yaml, statements.yaml or figures.yaml"


EXCERPT_MAX = next(m.max_length for m in Citation.model_fields["excerpt"].metadata if hasattr(m, "max_length"))
"""The longest excerpt a citation may have (models.Excerpt): a longer one is not searched for."""


def _check_citations(dataset: Dataset, texts: dict[str, NormalisedText], result: CheckResult) -> None:
    """Every excerpt is in its archived source; checked on citations as written, so records with other errors are covered too."""
    status = {loc.id: getattr(loc.record, "status", None) for loc in dataset.of("sources")}
    passages: dict[str, Candidates] = {}  # for each source cited wrongly: its passages, prepared for the hint
    for model in CLAIMS:
        for loc in [*dataset.of(model.resource), *dataset.invalid.get(model.resource, [])]:
            citations = loc.item.get("citations")
            for j, cit in enumerate(citations if isinstance(citations, list) else []):
                source_id = cit.get("source_id") if isinstance(cit, dict) else None
                excerpt = cit.get("excerpt") if isinstance(cit, dict) else None
                if not isinstance(source_id, str) or not isinstance(excerpt, str) or len(excerpt) > EXCERPT_MAX:
                    continue  # malformed citation, or an excerpt too long to publish: reported by the record's own checks
                if status.get(source_id) is ArchiveStatus.not_archived:
                    sl, sc = loc.at("citations", j, "source_id")
                    result.problems.append(
                        R.CITES_ARCHIVED.kind(
                            R.CITES_ARCHIVED.message(source_id=source_id),
                            file=loc.file,
                            line=sl,
                            column=sc,
                            record_id=loc.id,
                            field=f"citations[{j}].source_id",
                            hint=R.CITES_ARCHIVED.hint,
                        )
                    )
                    continue
                text = texts.get(source_id)
                if text is None:
                    continue  # the source itself is already reported (missing, changed or unknown)
                spans = find_excerpt(excerpt, text)
                if not spans:
                    line, col = loc.at("citations", j, "excerpt")
                    result.problems.append(
                        R.EXCERPT_IN_SOURCE.kind(
                            R.EXCERPT_IN_SOURCE.message(source_id=source_id),
                            file=loc.file,
                            line=line,
                            column=col,
                            record_id=loc.id,
                            field=f"citations[{j}].excerpt",
                            hint=nearest_passage(excerpt, text, passages, source_id),
                        )
                    )
                    continue
                if loc.record is not None and loc.id is not None:
                    result.spans[(loc.id, j)] = spans[0]
