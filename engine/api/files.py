"""Reading the user's data files: facts, schemas, parameters and budgets, safely and located.

In: a path (or standard input's text). Out: plain data (decimals for numbers, dates for ISO
dates), or a DiagnosticError naming the file, line and column.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.facts import to_decimal
from clause.engine.load import loader
from clause.engine.source import Span

MAX_INPUT_BYTES = 5 * 1024 * 1024


def parse_date(text: str | None, required: str | None = None) -> date:
    """A date given on the command line (`--date`): YYYY-MM-DD, or a usage error (U001).
    When absent, the usage error says `required` (None: the option is always given)."""
    if text is None:
        raise DiagnosticError([input_error("U001", required or "--date is missing", CLI)])
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"--date {text!r} is not a date; write YYYY-MM-DD"
        raise DiagnosticError([input_error("U001", message, CLI)]) from None


#: The "file" of problems in command-line options.
CLI = "<command line>"


def input_error(code: str, message: str, file: str) -> Diagnostic:
    """A diagnostic about a whole input (a file, or `<command line>`), placed at its start."""
    return Diagnostic(code, message, Span(file, 1, 1, 1, 1))


def read_data_file(path: Path) -> Any:
    """Read a YAML or JSON data file (facts, schema, parameters) safely.

    JSON numbers become exact decimals. Raises DiagnosticError (L codes) when the file is
    missing, too large, not UTF-8, or not well-formed, naming the line and column.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DiagnosticError(
            [input_error("L001", f"cannot read file: {err.strerror}", name)]
        ) from None
    if len(raw) > MAX_INPUT_BYTES:
        message = f"file too large: {len(raw):,} bytes, the limit is {MAX_INPUT_BYTES:,}"
        raise DiagnosticError([input_error("L003", message, name)])
    if path.suffix.lower() == ".json":
        return _read_json(raw, name)
    return loader.load_yaml(raw, file=name).data


def _read_json(raw: bytes, name: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        message = f"not UTF-8 text (byte {err.start})"
        raise DiagnosticError([input_error("L002", message, name)]) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        span = Span(name, err.lineno, err.colno, err.lineno, err.colno + 1)
        message = f"invalid JSON: {err.msg.lower()}"
        raise DiagnosticError([Diagnostic("L004", message, span)]) from None
    except RecursionError:
        raise DiagnosticError([input_error("L011", "JSON nested too deeply", name)]) from None


def read_facts_stdin(text: str) -> Any:
    """Facts given on standard input: JSON if it starts with `{`, else YAML."""
    if text.lstrip().startswith("{"):
        return _read_json(text.encode("utf-8"), "<stdin>")
    return loader.load_yaml(text.encode("utf-8"), file="<stdin>").data


def read_budget(path: Path) -> dict[str, Decimal]:
    """A budget file: {fund id: remaining quota in yuan}."""
    data = read_data_file(path)
    if not isinstance(data, dict):
        raise DiagnosticError([input_error("F003", "a budget maps fund ids to amounts", str(path))])
    out: dict[str, Decimal] = {}
    for fund, amount in data.items():
        value = to_decimal(amount)
        if value is None or value < 0:
            message = f"budget for {fund} must be a non-negative amount, got {amount!r}"
            raise DiagnosticError([input_error("F003", message, str(path))])
        out[str(fund)] = value
    return out
