"""Check loaded YAML against the JSON Schemas in `schemas/`, with S diagnostics at the right place.

In: a `Loaded` file and a schema name ("rule", "document", ...). Out: a list of Diagnostics
(S001..S006), each at the key or value it is about, with "did you mean" for misspelt keys and
enum values. Validation sees dates as ISO text (`to_json_data`), since JSON Schema has no dates;
decimals stay numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from clause.engine.diagnostics import Diagnostic, suggestion
from clause.engine.load.loader import Loaded, json_pointer
from clause.engine.messages import Both, Msg, Text, msg, render


def _schema_dir() -> Path:
    """`schemas/` two levels above this package: the repository's folder in a checkout
    (engine/load -> schemas/), the installed `clause.schemas` in a wheel (clause/engine/load)."""
    return Path(__file__).resolve().parents[2] / "schemas"


SCHEMA_DIR = _schema_dir()
SCHEMA_NAMES = (
    "document",
    "facts",
    "funds",
    "library",
    "notice-text",
    "parameter",
    "policy-test",
    "rule",
    "run-manifest",
    "service-apply-request",
    "service-apply-response",
    "service-decide-request",
    "service-decision-record",
    "service-error",
    "service-health",
    "service-rules",
    "trace",
)

_TYPE_WORDS: dict[str, Text] = {
    "object": msg("kind.mapping"),
    "array": msg("kind.list"),
    "string": msg("kind.text"),
    "integer": msg("kind.whole"),
    "number": msg("kind.number"),
    "boolean": msg("expect.bool"),
    "null": "null",
}


@cache
def load_schema(name: str) -> Mapping[str, Any]:
    """The schema `schemas/<name>.schema.json` as data."""
    path = SCHEMA_DIR / f"{name}.schema.json"
    with path.open(encoding="utf-8") as handle:
        schema: Mapping[str, Any] = json.load(handle)
    return schema


@cache
def schema_validator(name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for one of `SCHEMA_NAMES`, checking `format: date` too."""
    return Draft202012Validator(load_schema(name), format_checker=FormatChecker())


def to_json_data(data: Any) -> Any:
    """The data as JSON Schema sees it: dates become ISO text, tuples lists, whole decimals
    ints; other decimals stay exact (jsonschema counts them as numbers).

    >>> to_json_data({"from": date(2021, 8, 16), "to": None})
    {'from': '2021-08-16', 'to': None}
    """
    if isinstance(data, Mapping):
        return {key: to_json_data(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [to_json_data(item) for item in data]
    if isinstance(data, date):
        return data.isoformat()
    if isinstance(data, Decimal) and data == data.to_integral_value():
        return int(data)  # an exact whole number, so "integer" fields accept it
    return data


def validate_loaded(loaded: Loaded, schema: str) -> list[Diagnostic]:
    """Every schema violation in a loaded file, one Diagnostic each, sorted by place."""
    reporter = _Reporter(loaded, load_schema(schema))
    seen: set[tuple[str, int, int, str]] = set()
    found: list[Diagnostic] = []
    for error in schema_validator(schema).iter_errors(to_json_data(loaded.data)):
        for diagnostic in reporter.diagnose(error):
            # one finding per place and code (a date failing both pattern and format), but
            # every missing key of a mapping
            message = diagnostic.message if diagnostic.code == "S002" else ""
            key = (diagnostic.code, diagnostic.span.line, diagnostic.span.col, message)
            if key not in seen:
                seen.add(key)
                found.append(diagnostic)
    return sorted(found, key=Diagnostic.sort_key)


_NO_TEXT = Both("", "")


@dataclass(frozen=True, slots=True)
class _Doc:
    """The documentation of the schema closest to an error: title and help in both languages
    (the schemas write "中文 / English"), and examples."""

    title: Both = _NO_TEXT
    help: Both = _NO_TEXT
    examples: tuple[Any, ...] = ()


class _Reporter:
    """Turns jsonschema errors into Diagnostics placed in one loaded file."""

    def __init__(self, loaded: Loaded, root: Mapping[str, Any]) -> None:
        self.loaded, self.root = loaded, root

    def diagnose(self, error: ValidationError) -> list[Diagnostic]:
        pointer = json_pointer(error.absolute_path)
        kind = error.validator
        if kind == "additionalProperties" and isinstance(error.instance, dict):
            return self._unknown_keys(error)
        if kind in ("anyOf", "oneOf"):
            return self._no_alternative(error, pointer)
        if "propertyNames" in error.schema_path and isinstance(error.instance, str):
            key_pointer = json_pointer([*error.absolute_path, error.instance])
            help_text = self._doc(error).help
            return [
                self.loaded.finding(
                    "S005/key", key_pointer, at_key=True, key=error.instance, help=help_text
                )
            ]
        handler = {
            "required": self._missing,
            "dependentRequired": self._dependent,
            "type": self._wrong_type,
            "enum": self._not_allowed,
            "const": self._not_allowed,
        }.get(str(kind), self._constraint)
        return [handler(error, pointer)]

    def _unknown_keys(self, error: ValidationError) -> list[Diagnostic]:
        allowed = sorted(error.schema.get("properties", {}))
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            help_text = suggestion(key, allowed) or _allowed_keys(allowed)
            pointer = json_pointer([*error.absolute_path, key])
            out.append(self.loaded.finding("S001", pointer, at_key=True, key=key, help=help_text))
        return out

    def _missing(self, error: ValidationError, pointer: str) -> Diagnostic:
        # jsonschema raises one error per missing key, naming it only in the message
        named = re.match(r"^'(.+)' is a required property$", error.message)
        missing = [k for k in error.validator_value if k not in error.instance]
        field = named.group(1) if named else (missing or ["?"])[0]
        title = self._resolve(error.schema.get("properties", {}).get(field, {})).get("title")
        last = pointer.rsplit("/", 1)[-1]
        where = msg("where.in", path=last) if pointer and not last.isdigit() else ""
        hint = (
            msg("hint.add_key_titled", key=field, title=title)
            if isinstance(title, str)
            else msg("hint.add_key", key=field)
        )
        return self.loaded.finding(
            "S002", pointer, at_key=bool(pointer), key=field, where=where, help=hint
        )

    def _dependent(self, error: ValidationError, pointer: str) -> Diagnostic:
        """A key that needs another beside it (a version's `event` needs its `effective_date`)."""
        present = next((k for k in error.validator_value if k in error.instance), "?")
        needed = [n for n in error.validator_value.get(present, ()) if n not in error.instance]
        field = needed[0] if needed else "?"
        pointer = json_pointer([*error.absolute_path, present])
        return self.loaded.finding(
            "S002/dependent", pointer, at_key=True, present=present, needed=field
        )

    def _wrong_type(self, error: ValidationError, pointer: str) -> Diagnostic:
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = Both(
            " or ".join(render(_TYPE_WORDS.get(n, n), "en") for n in names),
            " 或 ".join(render(_TYPE_WORDS.get(n, n), "zh") for n in names),
        )
        return self.loaded.finding(
            "S003",
            pointer,
            expected=wanted,
            found=_describe(error.instance),
            help=self._doc(error).help,
        )

    def _not_allowed(self, error: ValidationError, pointer: str) -> Diagnostic:
        values = error.validator_value if error.validator == "enum" else [error.validator_value]
        texts = [str(v) for v in values]
        help_text = suggestion(str(error.instance), texts, 0.5) or msg(
            "hint.allowed", values=", ".join(texts)
        )
        return self.loaded.finding("S004", pointer, value=_describe(error.instance), help=help_text)

    def _no_alternative(self, error: ValidationError, pointer: str) -> list[Diagnostic]:
        """No alternative of an anyOf fits. Alternatives whose type does not even match are
        noise; if one alternative is left (a date that is not null, a text that is not a
        number), its own errors say what is wrong."""
        groups: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            groups.setdefault(int(sub.schema_path[0]), []).append(sub)
        relevant = [g for g in groups.values() if not _only_type_mismatch(g)]
        if len(relevant) == 1:
            return [d for sub in relevant[0] for d in self.diagnose(sub)]
        deeper = [e for e in error.context if e.relative_path]
        if deeper:
            return self.diagnose(best_match(deeper))
        doc = self._doc(error)
        what = _lower(doc.title) if doc.title.en else msg("what.value_plain")
        return [
            self.loaded.finding(
                "S006", pointer, value=_describe(error.instance), what=what, help=doc.help
            )
        ]

    def _constraint(self, error: ValidationError, pointer: str) -> Diagnostic:
        kind, limit, doc = str(error.validator), error.validator_value, self._doc(error)
        shown = _describe(error.instance)
        keys = ", ".join(error.instance) if isinstance(error.instance, dict) else ""
        hint: Text = doc.help
        if kind == "format" and limit == "date":
            hint = msg("hint.date")
        elif kind == "pattern" and doc.examples:
            hint = msg("hint.examples", examples=", ".join(str(e) for e in doc.examples[:2]))
        args: dict[str, Any]
        if kind == "pattern" and doc.title.en:
            key, args = "S005/pattern", {"value": shown, "what": _lower(doc.title)}
        elif kind == "minLength" and limit != 1:
            key, args = "S005/minLength", {"min": limit}
        elif kind in _CONSTRAINTS:
            items = "item" if limit == 1 else "items"
            key = _CONSTRAINTS[kind]
            args = {"value": shown, "limit": limit, "keys": keys, "items_word": items}
        else:  # a constraint the schemas do not use today: jsonschema's own words
            key, args = "S005/other", {"reason": error.message}
        return self.loaded.finding(key, pointer, help=hint, **args)

    def _resolve(self, node: Any) -> Any:
        """Follow local `$ref`s (`#/$defs/x`) to the schema they name."""
        for _ in range(16):
            if not isinstance(node, Mapping) or "$ref" not in node:
                break
            target: Any = self.root
            for part in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            if "title" in node or "description" in node:
                return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            node = target
        return node

    def _doc(self, error: ValidationError) -> _Doc:
        """Walk the schema path of an error, keeping the innermost title, description and
        examples: what the user was writing, in the schema's own words."""
        node: Any = self.root
        doc = _Doc()
        for part in error.absolute_schema_path:
            node = self._resolve(_child(self._resolve(node), part))
            if node is None:
                break
            if isinstance(node, Mapping):  # a schema, or a `properties` table: check types
                title, text, examples = (node.get(k) for k in ("title", "description", "examples"))
                doc = _Doc(
                    _bilingual(title) if isinstance(title, str) else doc.title,
                    _bilingual(text) if isinstance(text, str) else doc.help,
                    tuple(examples) if isinstance(examples, list) else doc.examples,
                )
        return doc


def _child(node: Any, part: str | int) -> Any:
    """node[part] for a schema mapping or list; None when the path does not go on."""
    if isinstance(node, Mapping) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


def _only_type_mismatch(errors: list[ValidationError]) -> bool:
    return all(e.validator == "type" and not e.relative_path for e in errors)


#: The finding for each constraint of the schemas, with `value`, `limit` and `keys` to fill.
_CONSTRAINTS = {
    "format": "S005/format",
    "pattern": "S005/form",
    "minLength": "S005/empty",
    "minItems": "S005/minItems",
    "minProperties": "S005/empty",
    "maxProperties": "S005/maxProperties",
    "uniqueItems": "S005/unique",
}


def _allowed_keys(allowed: list[str]) -> Msg:
    if allowed:
        return msg("hint.allowed_keys", keys=", ".join(allowed))
    return msg("hint.no_keys")


def _describe(value: Any) -> Text:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return msg("kind.mapping")
    if isinstance(value, list):
        return msg("kind.list")
    if isinstance(value, str):
        return f"`{value if len(value) <= 40 else value[:39] + '…'}`"
    return f"`{value}`"


def _bilingual(text: str) -> Both:
    """Both halves of a bilingual schema text ("中文 / English" or "中文\\nEnglish").

    >>> _bilingual("金额（元） / Amount (yuan)")
    Both(en='Amount (yuan)', zh='金额（元）')
    """
    for separator in ("\n", " / "):
        if separator in text:
            zh, en = text.rsplit(separator, 1)
            return Both(en.strip(), zh.strip())
    return Both(text.strip(), text.strip())


def _english(text: str) -> str:
    """The English half of a bilingual schema text."""
    return _bilingual(text).en


def _lower(text: Both) -> Both:
    """A title as it reads inside a sentence: English in lower case."""
    return Both(text.en.lower(), text.zh)
