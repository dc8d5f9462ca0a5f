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

from clause.engine.diagnostics import Diagnostic, did_you_mean
from clause.engine.load.loader import Loaded, json_pointer


def _schema_dir() -> Path:
    """`schemas/` two levels above this package: the repository's folder in a checkout
    (engine/load -> schemas/), the installed `clause.schemas` in a wheel (clause/engine/load)."""
    return Path(__file__).resolve().parents[2] / "schemas"


SCHEMA_DIR = _schema_dir()
SCHEMA_NAMES = (
    "document",
    "facts",
    "funds",
    "notice-text",
    "parameter",
    "policy-test",
    "rule",
    "service-apply-request",
    "service-apply-response",
    "service-decide-request",
    "service-decision-record",
    "service-error",
    "service-health",
    "service-rules",
    "trace",
)

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
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


@dataclass(frozen=True, slots=True)
class _Doc:
    """The documentation of the schema closest to an error: English title, help, examples."""

    title: str = ""
    help: str = ""
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
            message = f"key `{error.instance}` is not a valid name here"
            help_text = self._doc(error).help
            return [self.loaded.diagnostic("S005", message, key_pointer, key=True, help=help_text)]
        handler = {
            "required": self._missing,
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
            help_text = did_you_mean(key, allowed) or _allowed_keys(allowed)
            out.append(
                self.loaded.diagnostic(
                    "S001",
                    f"unknown key `{key}`",
                    json_pointer([*error.absolute_path, key]),
                    key=True,
                    label="not part of this format",
                    help=help_text,
                )
            )
        return out

    def _missing(self, error: ValidationError, pointer: str) -> Diagnostic:
        # jsonschema raises one error per missing key, naming it only in the message
        named = re.match(r"^'(.+)' is a required property$", error.message)
        missing = [k for k in error.validator_value if k not in error.instance]
        field = named.group(1) if named else (missing or ["?"])[0]
        title = self._resolve(error.schema.get("properties", {}).get(field, {})).get("title")
        last = pointer.rsplit("/", 1)[-1]
        where = f" in `{last}`" if pointer and not last.isdigit() else ""
        return self.loaded.diagnostic(
            "S002",
            f"missing required key `{field}`{where}",
            pointer,
            key=bool(pointer),
            help=f"add `{field}:` ({title})" if title else f"add `{field}:`",
        )

    def _wrong_type(self, error: ValidationError, pointer: str) -> Diagnostic:
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_WORDS.get(n, n) for n in names)
        return self.loaded.diagnostic(
            "S003",
            f"expected {wanted}, found {_describe(error.instance)}",
            pointer,
            help=self._doc(error).help,
        )

    def _not_allowed(self, error: ValidationError, pointer: str) -> Diagnostic:
        values = error.validator_value if error.validator == "enum" else [error.validator_value]
        texts = [str(v) for v in values]
        help_text = did_you_mean(str(error.instance), texts, 0.5) or "allowed: " + ", ".join(texts)
        message = f"{_describe(error.instance)} is not an allowed value"
        return self.loaded.diagnostic("S004", message, pointer, help=help_text)

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
        message = f"{_describe(error.instance)} is not a valid {doc.title.lower() or 'value'}"
        return [self.loaded.diagnostic("S006", message, pointer, help=doc.help)]

    def _constraint(self, error: ValidationError, pointer: str) -> Diagnostic:
        kind, limit, doc = error.validator, error.validator_value, self._doc(error)
        shown = _describe(error.instance)
        keys = ", ".join(error.instance) if isinstance(error.instance, dict) else ""
        messages = {
            "format": f"{shown} is not a valid {limit}",
            "pattern": f"{shown} is not a valid {doc.title.lower()}"
            if doc.title
            else f"{shown} does not have the expected form",
            "minLength": "must not be empty" if limit == 1 else f"needs {limit}+ characters",
            "minItems": f"needs at least {limit} item{'s' if limit != 1 else ''}",
            "minProperties": "must not be empty",
            "maxProperties": f"only {limit} of these keys may be given, found: {keys}",
            "uniqueItems": "the items must not repeat",
        }
        help_text = doc.help
        if kind == "format" and limit == "date":
            help_text = "write a calendar date as YYYY-MM-DD, e.g. 2021-08-16"
        elif kind == "pattern" and doc.examples:
            help_text = "e.g. " + ", ".join(str(e) for e in doc.examples[:2])
        message = messages.get(str(kind)) or error.message
        return self.loaded.diagnostic("S005", message, pointer, help=help_text)

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
                    _english(title) if isinstance(title, str) else doc.title,
                    _english(text) if isinstance(text, str) else doc.help,
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


def _allowed_keys(allowed: list[str]) -> str:
    return "allowed keys: " + ", ".join(allowed) if allowed else "no keys are allowed here"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"`{value if len(value) <= 40 else value[:39] + '…'}`"
    return f"`{value}`"


def _english(text: str) -> str:
    """The English half of a bilingual schema text ("中文 / English" or "中文\\nEnglish")."""
    if "\n" in text:
        return text.rsplit("\n", 1)[-1].strip()
    if " / " in text:
        return text.rsplit(" / ", 1)[-1].strip()
    return text.strip()
