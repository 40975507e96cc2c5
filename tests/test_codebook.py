"""The codebook documents every table, column and controlled value, and the committed copy is current."""

from __future__ import annotations

from conftest import REPO

from nk_troops.codebook import CODEBOOK_PATH, render_codebook
from nk_troops.models import PUBLISHED
from nk_troops.schema_gen import columns
from nk_troops.validate import check_records


def test_committed_codebook_is_current():
    tables = check_records(REPO).tables
    expected = render_codebook({name: len(rows) for name, rows in tables.items()})
    committed = (REPO / CODEBOOK_PATH).read_text(encoding="utf-8")
    assert committed == expected, f"{CODEBOOK_PATH} drifted from the models; run `nk-troops build` and commit it"


def test_every_column_and_every_enum_value_is_documented():
    text = render_codebook()
    checked = 0
    for model in PUBLISHED:
        assert f"## {model.resource}" in text
        for col in columns(model):
            assert f"| `{col.name}` |" in text and col.description, (model.resource, col.name)
            if col.enum is not None:
                for member in col.enum:
                    assert member.definition and f"| `{member.value}` | {member.definition}" in text.replace("\\|", "|")
                    checked += 1
    assert checked > 50


def test_foreign_keys_are_shown_as_links():
    text = render_codebook()
    assert "[actors](#actors).actor_id" in text and "[claims](#claims).claim_id" in text
