"""Errors the service answers: an HTTP status and problems with the CLI's codes and JSON paths.

In: what went wrong, as catalog messages (engine.messages). Out: `ServiceError`, rendered by
the app in the answer's language as
`{"status": 422, "errors": [{"code": "F001", "message": "…", "path": "/facts/person/age"}]}`
(schemas/service-error.schema.json). Codes are those of docs/codes.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.messages import CATALOG, Text, msg, render
from clause.engine.source import Span

#: Where a finding about the command line or the service's setup is placed.
COMMAND_LINE = "<command line>"


@dataclass(frozen=True)
class Problem:
    code: str
    message: Text
    path: str | None = None  # a JSON pointer into the request body

    @staticmethod
    def of(key: str, path: str | None = None, /, **args: object) -> Problem:
        """The catalog message `key` (its code is the part before `/`) at `path`."""
        return Problem(key.split("/")[0].split(".")[0], msg(key, **args), path)

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"code": self.code, "message": render(self.message, lang), "path": self.path}


class ServiceError(Exception):
    """An answer other than success: the status and every problem found."""

    def __init__(self, status: int, problems: list[Problem]) -> None:
        super().__init__(str(problems[0].message) if problems else str(status))
        self.status = status
        self.problems = tuple(problems)

    @staticmethod
    def of(status: int, key: str, path: str | None = None, /, **args: object) -> ServiceError:
        return ServiceError(status, [Problem.of(key, path, **args)])

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"status": self.status, "errors": [p.to_json(lang) for p in self.problems]}


class SetupError(DiagnosticError):
    """The service cannot start (or a command cannot use its store): one finding, with a code
    of docs/codes.md, at `span` (default: the command line)."""

    def __init__(self, key: str, span: Span | None = None, /, **args: object) -> None:
        where = span or Span(COMMAND_LINE, 1, 1, 1, 1)
        hint: Text = msg(f"{key}.help") if f"{key}.help" in CATALOG else ""
        code = key.split("/")[0]
        super().__init__([Diagnostic.make(code, msg(key, **args), where, help=hint)])
