"""One definition of everything: a user-facing message is written once in src/, and every rule is listed in
docs/rules.md, which is generated from the declarations."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import REPO

SRC = REPO / "src" / "nk_troops"


def _texts(path: Path) -> list[tuple[str, int]]:
    """Message-like string literals of a module (f-strings with their holes as {}), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if len(text) >= 30 and " " in text.strip():
            out.append((text, node.lineno))
    return out


def test_no_message_is_written_in_two_modules():
    where: dict[str, set[str]] = defaultdict(set)
    for path in sorted(SRC.rglob("*.py")):
        for text, line in _texts(path):
            where[text].add(f"{path.relative_to(REPO)}:{line}")
    twice = {text: sorted(places) for text, places in where.items() if len({p.split(":")[0] for p in places}) > 1}
    assert not twice, "\n".join(f"{t!r}: {', '.join(p)}" for t, p in twice.items())


def test_the_scan_finds_a_message_written_twice(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text('raise ValueError(f"value_low ({low}) is greater than value_high ({high})")\n', encoding="utf-8")
    b.write_text('msg = f"value_low ({x}) is greater than value_high ({y})"\n', encoding="utf-8")
    assert {t for t, _ in _texts(a)} == {t for t, _ in _texts(b)} == {"value_low ({}) is greater than value_high ({})"}
