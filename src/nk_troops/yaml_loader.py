"""Safe, strict YAML loading that remembers where every value came from.

* Only plain data: mappings, lists and scalars. Any tag that would construct
  an object (``!!python/object``, local ``!tags``), anchors and aliases are
  rejected, so loading can never run code or blow up in memory.
* Nesting is limited to :data:`MAX_DEPTH` levels (a record needs about five):
  the data is built from the parser's events with a stack of its own, so no
  input can exhaust Python's recursion limit.
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

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)

from . import hints
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
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")

MAX_DEPTH = 50
"""Deepest nesting of lists and mappings a records file may use (a record's citation is four levels deep)."""

MAX_DIGITS = 15
"""Most significant digits a number may be written with: a float holds 15 exactly (and Python refuses to read an
integer of more than 4,300 digits)."""

Path = tuple[Any, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (same events and positions, several times faster)."""


@dataclass
class Loaded:
    data: Any
    positions: dict[Path, tuple[int, int]]
    problems: dict[Path, P.Problem] = field(default_factory=dict)
    """Values read but refused, by path: a number a float cannot keep as written (too many digits, too small, too
    large) and a value holding a character YAML reads as a line break. The value is kept as read, so the rest of
    the file is still read and checked."""

    def problems_of(self, index: int, record_id: str | None) -> list[P.Problem]:
        """The refused values of the file's item ``index``, named in its record."""
        return [replace(p, record_id=record_id) for path, p in self.problems.items() if path[:1] == (index,)]


class YamlLoadError(Exception):
    def __init__(self, problem: P.Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class _Open:
    """A list or mapping being read: its path, and in a mapping the key whose value comes next."""

    value: list | dict
    path: Path
    key: str | None = None
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)


def load_yaml(text: str, file: str) -> Loaded:
    """Parse ``text``; raise YamlLoadError with a located Problem on anything unsafe or malformed."""
    lines = _Lines(text)
    try:
        return _read(yaml.parse(text, Loader=_LOADER), file, lines)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = lines.at(mark) if mark else (None, None)
        hint = "check indentation and quoting on this line and the one before"
        brk = lines.yaml_break_near(line) if line else None
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            hint = "this is a tab: YAML indents with spaces only (replace the tab by spaces)"
        if brk is not None:  # a line break to YAML that the file's lines do not show: the likeliest cause
            hint = (
                f"line {lines.of_index(brk.start())[0]} holds U+{ord(brk.group()):04X}, which YAML reads as a "
                f"line break: {_BREAK_HINT[brk.group()]}"
            )
        raise YamlLoadError(
            P.YamlSyntax(f"the file is not valid YAML: {e.problem or e}", file=file, line=line, column=col, hint=hint)
        ) from None
    except yaml.YAMLError as e:
        raise YamlLoadError(P.YamlSyntax(f"the file is not valid YAML: {e}", file=file)) from None


_YAML_BREAK = re.compile("[\x85\u2028\u2029]")
_BREAK_HINT = {
    "\x85": "remove it: it is a control character (NEL), which no text may hold",
    "\u2028": "write it as \\L inside double quotes, or remove it",
    "\u2029": "write it as \\P inside double quotes, or remove it",
}
"""How to write each: YAML's escape in a double-quoted scalar keeps the character."""


class _Lines:
    """1-based line and column of a parser's mark, counted in the text's own lines (ended by LF only). PyYAML also
    ends a line at U+0085, U+2028 and U+2029: its own line numbers would shift every later position by one."""

    def __init__(self, text: str):
        self.own = any(ch in text for ch in "\r\x85\u2028\u2029")  # else PyYAML's lines are the file's
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)] if self.own else []
        self.text = text

    def yaml_break_in(self, start: Any, end: Any) -> str | None:
        """The first character between two marks that YAML reads as a line break but the file's lines do not."""
        if not self.own:
            return None
        found = _YAML_BREAK.search(self.text, start.index, end.index)
        return found.group() if found else None

    def at(self, mark: Any) -> tuple[int, int]:
        if not self.own:
            return mark.line + 1, mark.column + 1
        return self.of_index(mark.index)

    def yaml_break_near(self, line: int) -> re.Match | None:
        """The first character YAML reads as a line break on this line of the file or the one before."""
        if not self.own:
            return None
        start = self.starts[max(line - 2, 0)]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return _YAML_BREAK.search(self.text, start, end)

    def of_index(self, index: int) -> tuple[int, int]:
        """Line and column of a character of the text, in the text's own lines (with ``own`` set)."""
        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1


def _read(events: Any, file: str, lines: _Lines) -> Loaded:
    """The data and positions of the one document in ``events``, built without recursion."""
    positions: dict[Path, tuple[int, int]] = {}
    refused: dict[Path, P.Problem] = {}
    stack: list[_Open] = []
    root: Any = None
    documents = 0

    def refuse(kind: type[P.Problem], message: str, where: tuple[int, int], **extra: Any) -> YamlLoadError:
        return YamlLoadError(kind(message, file=file, line=where[0], column=where[1], **extra))

    def refuse_value(path: Path, message: str, hint: str) -> None:
        """A value read but refused: kept as written, its problem at its field (named in its record)."""
        line, column = positions[path]
        field = P.dotted(path[1:] if path and isinstance(path[0], int) else path)
        refused[path] = P.FieldProblem(message, file=file, line=line, column=column, field=field, hint=hint)

    def put(value: Any) -> None:
        nonlocal root
        if not stack:
            root = value
        elif isinstance(stack[-1].value, list):
            stack[-1].value.append(value)
        else:
            stack[-1].value[stack[-1].key] = value
            stack[-1].key = None

    for event in events:
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise refuse(
                    P.YamlSyntax,
                    "the file holds more than one YAML document",
                    lines.at(event.start_mark),
                    hint="remove the '---' line: a records file is one list of records",
                )
            continue
        if isinstance(event, CollectionEndEvent):
            put(stack.pop().value)
            continue
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            raise refuse(
                P.YamlUnsafe,
                "anchors and aliases (&name, *name) are not allowed; write the value out",
                lines.at(event.start_mark),
            )
        if not isinstance(event, (ScalarEvent, CollectionStartEvent)):  # the stream's start or end, the document's end
            continue
        where = lines.at(event.start_mark)
        top = stack[-1] if stack else None
        is_key = top is not None and isinstance(top.value, dict) and top.key is None
        wrong_tag = _tag_refusal(event, is_key)
        if wrong_tag:
            raise refuse(P.YamlUnsafe, wrong_tag, where, hint="remove the tag (the part starting with '!')")
        if is_key:
            assert top is not None
            if not isinstance(event, ScalarEvent):
                raise refuse(P.YamlShape, "a mapping key must be a plain name", where)
            key = event.value
            if key == "<<" and not event.style and event.tag is None:
                raise refuse(P.YamlUnsafe, "merge keys (<<) are not allowed; write the fields out", where)
            if key in top.keys:
                raise refuse(
                    P.YamlDuplicateKey,
                    f"the key '{key}' is written twice in this mapping (first on line {top.keys[key][0]})",
                    where,
                    field=key,
                    hint="keep one of the two",
                )
            top.keys[key] = positions[top.path + (key,)] = where
            top.key = key
            continue
        path = () if top is None else top.path + ((top.key,) if top.key is not None else (len(top.value),))
        positions.setdefault(path, where)  # a key keeps its own line; the root and list items get theirs
        if isinstance(event, ScalarEvent):
            brk = lines.yaml_break_in(event.start_mark, event.end_mark)
            try:
                put(_scalar(event) if brk is None else event.value)
            except _NotKept as e:
                put(event.value)
                refuse_value(path, e.message, e.hint)
            if brk is not None:  # YAML folds it into a space or a line break: the value read is not the one written
                refuse_value(
                    path,
                    f"the value holds U+{ord(brk):04X}, which YAML reads as a line break and changes",
                    _BREAK_HINT[brk],
                )
        elif isinstance(event, CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise refuse(
                    P.YamlShape,
                    f"lists and mappings are nested more than {MAX_DEPTH} levels deep here",
                    where,
                    hint="a record needs about five levels: check the brackets and indentation",
                )
            stack.append(_Open({} if isinstance(event, MappingStartEvent) else [], path))
    return Loaded(root, positions, refused)


def _tag_refusal(event: ScalarEvent | CollectionStartEvent, is_key: bool) -> str | None:
    """Why a node's tag is refused, if it is: one that would build an object (or merge keys); on a key, any tag but
    !!str (another reader would read no field's name); on a list or a mapping, a tag of another kind (!!null
    over a record: another reader reads no record). A scalar's tag and value are checked together (_scalar)."""
    tag = event.tag
    if tag is None:
        return None  # the bare '!' is refused too: readers differ on what `! 'true'` is
    short = tag.replace("tag:yaml.org,2002:", "!!")
    if tag not in _STANDARD_TAGS:
        return f"the tag '{tag}' is not allowed: records hold plain text, numbers, lists and mappings only"
    if is_key and tag != _STR:
        return f"the key has the tag '{short}'; a key is a field's name alone"
    if isinstance(event, CollectionStartEvent) and tag != (_MAP if isinstance(event, MappingStartEvent) else _SEQ):
        return f"the tag '{short}' is not what follows it (a list or a mapping)"
    return None


class _NotKept(Exception):
    """A number written so that reading it would change it."""

    def __init__(self, message: str, hint: str):
        self.message, self.hint = message, hint


def _significant_digits(number: str) -> int:
    mantissa = number.lstrip("+-").split("e")[0].split("E")[0]
    return len(mantissa.replace(".", "").lstrip("0"))


_TAG_TYPES: dict[str, tuple[type, str]] = {
    "tag:yaml.org,2002:null": (type(None), "nothing (null)"),
    "tag:yaml.org,2002:bool": (bool, "true or false"),
    "tag:yaml.org,2002:int": (int, "a whole number"),
    "tag:yaml.org,2002:float": (float, "a decimal number"),
}
"""What a value with a standard tag must be read as: a tag that says otherwise (``!!null 300``) would be obeyed by
another YAML reader, so it is refused rather than read past."""


def _scalar(event: ScalarEvent) -> Any:
    if event.tag in (None, _STR):
        # quoted or block scalar, or !!str (plain: None, or '' from libyaml), is text
        if event.style or event.tag == _STR:
            return event.value
        value = _plain(event.value)
        if type(value) is int and _LEADING_ZERO.match(event.value):
            raise _NotKept(
                f"the number {event.value} is written with a leading zero: a YAML 1.1 reader reads it otherwise "
                "(as octal, or as text)",
                "write it without the zero, or in quotes if it is text",
            )
        theirs = yaml_1_1_kind(event.value)
        if theirs is not type(value):  # 1e5, 10:30, yes: PyYAML reads text, a number, a boolean
            raise _NotKept(
                f"YAML readers differ on {event.value}: this one reads {_KINDS[type(value)]}, a YAML 1.1 reader "
                f"(PyYAML) {_KINDS[theirs]}",
                "put it in quotes if it is text; write a number as 1.5e+20 or 0.5, a boolean as true or false",
            )
        return value
    kind, name = _TAG_TYPES.get(event.tag, (None, "a value of its kind"))
    value = _plain(event.value)  # quoted or not: the tag says how it is read
    if kind is float and type(value) is int:
        value = float(value)  # !!float 4000 is 4000.0 to every reader
    if type(value) is not kind or (kind is int and _LEADING_ZERO.match(event.value)):
        short = event.tag.replace("tag:yaml.org,2002:", "!!")
        raise _NotKept(
            f"the tag '{short}' asks for {name}, and {event.value!r} is not one every YAML reader reads alike",
            "remove the tag (the part starting with '!'); text goes in quotes",
        )
    return value


_RESOLVER = yaml.resolver.Resolver()
_YAML_1_1 = {
    "tag:yaml.org,2002:null": type(None),
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
}
"""What a YAML 1.1 reader (PyYAML) reads a plain scalar as, by its implicit tag; any other (text, a timestamp:
a written date is text here and the same day there) is text."""


def yaml_1_1_kind(plain: str) -> type:
    """The Python type a YAML 1.1 reader (PyYAML) reads a plain scalar as (a timestamp: text)."""
    return _YAML_1_1.get(_RESOLVER.resolve(yaml.ScalarNode, plain, (True, False)), str)


_KINDS = {type(None): "nothing (null)", bool: "true or false", int: "a whole number", float: "a number", str: "text"}

_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
"""An integer written with a leading zero: octal to a YAML 1.1 reader (010 is 8; 08 is text), decimal to YAML 1.2."""


def _plain(value: str) -> Any:
    """A plain scalar's value: null, true or false, a number, or text."""
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    is_int = _INT.fullmatch(value)
    if is_int or _FLOAT.fullmatch(value):
        digits = _significant_digits(value)
        shown = value if len(value) <= 24 else value[:21] + "..."
        if digits > MAX_DIGITS:
            raise _NotKept(
                f"the number {shown} has {digits:,} significant digits; at most {MAX_DIGITS} are kept exactly",
                "round it, or write a large number with an exponent (for example 1.5e+20); text goes in quotes",
            )
        number = int(value) if is_int else float(value)
        if number == 0 and digits:  # a float under 1e-308 or so is read as 0
            raise _NotKept(hints.too_small_to_keep(f"the number {shown}"), hints.TOO_SMALL_HINT)
        if number in (math.inf, -math.inf):
            raise _NotKept(hints.too_large_to_keep(f"the number {shown}"), "write a smaller number")
        return number
    return value
