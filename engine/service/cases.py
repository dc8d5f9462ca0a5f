"""One request's case: the body checked, the facts normalised and masked, the subjects named.

In: a request body's bytes, read by the one JSON reader (engine.load.jsondata), and the library.
Out: a `Case` (date, language, selection, masked facts, ledger keys per entity, place), or a
ServiceError with the CLI's codes, catalog messages and JSON paths into the body. Also the exact
text form facts are stored in.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from clause.engine import api
from clause.engine.api.decide import FactsRejected
from clause.engine.api.files import kind_of
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library
from clause.engine.load import jsondata
from clause.engine.load.validate import load_schema
from clause.engine.messages import Text, msg
from clause.engine.service.errors import Problem, ServiceError
from clause.engine.service.pii import Pseudonymizer

_VALIDATORS: dict[str, Draft202012Validator] = {}
#: The name the request body is read under (in messages about it).
REQUEST = "<request>"
#: What a request body may be at most (a case's facts are small).
MAX_BODY = 1_000_000


def read_body(raw: bytes) -> Any:
    """The request body as JSON data, read as every JSON input is (engine.load.jsondata):
    exact numbers within bounds, no key twice, bounded nesting. ServiceError 413 (H001) for
    a body over MAX_BODY, 400 with the reader's code (L002, L004, L006, L011, L016), its
    line and column and, for a key written twice, its JSON path."""
    if len(raw) > MAX_BODY:
        raise ServiceError.of(413, "H001/size", None, max=MAX_BODY)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            jsondata.read_json(raw, REQUEST)  # says where the first bad byte is
        except DiagnosticError as err:
            first = err.diagnostics[0]
            reason = first.texts.message if first.texts is not None else first.message
            raise ServiceError(
                400, [_located(first.code, reason, first.span.line, first.span.col)]
            ) from None
        raise  # pragma: no cover - the reader refuses what Python cannot decode
    try:
        return jsondata.parse_json(text)
    except jsondata.JsonProblem as problem:
        found = _located(problem.code, problem.reason, problem.line, problem.col)
        raise ServiceError(400, [replace(found, path=problem.pointer or None)]) from None


def _located(code: str, reason: Text, line: int, col: int) -> Problem:
    if not line:
        return Problem(code, reason)
    return Problem(code, msg("service.at", line=line, col=col, reason=reason))


def body_problems(name: str, body: Any) -> list[Problem]:
    """Where `body` breaks the request schema `schemas/<name>.schema.json` (H002), sorted."""
    validator = _VALIDATORS.get(name)
    if validator is None:
        validator = Draft202012Validator(load_schema(name), format_checker=FormatChecker())
        _VALIDATORS[name] = validator
    found = [
        Problem("H002", _reason(e), "/" + "/".join(map(str, e.absolute_path)))
        for e in validator.iter_errors(body)
    ]
    return sorted(found, key=lambda p: (p.path or "", str(p.message)))


def _reason(error: ValidationError) -> Text:
    """A schema error in the words of the catalog."""
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "required" and isinstance(value, Mapping):
        missing = next((k for k in limit if k not in value), "")
        return msg("H002/required", key=missing)
    if kind == "additionalProperties" and isinstance(value, Mapping):
        known = sorted(error.schema.get("properties", {}))
        extra = next((k for k in value if k not in known), "")
        return msg("H002/unknown", key=extra, known=", ".join(known))
    if kind == "type":
        return msg(
            "H002/type",
            expected=msg(f"expect.{_TYPES.get(str(limit), 'text')}"),
            found=kind_of(value),
        )
    if kind == "enum":
        return msg("H002/enum", value=_short(str(value)), allowed=", ".join(map(str, limit)))
    if kind in ("format", "pattern") and error.schema.get("format") == "date":
        return msg("H002/date", value=_short(str(value)))
    if kind in ("minLength", "maxLength"):
        schema = error.schema
        return msg("H002/length", min=schema.get("minLength", 0), max=schema.get("maxLength", "-"))
    if kind == "pattern":
        return msg("H002/pattern", value=_short(str(value)), pattern=str(limit))
    if kind == "uniqueItems":
        return msg("H002/unique")
    return msg("H002/other", keyword=str(kind))


_TYPES = {
    "object": "mapping",
    "array": "list",
    "string": "text",
    "number": "number",
    "integer": "number",
    "boolean": "bool",
}


def _short(text: str) -> str:
    return text if len(text) <= 100 else text[:97] + "..."


@dataclass(frozen=True)
class Case:
    """A checked request: what to decide and whom it is about."""

    on: date
    lang: str
    rule: str | None
    only: tuple[str, ...] | None
    facts: dict[str, Any]  # normalised, personal data masked
    keys: dict[str, str]  # entity -> ledger subject key
    place: str | None

    @property
    def digest(self) -> str:
        """Names the request (masked facts, date, language): a reused idempotency key with
        another request is told apart from a retry."""
        text = json.dumps([facts_json(self.facts), self.on.isoformat(), self.lang])
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def prepare(schema: str, body: Any, library: Library, masker: Pseudonymizer, lang: str) -> Case:
    """The case a request body asks about; `lang` is the language when the body names none.
    Raises ServiceError: 422 H002 for a body that does not fit `schema`, 422 F001 or F004
    (with the JSON path under /facts) for facts that do not fit the library, 422 U003 for a
    `rule` the library does not have."""
    problems = body_problems(schema, body)
    if problems:
        raise ServiceError(422, problems)
    on = date.fromisoformat(body["date"])
    rule = body.get("rule")
    if rule is not None and library.rule(rule) is None:
        known = ", ".join(r.id for r in library.rules_by_id)
        raise ServiceError.of(422, "U003", "/rule", option="", rule=rule, known=known)
    try:
        facts = api.facts_from_data(body["facts"], library, REQUEST)
    except FactsRejected as err:
        raise ServiceError(
            422, [Problem(code, reason, "/facts" + p) for code, p, reason in err.problems]
        ) from None
    masked = masker.mask(facts)
    keys = {
        entity: key
        for entity in sorted(masked)
        if (key := masker.subject_key(masked, entity)) is not None
    }
    place = masker.place_of(masked)
    marks = masker.marks
    keyed = [marks.identifiers[e] for e in keys] + ([marks.place] if marks.place else [])
    unkeyable = _unkeyable(masked, keyed)
    if unkeyable:
        raise ServiceError(422, unkeyable)
    only = body.get("only")
    return Case(
        on=on,
        lang=body.get("lang", lang),
        rule=rule,
        only=tuple(only) if only is not None else None,
        facts=masked,
        keys=keys,
        place=place,
    )


def _unkeyable(facts: Mapping[str, Any], keyed: list[tuple[str, ...]]) -> list[Problem]:
    """H015 for each value the ledger keys on (at the paths `keyed`: identifiers, the quota
    place) that holds a control character: a key must be storable as it is in every database
    (PostgreSQL text cannot hold NUL) and printable by `clause ledger`. Personal identifiers
    are keyed hashes by now, so only clear ones can be refused."""
    found: list[Problem] = []
    for path in keyed:
        value = _at(facts, path) or ""
        bad = next((c for c in value if unicodedata.category(c) == "Cc"), None)
        if bad is not None:
            field, char = ".".join(path), f"U+{ord(bad):04X}"
            found.append(Problem.of("H015", "/facts/" + "/".join(path), field=field, char=char))
    return found


def _at(facts: Mapping[str, Any], path: tuple[str, ...]) -> str | None:
    value: Any = facts
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else None


def facts_json(value: Any) -> str:
    """Facts as JSON text that reads back to the same values: keys sorted, decimals as exact
    numbers (never through float), dates as ISO text.

    >>> facts_json({"b": Decimal("1.50"), "a": [date(2021, 8, 16), True, None]})
    '{"a":["2021-08-16",true,null],"b":1.50}'
    """
    if isinstance(value, Mapping):
        items = (
            json.dumps(str(k), ensure_ascii=False) + ":" + facts_json(value[k])
            for k in sorted(value, key=str)
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(facts_json(v) for v in value) + "]"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(str(value), ensure_ascii=False)
