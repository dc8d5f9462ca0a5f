"""Type terms and the type environment: what names an expression may use, and their types.

A facts schema (JSON Schema subset) becomes a tree of fields; Chinese aliases declared with
`x-alias` resolve to the same field as the English name. Parameters have their own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.messages import Text, msg

#: Objects nested in a facts schema, at most (as deep as YAML files may nest).
MAX_SCHEMA_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Type:
    """A scalar type: bool, number, string, date; `error` marks a node already reported."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class EnumType:
    """A string restricted to listed values (a JSON Schema `enum`)."""

    values: tuple[str, ...]
    name: str = "string"

    def __str__(self) -> str:
        return "enum(" + ", ".join(f'"{v}"' for v in self.values) + ")"


@dataclass(frozen=True, slots=True)
class ListType:
    """A list; `item` is None for the empty list literal, which fits any list."""

    item: Any = None
    name: str = "list"

    def __str__(self) -> str:
        return f"list[{self.item}]" if self.item is not None else "list"


BOOL = Type("bool")
NUMBER = Type("number")
STRING = Type("string")
DATE = Type("date")
ERROR = Type("error")
RECORD = Type("record")  # an item of a list of records: only counted or tested with exists()

DECISION_DATE_NAMES = ("decision_date", "决定日期")

#: What `outcome("rule-id")` can be, by the kind of rule it names. An undetermined rule gives
#: an unknown value (carrying the facts it lacks), never the word "undetermined"; the lists
#: are those of engine.decide.reasons, which a unit test holds equal.
KNOWN_OUTCOMES = {
    "benefit": ("eligible", "ineligible", "not_applicable", "exception_needed"),
    "obligation": ("compliant", "violation", "not_applicable", "exception_needed"),
}
PARAM_ROOT_NAMES = ("param", "参数")


def is_stringy(t: object) -> bool:
    return t == STRING or isinstance(t, EnumType)


def compatible(a: object, b: object) -> bool:
    """Whether values of types a and b can be compared for equality or combined in a list."""
    if a == ERROR or b == ERROR:
        return True
    if is_stringy(a) and is_stringy(b):
        return True
    if isinstance(a, ListType) and isinstance(b, ListType):
        return a.item is None or b.item is None or compatible(a.item, b.item)
    return a == b


def unify(a: object, b: object) -> object:
    """The common type of two compatible types (enum with string gives string)."""
    if a == ERROR:
        return b
    if b == ERROR or a == b:
        return a
    if is_stringy(a) and is_stringy(b):
        return STRING
    if isinstance(a, ListType) and isinstance(b, ListType):
        if a.item is None:
            return b
        if b.item is None:
            return a
        return ListType(unify(a.item, b.item))
    return a


@dataclass(frozen=True)
class Field:
    """One named field of the facts: a leaf with a type, or an object with children."""

    name: str
    aliases: tuple[str, ...] = ()
    type: Any = None  # a scalar, enum or list type for leaves; None for objects
    children: Mapping[str, Field] = field(default_factory=dict)
    is_array: bool = False  # an array of objects: paths through it give lists
    title: str = ""

    def lookup(self, segment: str) -> Field | None:
        """A child by English name or alias."""
        found = self.children.get(segment)
        if found is not None:
            return found
        for child in self.children.values():
            if segment in child.aliases:
                return child
        return None

    def spellings(self) -> list[str]:
        """Every name a child can be written with, for "did you mean" suggestions."""
        out: list[str] = []
        for child in self.children.values():
            out.append(child.name)
            out.extend(child.aliases)
        return out


@dataclass(frozen=True)
class TypeEnv:
    """Names an expression can use: facts (a Field tree), parameters (id -> type) and the
    rules whose outcome it may read (id -> kind, benefit or obligation)."""

    facts: Field
    params: Mapping[str, Any] = field(default_factory=dict)
    rules: Mapping[str, str] = field(default_factory=dict)

    @staticmethod
    def empty() -> TypeEnv:
        return TypeEnv(Field("facts"))

    @staticmethod
    def from_schema(schema: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> TypeEnv:
        """Build from a facts JSON Schema; SchemaTypeError on constructs outside the subset."""
        return TypeEnv(_field_from_schema("facts", schema, schema, ()), dict(params or {}))

    @staticmethod
    def from_values(facts: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> TypeEnv:
        """Infer types from sample values, for trying expressions without a schema."""
        return TypeEnv(
            _field_from_value("facts", facts),
            {k: _type_of_value(v) for k, v in flatten_params(params or {}).items()},
        )


class SchemaTypeError(ValueError):
    """The facts schema uses a construct the expression language cannot type; `reason` is the
    message in both languages, `message` its English text."""

    def __init__(self, pointer: str, reason: Text) -> None:
        super().__init__(f"{pointer or '/'}: {reason}")
        self.pointer = pointer
        self.reason = reason
        self.message = str(reason)


def _aliases(node: Mapping[str, Any], pointer: str) -> tuple[str, ...]:
    alias = node.get("x-alias", ())
    if isinstance(alias, str):
        return (alias,)
    if not isinstance(alias, list | tuple) or not all(isinstance(a, str) for a in alias):
        raise SchemaTypeError(pointer, _shape_error("x-alias", "expect.text", alias))
    return tuple(alias)


def _shape_error(key: str, expected: str, found: object) -> Text:
    kind = "kind.list" if isinstance(found, list) else "kind.text"
    kind = "kind.mapping" if isinstance(found, Mapping) else kind
    kind = "kind.number" if isinstance(found, int | float | Decimal) else kind
    return msg("F002/shape", key=key, expected=msg(expected), found=msg(kind))


def _mapping(node: object, pointer: str, key: str = "") -> Mapping[str, Any]:
    if not isinstance(node, Mapping):
        raise SchemaTypeError(pointer, _shape_error(key or pointer or "/", "expect.mapping", node))
    return node


def _resolve(node: object, root: Mapping[str, Any], pointer: str) -> Mapping[str, Any]:
    node = _mapping(node, pointer)
    seen = 0
    while "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or seen > 32:
            raise SchemaTypeError(pointer, msg("F002/ref", ref=repr(ref)))
        target: Any = root
        for part in ref[2:].split("/"):
            if not isinstance(target, Mapping) or part not in target:
                raise SchemaTypeError(pointer, msg("F002/unresolved", ref=repr(ref)))
            target = target[part]
        node, seen = _mapping(target, pointer), seen + 1
    return node


def _field_from_schema(
    name: str,
    node: Mapping[str, Any],
    root: Mapping[str, Any],
    aliases: tuple[str, ...],
    pointer: str = "",
    depth: int = 0,
) -> Field:
    node = _resolve(node, root, pointer)
    title = str(node.get("title", ""))
    if depth > MAX_SCHEMA_DEPTH:
        raise SchemaTypeError(pointer, msg("L011", max=MAX_SCHEMA_DEPTH))
    if node.get("type") == "object" or "properties" in node:
        children = {}
        properties = _mapping(node.get("properties", {}), pointer, "properties")
        for key, sub in sorted(properties.items()):
            here = f"{pointer}/properties/{key}"
            children[key] = _field_from_schema(
                key, sub, root, _aliases(_resolve(sub, root, here), here), here, depth + 1
            )
        return Field(name, aliases, None, children, title=title)
    if node.get("type") == "array":
        here = f"{pointer}/items"
        items = _resolve(node.get("items", {}), root, here)
        if items.get("type") == "object" or "properties" in items:
            inner = _field_from_schema(name, items, root, aliases, here, depth + 1)
            return Field(name, aliases, None, inner.children, is_array=True, title=title)
        return Field(name, aliases, ListType(_scalar_type(here, items)), title=title)
    return Field(name, aliases, _scalar_type(pointer, node), title=title)


def _scalar_type(pointer: str, node: Mapping[str, Any]) -> Any:
    if "enum" in node:
        values = node["enum"]
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return EnumType(tuple(values))
        raise SchemaTypeError(pointer, msg("F002/enum"))
    kind = node.get("type")
    if isinstance(kind, list):  # ["integer", "null"] and the like: null means a missing fact
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "boolean":
        return BOOL
    if kind in ("integer", "number"):
        return NUMBER
    if kind == "string":
        return DATE if node.get("format") == "date" else STRING
    raise SchemaTypeError(pointer, msg("F002/type", type=repr(node.get("type"))))


def _type_of_value(value: Any) -> Any:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float | Decimal):
        return NUMBER
    if isinstance(value, date):
        return DATE
    if isinstance(value, str):
        return DATE if _looks_like_date(value) else STRING
    if isinstance(value, list | tuple):
        items = [_type_of_value(v) for v in value if v is not None]
        return ListType(items[0] if items else None)
    return STRING


def _looks_like_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _field_from_value(name: str, value: Any) -> Field:
    if isinstance(value, Mapping):
        return Field(name, (), None, {k: _field_from_value(k, v) for k, v in value.items()})
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(item)
        inner = _field_from_value(name, merged)
        return Field(name, (), None, inner.children, is_array=True)
    return Field(name, (), _type_of_value(value))


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested parameter values to {"a.b": value}."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_params(value, dotted + "."))
        else:
            out[dotted] = value
    return out
