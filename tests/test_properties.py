"""Property-based tests (Hypothesis).

1. Any valid record — any Unicode (Hangul, Cyrillic, quotes, commas, line breaks), optional fields present or
   missing — survives records → CSV → Parquet → pandas unchanged.
2. A random single-field mutation of a valid record is either still valid or rejected with an error naming that
   field; never an unhandled exception.
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata

import pandas as pd
import yaml
from conftest import MINI, REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nk_troops.characters import INVISIBLE_RANGES
from nk_troops.checks import check_dataset
from nk_troops.excerpts import normalise
from nk_troops.fields import FORMULA_STARTS
from nk_troops.load import apply_schema
from nk_troops.models import ActorRecord, EventRecord, FigureRecord
from nk_troops.records import load_dataset
from nk_troops.rulebook import EXCERPT_MIN
from nk_troops.schema_gen import table_schema
from nk_troops.tables import record_row
from nk_troops.vocabularies import ActorType, CitationVoice, EventType, Hedge, Measure, PlacePrecision, Qualifier, Unit
from nk_troops.writers import to_csv, to_parquet

# text a curator could write: letters of any script, punctuation, quotes, commas and inner line breaks (no
# invisible or direction-changing character: characters.INVISIBLE, category Cf and the default-ignorable ones,
# left out by name rather than by a filter, which would make Hypothesis draw each character on its own: 3x slower)
_SKIPPED = ("Cs", "Cc", "Co", "Cn", "Cf")
_chars = st.characters(
    blacklist_categories=_SKIPPED,
    whitelist_characters="\n",
    blacklist_characters="".join(
        chr(c) for a, b in INVISIBLE_RANGES for c in range(a, b + 1) if unicodedata.category(chr(c)) not in _SKIPPED
    ),
)
_scripts = st.sampled_from(
    ["조선인민군 병사", "Пономаренко сказал", '"quoted, with commas"', "‘curly’ “quotes”", "line\nbreak", "É"]
)
text = (
    st.lists(st.one_of(st.text(_chars, min_size=1, max_size=30), _scripts), min_size=1, max_size=4)
    .map(" ".join)
    .map(str.strip)
    .filter(lambda s: s and not s.startswith(FORMULA_STARTS) and s == s.strip())
)
ident = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
country = st.sampled_from(["UA", "RU", "KP", "KR", "US", None])
day = st.dates(min_value=pd.Timestamp("2000-01-01").date(), max_value=pd.Timestamp("2030-12-31").date())
written_date = st.one_of(
    day.map(lambda d: d.isoformat()),
    st.tuples(
        st.sampled_from(["early", "mid", "late"]),
        st.sampled_from(["January", "February", "October"]),
        st.integers(2000, 2030),
    ).map(lambda t: f"{t[0]}-{t[1]} {t[2]}"),
    st.tuples(st.sampled_from(["autumn", "winter", "spring"]), st.integers(2000, 2030)).map(lambda t: f"{t[0]} {t[1]}"),
    day.map(lambda d: f"by {d.isoformat()}"),
    st.just({"unknown": "The sources give no date."}),
)
# an excerpt is long enough as it is matched (spacing and line breaks normalised: rulebook.EXCERPT_LONG_ENOUGH)
excerpt = text.filter(lambda s: len(normalise(s).text) >= EXCERPT_MIN)
citation = st.fixed_dictionaries(
    {
        "source_id": ident,
        "excerpt": excerpt,
        "voice": st.sampled_from(CitationVoice.values()),
    },
    optional={"variant": text},
)
hedging = st.one_of(
    st.just({"hedge": "asserted"}),
    st.fixed_dictionaries(
        {"hedge": st.sampled_from([h for h in Hedge.values() if h != "asserted"]), "hedge_words": text}
    ),
)
placing = st.one_of(
    st.just({}), st.fixed_dictionaries({"place": text, "place_precision": st.sampled_from(PlacePrecision.values())})
)


def merged(*parts):
    """One record from several strategies of its parts (fields that must come together are drawn together)."""
    return st.tuples(*parts).map(lambda ds: {k: v for d in ds for k, v in d.items()})


def _roundtrip(model, rows):
    schema = table_schema(model)
    from_csv = apply_schema(
        pd.read_csv(
            io.BytesIO(to_csv(model, rows)), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
        ),
        schema["fields"],
    )
    from_parquet = apply_schema(pd.read_parquet(io.BytesIO(to_parquet(model, rows))), schema["fields"])
    pd.testing.assert_frame_equal(from_csv, from_parquet)
    for row, (_, got) in zip(rows, from_csv.iterrows(), strict=True):
        plain = {}
        for k, v in got.items():
            if not isinstance(v, (list, dict)) and pd.isna(v):
                plain[k] = None
            elif isinstance(v, pd.Timestamp):
                plain[k] = v.date()
            else:
                plain[k] = v
        assert plain == row


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"actor_id": ident, "name": text, "actor_type": st.sampled_from(ActorType.values())},
            optional={"country": country, "role": text, "notes": text},
        ),
        min_size=1,
        max_size=3,
    )
)
def test_actors_survive_csv_parquet_pandas(items):
    rows = [record_row(ActorRecord.model_validate(i)) for i in items]
    _roundtrip(ActorRecord, rows)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        merged(
            st.fixed_dictionaries(
                {
                    "event_id": ident.map(lambda s: "ev-" + s),
                    "event_type": st.sampled_from(EventType.values()),
                    "summary": text,
                    "date": written_date,
                    "citations": st.lists(citation, min_size=1, max_size=2),
                },
                optional={"country": country, "notes": text},
            ),
            hedging,
            placing,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_events_survive_csv_parquet_pandas(items):
    rows = [record_row(EventRecord.model_validate(i)) for i in items]
    _roundtrip(EventRecord, rows)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        merged(
            st.fixed_dictionaries(
                {
                    "figure_id": ident.map(lambda s: "fg-" + s),
                    "measure": st.sampled_from(Measure.values()),
                    "subject": text,
                    "value": st.one_of(st.integers(0, 10**7).map(float), st.floats(0, 1, allow_nan=False)),
                    "qualifier": st.sampled_from([q for q in Qualifier.values() if q != "range"]),
                    "unit": st.just(Unit.persons.value),
                    "as_of": written_date,
                    "citations": st.lists(citation, min_size=1, max_size=2),
                },
                optional={"claimant_actor_id": ident, "value_text": text},
            ),
            hedging,
            placing,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_figures_survive_csv_parquet_pandas(items):
    rows = [record_row(FigureRecord.model_validate(i)) for i in items]
    _roundtrip(FigureRecord, rows)


# --------------------------------------------------------------------------- mutations

_MINI_RECORDS = {f.stem: yaml.safe_load(f.read_text(encoding="utf-8")) for f in MINI.glob("*.yaml")}
any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(
        ["2025-02-30", "2021-7-04", "=SUM(A1)", "", " padded ", "NO", "ev-capture", "mid-Foo 2025", "seeds/../x.txt"]
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_single_field_mutation_is_valid_or_names_the_field(tmp_path_factory, data):
    resource = data.draw(st.sampled_from(sorted(_MINI_RECORDS)))
    records = [dict(r) for r in _MINI_RECORDS[resource]]
    field = data.draw(st.sampled_from(sorted(records[0])))
    records[0][field] = data.draw(any_value)
    root = tmp_path_factory.mktemp("mut")
    (root / "dataset" / "records").mkdir(parents=True)
    (root / "seeds").mkdir()
    shutil.copy2(REPO / "seeds" / "000_903a45e1dc248108.txt", root / "seeds")
    for name, recs in _MINI_RECORDS.items():
        out = records if name == resource else recs
        (root / "dataset" / "records" / f"{name}.yaml").write_text(
            yaml.safe_dump(out, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    dataset, problems = load_dataset(root)
    problems = problems + check_dataset(dataset).problems
    if not problems:
        return
    if any(
        (p.field or "").split(".")[0].split("[")[0] == field or re.search(rf"\b{field}\b", p.message) for p in problems
    ):
        return  # the error names the field (cross-field rules name every field involved in their message)
    old_id = _MINI_RECORDS[resource][0][field]
    if field.endswith("_id") and field == next(iter(_MINI_RECORDS[resource][0])):
        # a new primary key is itself fine; what breaks is every reference to the old id, and those errors say so
        assert all(p.type == "dangling-reference" and f"'{old_id}'" in p.message for p in problems), [
            p.to_text() for p in problems
        ]
        return
    raise AssertionError((field, [p.to_text() for p in problems]))
