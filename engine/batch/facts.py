"""Register rows to facts: CSV cells or JSON records in, facts checked against the schema out.

The column convention (docs/batch.md): a column is a dotted fact path, English or alias
(`person.contract_months`, `人员.合同期限月`); an empty cell is a missing fact. Cells are
converted by the field's type: booleans `true/false/1/0/是/否`, numbers as exact decimals from
their text, dates `YYYY-MM-DD`, lists and arrays of records as a JSON-encoded cell. Every row is
held to the facts schema subset (types, enums, integer, minimum, maximum, required, closed
objects) as `clause explain` holds a facts file, without running a JSON Schema validator per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.expr.types import BOOL, DATE, NUMBER, EnumType, Field, ListType
from clause.engine.facts import (
    FactsError,
    normalize_facts,
    normalize_field,
    schema_node,
    schema_number,
)
from clause.engine.load.jsondata import JsonProblem, parse_json
from clause.engine.messages import Msg, Text, msg, render
from clause.engine.numbers import MAX_TEXT, NumberError, decimal_from_text

CASE_ID = "case_id"

TRUE_TEXTS = ("true", "1", "是")
FALSE_TEXTS = ("false", "0", "否")
_BOOLS = {**{t: True for t in TRUE_TEXTS}, **{t: False for t in FALSE_TEXTS}}
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RowError(ValueError):
    """Why a row cannot be decided: the fact path (or "" for the whole row) and a message.
    `text` is the message in both languages (a catalog message); `message` its English, which
    the rejects file keeps (data for programs); `render(lang)` is what a page shows."""

    def __init__(self, path: str, text: Text) -> None:
        english = render(text, "en")
        super().__init__(f"{path}: {english}" if path else english)
        self.path = path
        self.text = text
        self.message = english

    @property
    def reason(self) -> Text:
        """The whole reason, the fact path first, in both languages (`str(self)` in English)."""
        return msg("row.at", path=self.path, reason=self.text) if self.path else self.text


class ColumnError(ValueError):
    """A header that does not fit the facts schema; the whole input is unusable. `problems`
    says why, one message per column."""

    def __init__(self, problems: list[Msg]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Shape:
    """One field of the facts schema with the constraints a row is checked against."""

    field: Field
    path: str
    integer: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    closed: bool = False  # additionalProperties: false
    required: tuple[str, ...] = ()
    children: dict[str, Shape] = dataclass_field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return self.field.type is not None

    @property
    def json_cell(self) -> bool:
        """Whether a CSV cell for this field holds JSON (a list, or an array of records)."""
        return self.field.is_array or isinstance(self.field.type, ListType)


def build_shape(schema: Mapping[str, Any], facts: Field) -> Shape:
    """The constraint tree of a facts schema, parallel to its type tree `facts`."""
    return _shape(schema, schema, facts, "")


def _shape(node: Mapping[str, Any], root: Mapping[str, Any], f: Field, path: str) -> Shape:
    node = schema_node(node, root)
    if node.get("type") == "array":
        node = schema_node(node.get("items", {}), root) if f.is_array else node
    children = {
        name: _shape(node.get("properties", {}).get(name, {}), root, child, _join(path, name))
        for name, child in f.children.items()
    }
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return Shape(
        f,
        path,
        integer="integer" in kinds,
        minimum=schema_number(node.get("minimum")),
        maximum=schema_number(node.get("maximum")),
        closed=node.get("additionalProperties") is False,
        required=tuple(node.get("required", ())),
        children=children,
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# -- one value -----------------------------------------------------------------------------


def text_converter(shape: Shape) -> Callable[[str], Any]:
    """A function from a cell's (stripped, non-empty) text to the field's value; raises
    RowError. Numbers keep the digits written (`500.0` stays 500.0, never a float)."""
    t = shape.field.type
    if shape.json_cell:
        return lambda text: _json_cell(text, shape)
    if t == BOOL:
        return _bool_text
    if t == NUMBER:
        return memoised(lambda text: check_number(_number_text(text, shape.path), shape))
    if t == DATE:
        return memoised(lambda text: _date_text(text, shape.path))
    if isinstance(t, EnumType):
        allowed = frozenset(t.values)
        shown = ", ".join(t.values)

        def enum(text: str) -> str:
            if text not in allowed:
                raise RowError(shape.path, msg("row.not_one_of", value=_cut(text), known=shown))
            return text

        return enum
    return str


_MISSING = object()


def memoised(convert: Callable[[str], Any], size: int = 4096) -> Callable[[str], Any]:
    """`convert` remembering its results for the texts it has seen (a register repeats its
    dates and amounts). Only immutable values go through this; errors are never remembered,
    so a bad cell is reported every time it occurs."""
    memo: dict[str, Any] = {}

    def run(text: str) -> Any:
        value = memo.get(text, _MISSING)
        if value is _MISSING:
            value = convert(text)
            if len(memo) < size:
                memo[text] = value
        return value

    return run


def _bool_text(text: str) -> bool:
    value = _BOOLS.get(text.lower())
    if value is None:
        raise RowError("", msg("row.bool", value=_cut(text)))
    return value


def _number_text(text: str, path: str) -> Decimal:
    if len(text) > MAX_TEXT or not _NUMBER.fullmatch(text):
        raise RowError(path, msg("row.number", value=_cut(text)))
    try:
        return decimal_from_text(text)
    except NumberError as err:
        raise RowError(path, err.reason) from None


def _cut(text: str) -> str:
    """A cell as a reason quotes it: at most 60 characters."""
    return repr(text) if len(text) <= 60 else repr(text[:57]) + f"… ({len(text):,} characters)"


def _date_text(text: str, path: str) -> date:
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise RowError(path, msg("row.date", value=_cut(text)))


def _json_cell(text: str, shape: Shape) -> Any:
    try:
        data = parse_json(text)
    except JsonProblem as err:
        found = msg("row.json_list", value=_cut(text), reason=err.reason)
        raise RowError(shape.path, found) from None
    try:
        value = normalize_field(data, shape.field)
    except FactsError as err:
        raise RowError(_pointer_path(shape.path, err.pointer), err.reason) from None
    check_facts(shape, value)
    return value


def check_number(value: Decimal, shape: Shape) -> Decimal:
    if shape.integer and value != value.to_integral_value():
        raise RowError(shape.path, msg("row.whole", value=str(value)))
    if shape.minimum is not None and value < shape.minimum:
        raise RowError(shape.path, msg("row.minimum", value=str(value), minimum=str(shape.minimum)))
    if shape.maximum is not None and value > shape.maximum:
        raise RowError(shape.path, msg("row.maximum", value=str(value), maximum=str(shape.maximum)))
    return value


def check_facts(shape: Shape, value: Any) -> None:
    """Hold normalised facts to the constraints normalize_facts does not check; RowError."""
    if shape.is_leaf:
        if isinstance(value, Decimal):
            check_number(value, shape)
        return
    items = value if shape.field.is_array else (value,)
    for i, item in enumerate(items):
        where = f"{shape.path}[{i}]" if shape.field.is_array else shape.path
        for key, sub in item.items():
            child = shape.children.get(key)
            if child is not None:
                check_facts(child, sub)
            elif shape.closed:
                raise RowError(_join(where, key), msg("row.unknown_field"))
        for name in shape.required:
            if name not in item:
                raise RowError(_join(where, name), msg("row.required"))


def _pointer_path(prefix: str, pointer: str) -> str:
    """`/0/date` under `person.grants` -> `person.grants[0].date`."""
    out = prefix
    for part in pointer.split("/")[1:] if pointer else ():
        out = f"{out}[{part}]" if part.isdigit() else _join(out, part)
    return out


# -- one row -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int
    name: str  # as written in the header
    keys: tuple[str, ...]  # canonical path
    convert: Callable[[str], Any]


class FactsPlan:
    """How rows become facts for one package: column resolution, conversion and checks."""

    def __init__(self, schema: Mapping[str, Any], facts: Field) -> None:
        self.root = build_shape(schema, facts)
        self.has_required = _any_required(self.root)

    def resolve(self, name: str) -> Shape | None:
        """The field a dotted column name (English names or aliases) stands for."""
        shape = self.root
        for segment in name.split("."):
            if shape.is_leaf or shape.field.is_array:
                return None
            child_field = shape.field.lookup(segment)
            if child_field is None:
                return None
            shape = shape.children[child_field.name]
        return shape

    def columns(self, header: Sequence[str]) -> tuple[list[Column], int | None]:
        """Resolve a header: the fact columns and the index of `case_id`; ColumnError."""
        columns: list[Column] = []
        seen: dict[str, str] = {}
        case_index = None
        problems = []
        for i, raw in enumerate(header):
            name = raw.strip()
            if name == CASE_ID:
                case_index = i
                continue
            shape = self.resolve(name) if name else None
            if shape is None or not (shape.is_leaf or shape.field.is_array):
                problems.append(self._unknown(name, i))
                continue
            if shape.path in seen:
                problems.append(msg("B002/same", first=seen[shape.path], again=name))
                continue
            seen[shape.path] = name
            columns.append(Column(i, name, tuple(shape.path.split(".")), text_converter(shape)))
        if problems:
            raise ColumnError(problems)
        return columns, case_index

    def _unknown(self, name: str, index: int) -> Msg:
        if not name:
            return msg("B002/unnamed", index=index + 1)
        shape = self.resolve(name)
        if shape is not None:
            leaves = ", ".join(f"{name}.{c}" for c in list(shape.children)[:3])
            return msg("B002/group", name=name, leaves=leaves)
        return msg("B002/unknown", name=name)

    def from_cells(self, columns: Sequence[Column], cells: Sequence[str]) -> dict[str, Any]:
        """Facts from one CSV row's cells (already split); empty cells are missing facts."""
        facts: dict[str, Any] = {}
        for column in columns:
            text = cells[column.index]
            if not text or not (text := text.strip()):
                continue
            try:
                value = column.convert(text)
            except RowError as err:
                raise RowError(err.path or column.name, err.text) from None
            keys = column.keys
            target = facts.get(keys[0])
            if target is None:
                target = facts[keys[0]] = {}
            for key in keys[1:-1]:
                inner = target.get(key)
                target = inner if inner is not None else target.setdefault(key, {})
            target[keys[-1]] = value
        if self.has_required:
            check_facts(self.root, facts)
        return facts

    def from_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Facts from a nested record (a JSON Lines object, a Parquet row); RowError."""
        try:
            facts = normalize_facts(dict(record), self.root.field)
        except FactsError as err:
            raise RowError(_pointer_path("", err.pointer), err.reason) from None
        check_facts(self.root, facts)
        return facts


def _any_required(shape: Shape) -> bool:
    return bool(shape.required) or any(_any_required(c) for c in shape.children.values())


def case_id_of(value: Any, row: int) -> str:
    """A case id from a record's `case_id` (text or whole number); the row number if absent."""
    if value is None:
        return str(row)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    raise RowError(CASE_ID, msg("row.case_id", value=repr(value)))
