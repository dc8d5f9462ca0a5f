"""One request's case: the body checked, the facts normalised and masked, the subjects named.

In: a parsed JSON request body (numbers as Decimal) and the library. Out: a `Case` (date,
language, selection, masked facts, ledger keys per entity, place), or a ServiceError with the
CLI's codes and JSON paths into the body. Also the exact text form facts are stored in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from clause.engine import api
from clause.engine.api.decide import FactsRejected
from clause.engine.library import Library
from clause.engine.load.validate import load_schema
from clause.engine.service.errors import Problem, ServiceError
from clause.engine.service.pii import Pseudonymizer

_VALIDATORS: dict[str, Draft202012Validator] = {}


def body_problems(name: str, body: Any) -> list[Problem]:
    """Where `body` breaks the request schema `schemas/<name>.schema.json` (A002), sorted."""
    validator = _VALIDATORS.get(name)
    if validator is None:
        validator = Draft202012Validator(load_schema(name), format_checker=FormatChecker())
        _VALIDATORS[name] = validator
    found = [
        Problem("A002", _short(e.message), "/" + "/".join(map(str, e.absolute_path)))
        for e in validator.iter_errors(body)
    ]
    return sorted(found, key=lambda p: (p.path or "", p.message))


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


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


def prepare(schema: str, body: Any, library: Library, masker: Pseudonymizer) -> Case:
    """The case a request body asks about. Raises ServiceError: 422 A002 for a body that does
    not fit `schema`, 422 F001 (with the JSON path) for facts that do not fit the library."""
    problems = body_problems(schema, body)
    if problems:
        raise ServiceError(422, problems)
    on = date.fromisoformat(body["date"])
    try:
        facts = api.facts_from_data(body["facts"], library, "<request>")
    except FactsRejected as err:
        raise ServiceError(
            422, [Problem("F001", m, "/facts" + p) for p, m in err.problems]
        ) from None
    masked = masker.mask(facts)
    keys = {
        entity: key
        for entity in sorted(masked)
        if (key := masker.subject_key(masked, entity)) is not None
    }
    only = body.get("only")
    return Case(
        on=on,
        lang=body.get("lang", "zh"),
        rule=body.get("rule"),
        only=tuple(only) if only is not None else None,
        facts=masked,
        keys=keys,
        place=masker.place_of(masked),
    )


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


def read_json(text: str | bytes) -> Any:
    """JSON text to data with exact decimals; NaN and Infinity refused (ValueError)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    return json.loads(text, parse_float=Decimal, parse_constant=refuse)
