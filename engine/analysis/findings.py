"""What `clause analyse` reports: findings with a code, places and a witness, and notes.

In: nothing (plain data). Out: `Finding`, `Place`, `Witness`, and their JSON form. A finding
with a witness (a case and a date) has been confirmed by deciding that case; a finding that
something can never happen carries the conditions that contradict each other instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clause.engine.source import Span

#: Codes and their one-line meaning (docs/codes.md, section A).
CODES = {
    "A001": "two benefits can both be paid for one case, with no override between them",
    "A002": "an override can never apply",
    "A003": "a version can never be in force",
    "A004": "a condition can never be true",
    "A005": "a version's conditions can never all hold",
    "A006": "the case distinctions of a clause leave a case undecided",
    "A007": "the versions of a rule leave days without a version",
    "A008": "an obligation can never be met",
    "A900": "not analysed",
}


@dataclass(frozen=True)
class Place:
    """A place in a rule file with what it is."""

    span: Span
    label: str

    def to_json(self) -> dict[str, Any]:
        s = self.span
        return {"file": s.file, "line": s.line, "col": s.col, "label": self.label}


@dataclass(frozen=True)
class Witness:
    """A case that shows a finding: facts (as a facts file holds them), a date, and the
    outcome `clause explain` gives each rule involved (confirmed)."""

    facts: dict[str, Any]
    on: date
    outcomes: dict[str, str]
    file: str = ""  # where it was written, if it was


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    places: tuple[Place, ...]
    witness: Witness | None = None
    because: tuple[Place, ...] = ()  # for "never": the conditions that contradict
    rules: tuple[str, ...] = field(default=())

    @property
    def is_note(self) -> bool:
        return self.code == "A900"

    @property
    def span(self) -> Span:
        return self.places[0].span
