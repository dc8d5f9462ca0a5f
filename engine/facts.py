"""Facts: plain data from YAML/JSON in, values the evaluators expect out (Decimal, date, tuple).

Conversion follows the type environment: numbers become exact decimals (floats through their
shortest text, never binary), ISO date strings become dates where the schema says date, and a
value of the wrong type is an error naming its JSON path. `null` means the fact is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from clause.engine.expr.types import BOOL, DATE, NUMBER, EnumType, Field, ListType, is_stringy


class FactsError(ValueError):
    """A fact whose value does not fit its declared type; `pointer` is a JSON pointer."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer
        self.message = message


def to_decimal(value: Any) -> Decimal | None:
    """An exact decimal from an int, float (by its repr), Decimal or numeric string; else None.

    >>> to_decimal(0.1), to_decimal("500"), to_decimal(True)
    (Decimal('0.1'), Decimal('500'), None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return result if result.is_finite() else None
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def normalize_facts(data: Any, schema: Field) -> dict[str, Any]:
    """Convert a case's facts (a mapping of entities) to evaluator values following `schema`;
    raises FactsError.

    Keys the schema does not know are kept as they are (the facts schema validator, not this
    function, decides whether extra keys are allowed).
    """
    return _object(data, schema, "")


def normalize_field(data: Any, schema: Field, pointer: str = "") -> Any:
    """Convert one field's value (a scalar, a record or a list of records) following `schema`;
    raises FactsError."""
    return _normalize(data, schema, pointer)


def _normalize(data: Any, schema: Field, pointer: str) -> Any:
    if schema.type is None:  # an object, or an array of objects
        if schema.is_array:
            if not isinstance(data, list):
                raise FactsError(pointer, f"expected a list of records, found {_kind(data)}")
            return [_object(item, schema, f"{pointer}/{i}") for i, item in enumerate(data)]
        return _object(data, schema, pointer)
    return _scalar(data, schema.type, pointer)


def _object(data: Any, schema: Field, pointer: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise FactsError(pointer, f"expected a record of fields, found {_kind(data)}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        child = schema.lookup(str(key))
        name = child.name if child is not None else str(key)
        if value is None:
            continue  # null: the fact is missing
        out[name] = value if child is None else _normalize(value, child, f"{pointer}/{key}")
    return out


def normalize_value(value: Any, t: Any, pointer: str) -> Any:
    """Convert one value to type `t` (a scalar, enum or list type); raises FactsError."""
    return _scalar(value, t, pointer)


def _scalar(value: Any, t: Any, pointer: str) -> Any:
    if isinstance(t, ListType):
        if not isinstance(value, list | tuple):
            raise FactsError(pointer, f"expected a list, found {_kind(value)}")
        item_t = t.item
        return tuple(
            v if item_t is None else _scalar(v, item_t, f"{pointer}/{i}")
            for i, v in enumerate(value)
        )
    converted: Any = None
    if t == BOOL and isinstance(value, bool):
        converted = value
    elif t == NUMBER:
        converted = to_decimal(value) if not isinstance(value, str) else None
    elif t == DATE:
        converted = to_date(value)
    elif is_stringy(t) and isinstance(value, str):
        converted = value
        if isinstance(t, EnumType) and value not in t.values:
            allowed = ", ".join(f'"{v}"' for v in t.values)
            raise FactsError(pointer, f'"{value}" is not one of the allowed values: {allowed}')
    if converted is None:
        raise FactsError(pointer, f"expected {_name(t)}, found {_kind(value)} {value!r}")
    return converted


def _name(t: Any) -> str:
    return {"bool": "true or false", "number": "a number", "date": "a date YYYY-MM-DD"}.get(
        str(t), "text"
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a record"
    return type(value).__name__


def schema_problems(facts: Mapping[str, Any], schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, message) for every way normalised facts break the facts JSON Schema:
    unknown fields, values out of range, missing required fields. Sorted by pointer."""
    from jsonschema import Draft202012Validator

    from clause.engine.load.validate import to_json_data

    validator = Draft202012Validator(schema)
    found = [
        ("/" + "/".join(map(str, e.absolute_path)), e.message)
        for e in validator.iter_errors(to_json_data(facts))
    ]
    return sorted(found)
