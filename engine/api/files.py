"""Reading the user's data files: facts, schemas, parameters and budgets, safely and located.

In: a path (or standard input's bytes). Out: plain data (decimals for numbers, dates for ISO
dates), or a DiagnosticError naming the file, line and column. At most MAX_INPUT_BYTES are
read from any file or pipe, so `/dev/zero` or an endless pipe cost nothing; JSON goes through
engine.load.jsondata and YAML through engine.load.loader, which bound numbers, nesting and
aliases and refuse duplicate keys.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.load import loader
from clause.engine.load.jsondata import read_json
from clause.engine.messages import Text, msg, os_reason
from clause.engine.numbers import NumberError, decimal_of
from clause.engine.source import Span

MAX_INPUT_BYTES = 5 * 1024 * 1024
STDIN = "<stdin>"
COMMAND_LINE = "<command line>"


def parse_date(text: str | None, required: str | None = None) -> date:
    """A date given on the command line (`--date`): YYYY-MM-DD, or a usage error (U001).
    When absent, the usage error says `required` (None: the option is always given)."""
    if text is None:
        reason = required or msg("U001/missing", option="--date")
        raise DiagnosticError([input_finding("U001/given", CLI, reason=reason)])
    try:
        return date.fromisoformat(text)
    except ValueError:
        finding = input_finding("U001", CLI, option="--date", value=repr(text))
        raise DiagnosticError([finding]) from None


#: The "file" of problems in command-line options.
CLI = COMMAND_LINE


def input_error(code: str, message: Text, file: str) -> Diagnostic:
    """A diagnostic about a whole input (a file, or `<command line>`), placed at its start."""
    return Diagnostic.make(code, message, Span(file, 1, 1, 1, 1))


def input_finding(key: str, file: str, /, **args: Any) -> Diagnostic:
    """The catalog finding `key` about a whole input, placed at its start."""
    return Diagnostic.of(key, Span(file, 1, 1, 1, 1), **args)


def read_limited(path: Path, name: str | None = None) -> bytes:
    """At most MAX_INPUT_BYTES of a file; DiagnosticError L001 (unreadable), L003 (larger)."""
    name = name or str(path)
    try:
        with path.open("rb") as handle:
            return _limited(handle, name)
    except OSError as err:
        raise DiagnosticError([input_finding("L001", name, reason=os_reason(err))]) from None


def read_stream(stream: IO[bytes], name: str = STDIN) -> bytes:
    """At most MAX_INPUT_BYTES of a stream (standard input); L003 when there is more."""
    return _limited(stream, name)


def _limited(handle: IO[bytes], name: str) -> bytes:
    raw = handle.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise DiagnosticError([input_finding("L003", name, max=MAX_INPUT_BYTES)])
    return raw


def read_data_file(path: Path) -> Any:
    """Read a YAML or JSON data file (facts, schema, parameters) safely.

    JSON numbers become exact decimals. Raises DiagnosticError (L codes) when the file is
    missing, too large, not UTF-8, or not well-formed, naming the line and column.
    """
    name = str(path)
    raw = read_limited(path, name)
    if path.suffix.lower() == ".json":
        return read_json(raw, name)
    return loader.load_yaml(raw, file=name).data


def read_data_bytes(raw: bytes | str, name: str = STDIN) -> Any:
    """Data given as bytes (standard input): JSON if it starts with `{` or `[`, else YAML."""
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    if not data.strip():
        raise DiagnosticError([input_finding("L017", name)])
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
        return read_json(data, name)
    return loader.load_yaml(data, file=name).data


def read_facts_stdin(raw: bytes | str) -> Any:
    """Facts given on standard input (bytes, or text as read): JSON or YAML."""
    return read_data_bytes(raw, STDIN)


def read_mapping(path: Path, key: str) -> dict[str, Any]:
    """A data file that must hold a mapping (a schema, parameters); `key` names the finding
    (F001, F002...) when it holds something else."""
    data = read_data_file(path)
    if not isinstance(data, dict):
        raise DiagnosticError([input_finding(key, str(path), found=kind_of(data))])
    return data


def kind_of(value: object) -> Text:
    """What a value is, in words: `a list`, `text`…, for messages."""
    if isinstance(value, bool):
        return msg("kind.bool")
    if isinstance(value, int | float | Decimal):
        return msg("kind.number")
    if isinstance(value, str):
        return msg("kind.text")
    if isinstance(value, list | tuple):
        return msg("kind.list")
    if isinstance(value, dict):
        return msg("kind.record")
    if value is None:
        return msg("kind.nothing")
    return type(value).__name__


def read_budget(path: Path) -> dict[str, Decimal]:
    """A budget file: {fund id: remaining quota in yuan}."""
    name = str(path)
    data = read_data_file(path)
    if not isinstance(data, dict):
        raise DiagnosticError([input_finding("F003", name, found=kind_of(data))])
    out: dict[str, Decimal] = {}
    for fund, amount in data.items():
        try:
            value = decimal_of(amount)
        except NumberError as err:
            finding = input_finding("F003/number", name, fund=fund, reason=err.reason)
            raise DiagnosticError([finding]) from None
        if value is None or value < 0:
            found = repr(amount) if not isinstance(amount, dict | list) else kind_of(amount)
            raise DiagnosticError([input_finding("F003/amount", name, fund=fund, found=found)])
        out[str(fund)] = value
    return out
