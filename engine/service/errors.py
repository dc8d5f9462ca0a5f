"""Errors the service answers: an HTTP status and problems with the CLI's codes and JSON paths.

In: what went wrong. Out: `ServiceError`, rendered by the app as
`{"status": 422, "errors": [{"code": "F001", "message": "…", "path": "/facts/person/age"}]}`
(schemas/service-error.schema.json). Codes are those of docs/codes.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    path: str | None = None  # a JSON pointer into the request body

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "path": self.path}


class ServiceError(Exception):
    """An answer other than success: the status and every problem found."""

    def __init__(self, status: int, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else str(status))
        self.status = status
        self.problems = tuple(problems)

    @staticmethod
    def one(status: int, code: str, message: str, path: str | None = None) -> ServiceError:
        return ServiceError(status, [Problem(code, message, path)])

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "errors": [p.to_json() for p in self.problems]}


class SetupError(Exception):
    """The service cannot start: a code of docs/codes.md and a one-line reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
