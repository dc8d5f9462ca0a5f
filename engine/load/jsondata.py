"""Read JSON data safely: bounded numbers, no duplicate keys, bounded nesting, located errors.

In: JSON bytes (or text) and the name to report. Out: plain data, whole numbers as int and
numbers with a fraction or exponent as exact Decimal (never float), or a DiagnosticError:
L002 not UTF-8, L004 not JSON (line and column), L006 a key twice in one object (its JSON
path), L011 nested deeper than the YAML limit, L016 a number out of bounds (engine.numbers).
A byte-order mark is allowed, as in YAML and CSV files. Every JSON reader uses this module:
facts, schemas, parameters and budgets (`engine.api.files`), register lines and cells
(`engine.batch`), so the same input gets the same answer wherever it is read.
"""

from __future__ import annotations

import json
import re
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.load.composer import DEFAULT_LIMITS
from clause.engine.messages import Msg, msg
from clause.engine.numbers import NumberError, decimal_from_text, int_from_text
from clause.engine.source import Span, offset_to_line_col

MAX_DEPTH = DEFAULT_LIMITS.max_depth


class JsonProblem(ValueError):
    """Why JSON text was refused, and where: 1-based line and column (0 when only the JSON
    path is known, which `pointer` then names)."""

    def __init__(self, code: str, reason: Msg, line: int = 0, col: int = 0, pointer: str = ""):
        super().__init__(str(reason))
        self.code, self.reason = code, reason
        self.line, self.col, self.pointer = line, col, pointer


class _Duplicate(dict[str, Any]):
    """An object in which `key` was written twice; found by the walk after parsing."""

    key: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    marked = _Duplicate(out)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


def _constant(name: str) -> Any:
    raise NumberError(msg("L016/special", number=name))


def parse_json(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text; JsonProblem on any problem.

    >>> parse_json('{"a": 0.1, "b": 2}')
    {'a': Decimal('0.1'), 'b': 2}
    """
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(
            text,
            parse_float=decimal_from_text,
            parse_int=int_from_text,
            parse_constant=_constant,
            object_pairs_hook=_pairs,
        )
    except json.JSONDecodeError as err:
        reason = err.msg[:1].lower() + err.msg[1:]
        raise JsonProblem("L004", msg("L004/json", reason=reason), err.lineno, err.colno) from None
    except NumberError as err:
        line, col = _locate_number(text, err)
        raise JsonProblem("L016", err.reason, line, col) from None
    except RecursionError:
        raise JsonProblem("L011", msg("L011", max=max_depth)) from None
    _walk(data, max_depth)
    return data


def _walk(data: Any, max_depth: int) -> None:
    """Refuse a duplicate key or nesting deeper than `max_depth`, naming the JSON path."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        node, pointer, depth = stack.pop()
        if isinstance(node, dict | list) and depth > max_depth:
            raise JsonProblem("L011", msg("L011/at", max=max_depth, pointer=pointer or "/"))
        if isinstance(node, _Duplicate):
            where = pointer or "/"
            raise JsonProblem("L006", msg("L006/json", key=node.key, pointer=where), pointer=where)
        if isinstance(node, dict):
            for key, value in node.items():
                part = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((value, f"{pointer}/{part}", depth + 1))
        elif isinstance(node, list):
            stack.extend((v, f"{pointer}/{i}", depth + 1) for i, v in enumerate(node))


_NUMBER_CHARS = re.compile(r"-?[0-9][0-9.eE+-]*")


def _locate_number(text: str, err: NumberError) -> tuple[int, int]:
    """Where the refused number is: the first numeric token that is out of bounds."""
    for match in _NUMBER_CHARS.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        if before and (before.isalnum() or before in '"._'):
            continue
        try:
            decimal_from_text(match.group())
        except (NumberError, ValueError):
            return offset_to_line_col(text, match.start())
    return 0, 0


def read_json(raw: bytes | str, file: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON bytes (UTF-8, BOM allowed) from `file`; DiagnosticError naming the place."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            before = raw[: err.start].decode("utf-8", "replace")
            line, col = offset_to_line_col(before, len(before))
            span = Span(file, line, col, line, col + 1)
            byte = f"0x{raw[err.start]:02X}"
            raise DiagnosticError([Diagnostic.of("L002/utf8", span, byte=byte)]) from None
    else:
        text = raw
    try:
        return parse_json(text, max_depth)
    except JsonProblem as problem:
        line, col = (problem.line, problem.col) if problem.line else (1, 1)
        span = Span(file, line, col, line, col + 1)
        raise DiagnosticError([Diagnostic.make(problem.code, problem.reason, span)]) from None
