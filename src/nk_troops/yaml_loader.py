"""Safe, strict YAML loading that remembers where every value came from.

* Only plain data: mappings, lists and scalars. Any tag that would construct
  an object (``!!python/object``, local ``!tags``), anchors and aliases are
  rejected, so loading can never run code or blow up in memory.
* A key written twice in one mapping is an error (YAML libraries normally keep
  the last one silently).
* Scalars are read by a small, fixed rule (YAML 1.1's surprises such as
  ``NO`` → False or ``2025-01-12`` → a date do not happen): a quoted scalar is
  text; a plain one is null (empty, ``~``, ``null``), a boolean (``true``,
  ``false``), an integer, a decimal number, or else text.
* ``positions`` maps every path (``(3, "citations", 0, "excerpt")``) to its
  1-based (line, column), so errors can point at the exact line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import problems as P

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")

Path = tuple[Any, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (same nodes and positions, several times faster)."""


@dataclass
class Loaded:
    data: Any
    positions: dict[Path, tuple[int, int]]


class YamlLoadError(Exception):
    def __init__(self, problem: P.Problem):
        super().__init__(problem.message)
        self.problem = problem


def load_yaml(text: str, file: str) -> Loaded:
    """Parse ``text``; raise YamlLoadError with a located Problem on anything unsafe or malformed."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = e.problem or str(e)
        raise YamlLoadError(
            P.YamlSyntax(
                f"the file is not valid YAML: {what}",
                file=file,
                line=line,
                column=col,
                hint="check indentation and quoting on this line and the one before",
            )
        ) from None
    except yaml.YAMLError as e:  # pragma: no cover - composer errors are MarkedYAMLErrors
        raise YamlLoadError(P.YamlSyntax(f"the file is not valid YAML: {e}", file=file)) from None
    positions: dict[Path, tuple[int, int]] = {}
    seen: set[int] = set()
    data = _convert(node, (), positions, seen, file) if node is not None else None
    return Loaded(data, positions)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(node: yaml.Node, path: Path, positions: dict, seen: set[int], file: str) -> Any:
    line, col = _pos(node)
    if id(node) in seen:
        raise YamlLoadError(
            P.YamlUnsafe(
                "anchors and aliases (&name, *name) are not allowed; write the value out",
                file=file,
                line=line,
                column=col,
            )
        )
    seen.add(id(node))
    if node.tag not in _STANDARD_TAGS:
        raise YamlLoadError(
            P.YamlUnsafe(
                f"the tag '{node.tag}' is not allowed: records hold plain text, numbers, lists and mappings only",
                file=file,
                line=line,
                column=col,
                hint="remove the tag (the part starting with '!')",
            )
        )
    positions.setdefault(path, (line, col))  # a key keeps its own line; the root and list items get theirs
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                kl, kc = _pos(key_node)
                raise YamlLoadError(P.YamlShape("a mapping key must be a plain name", file=file, line=kl, column=kc))
            if key_node.tag == "tag:yaml.org,2002:merge":
                kl, kc = _pos(key_node)
                raise YamlLoadError(
                    P.YamlUnsafe("merge keys (<<) are not allowed; write the fields out", file=file, line=kl, column=kc)
                )
            key = key_node.value
            if key in out:
                kl, kc = _pos(key_node)
                first = positions.get(path + (key,), (None, None))[0]
                raise YamlLoadError(
                    P.YamlDuplicateKey(
                        f"the key '{key}' is written twice in this mapping (first on line {first})",
                        file=file,
                        line=kl,
                        column=kc,
                        field=key,
                        hint="keep one of the two",
                    )
                )
            positions[path + (key,)] = _pos(key_node)
            out[key] = _convert(value_node, path + (key,), positions, seen, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), positions, seen, file) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if (
        node.style or node.tag == "tag:yaml.org,2002:str"
    ):  # quoted or block scalar, or !!str (plain: None, or '' from libyaml)
        return value
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value
