"""Facts: plain data from YAML/JSON in, values the evaluators expect out (Decimal, date, tuple).

Conversion follows the type environment: numbers become exact decimals (floats through their
shortest text, never binary), ISO date strings become dates where the schema says date, and a
value of the wrong type is an error naming its JSON path. `null` means the fact is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from clause.engine.expr.types import BOOL, DATE, NUMBER, EnumType, Field, ListType, is_stringy
from clause.engine.messages import Msg, Text, msg
from clause.engine.numbers import NumberError, decimal_of


def schema_node(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """A facts-schema node with its local `$ref` followed (the package loader has already
    refused cycles and references out of the file; an unknown target reads as `{}`)."""
    for _ in range(32):
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node = target
    return node


def schema_number(value: Any) -> Decimal | None:
    """A schema keyword's number (`minimum`, `maximum`) as an exact decimal; None if absent."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


class FactsError(ValueError):
    """A fact whose value does not fit its declared type; `pointer` is a JSON pointer and
    `reason` the message in both languages (`message` is its English text)."""

    def __init__(self, pointer: str, reason: Text) -> None:
        super().__init__(f"{pointer or '/'}: {reason}")
        self.pointer = pointer
        self.reason = reason
        self.message = str(reason)

    def reason_key(self) -> str:
        """The catalog key of the reason ("" for text that is not a catalog message)."""
        return self.reason.key if isinstance(self.reason, Msg) else ""


def to_decimal(value: Any) -> Decimal | None:
    """An exact decimal from an int, float (by its repr), Decimal or numeric string; else None.
    Raises NumberError for a number out of bounds (engine.numbers).

    >>> to_decimal(0.1), to_decimal("500"), to_decimal(True)
    (Decimal('0.1'), Decimal('500'), None)
    """
    return decimal_of(value)


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
                raise FactsError(pointer, msg("F001/records", found=_kind(data)))
            return [_object(item, schema, f"{pointer}/{i}") for i, item in enumerate(data)]
        return _object(data, schema, pointer)
    return _scalar(data, schema.type, pointer)


def _object(data: Any, schema: Field, pointer: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise FactsError(pointer, msg("F001/record", found=_kind(data)))
    out: dict[str, Any] = {}
    written: dict[str, str] = {}  # canonical name -> the key it was written with
    for key, value in data.items():
        child = schema.lookup(str(key))
        name = child.name if child is not None else str(key)
        if name in written:  # an alias beside its name (脱贫人口 and poverty_alleviated)
            first = written[name]
            raise FactsError(f"{pointer}/{_escape(str(key))}", msg("F004", first=first, again=key))
        written[name] = str(key)
        if value is None:
            continue  # null: the fact is missing
        out[name] = value if child is None else _normalize(value, child, f"{pointer}/{key}")
    return out


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def normalize_value(value: Any, t: Any, pointer: str) -> Any:
    """Convert one value to type `t` (a scalar, enum or list type); raises FactsError."""
    return _scalar(value, t, pointer)


def _scalar(value: Any, t: Any, pointer: str) -> Any:
    if isinstance(t, ListType):
        if not isinstance(value, list | tuple):
            raise FactsError(pointer, msg("F001/list", found=_kind(value)))
        item_t = t.item
        return tuple(
            v if item_t is None else _scalar(v, item_t, f"{pointer}/{i}")
            for i, v in enumerate(value)
        )
    converted: Any = None
    if t == BOOL and isinstance(value, bool):
        converted = value
    elif t == NUMBER and not isinstance(value, str):
        try:
            converted = decimal_of(value)
        except NumberError as err:
            raise FactsError(pointer, err.reason) from None
    elif t == DATE:
        converted = to_date(value)
    elif is_stringy(t) and isinstance(value, str):
        converted = value
        if isinstance(t, EnumType) and value not in t.values:
            allowed = ", ".join(f'"{v}"' for v in t.values)
            raise FactsError(pointer, msg("F001/enum", value=value, allowed=allowed))
    if converted is None:
        raise FactsError(
            pointer, msg("F001/type", expected=_name(t), found=_kind(value), value=_shown(value))
        )
    return converted


def _name(t: Any) -> Text:
    names = {"bool": "expect.bool", "number": "expect.number", "date": "expect.date"}
    return msg(names.get(str(t), "expect.text"))


def _kind(value: Any) -> Text:
    if isinstance(value, bool):
        return msg("kind.bool")
    if isinstance(value, int | float | Decimal):
        return msg("kind.number")
    if isinstance(value, str):
        return msg("kind.text")
    if isinstance(value, list | tuple):
        return msg("kind.list")
    if isinstance(value, Mapping):
        return msg("kind.record")
    return type(value).__name__


def _shown(value: Any) -> str:
    """A value as a message quotes it: at most 60 characters."""
    text = repr(value) if not isinstance(value, Decimal) else format(value, "f")
    return text if len(text) <= 60 else text[:59] + "…"


def schema_problems(facts: Mapping[str, Any], schema: Mapping[str, Any]) -> list[tuple[str, Text]]:
    """(JSON pointer, message) for every way normalised facts break the facts JSON Schema:
    unknown fields, values out of range, missing required fields. Sorted by pointer."""
    from jsonschema import Draft202012Validator

    from clause.engine.load.validate import to_json_data

    validator = Draft202012Validator(schema)
    found: list[tuple[str, Text]] = []
    for error in validator.iter_errors(to_json_data(facts)):
        pointer = "/" + "/".join(map(str, error.absolute_path))
        found.extend(_problem(error, pointer))
    return sorted(found, key=lambda item: (item[0], str(item[1])))


def _problem(error: Any, pointer: str) -> list[tuple[str, Text]]:
    """A jsonschema error in words of both languages (its own English for rare validators)."""
    kind, limit, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        known = sorted(error.schema.get("properties", {}))
        return [
            (
                f"{pointer.rstrip('/')}/{key}",
                msg("F001/unknown", key=key, hint=suggestion_text(str(key), known)),
            )
            for key in instance
            if key not in known
        ]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [(pointer, msg(f"F001/{kind}", value=_shown(instance), limit=_shown(limit)))]
    if kind == "required":
        missing = [k for k in limit if isinstance(instance, Mapping) and k not in instance]
        return [(pointer, msg("F001/required", key=k)) for k in missing[:1]]
    return [(pointer, error.message)]


def suggestion_text(word: str, options: list[str]) -> Text:
    """ " (did you mean `x`?)" in both languages, or nothing."""
    import difflib

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return msg("hint.did_you_mean_paren", option=close[0]) if close else ""
