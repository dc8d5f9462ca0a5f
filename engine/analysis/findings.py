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
    package: str = ""  # the package to name when there is only one

    @property
    def command(self) -> str:
        """The `clause explain` command that confirms it."""
        extra = f" --package {self.package}" if self.package else ""
        return f"clause explain {self.file or '-'} --date {self.on.isoformat()}{extra}"


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


# -- rendering -----------------------------------------------------------------------------


def facts_yaml(facts: dict[str, Any], indent: str = "") -> str:
    """A facts file: one block per entity, fields in flow style (as the examples are written)."""
    lines = []
    for entity, fields in sorted(facts.items()):
        if not isinstance(fields, dict) or not fields:
            lines.append(f"{indent}{entity}: {{}}")
            continue
        lines.append(f"{indent}{entity}:")
        lines += [f"{indent}  {k}: {_yaml(v)}" for k, v in sorted(fields.items())]
    return "\n".join(lines) + "\n"


def _yaml(value: Any) -> str:
    import json
    from decimal import Decimal

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in sorted(value.items())) + "}"
    return str(value)


def _where(place: Place) -> str:
    s = place.span
    return f"{s.file}:{s.line}:{s.col}"


def to_text(findings: list[Finding]) -> str:
    """Each finding as `file:line:col: CODE message`, its other places, its witness or why."""
    lines = []
    for f in findings:
        lines.append(f"{_where(f.places[0])}: {f.code} {f.message}")
        lines += [f"   = also: {_where(p)} ({p.label})" for p in f.places[1:]]
        lines += [f"   = because: {_where(p)} {p.label}" for p in f.because]
        if f.witness is not None:
            w = f.witness
            shown = ", ".join(f"{rid} {outcome}" for rid, outcome in sorted(w.outcomes.items()))
            lines.append(f"   = witness ({shown}): {w.command}")
            lines.append(facts_yaml(w.facts, "       ").rstrip("\n"))
    found = sum(not f.is_note for f in findings)
    notes = len(findings) - found
    lines.append(f"{found} finding{'s' if found != 1 else ''}, {notes} not analysed")
    return "\n".join(lines) + "\n"


def to_json(findings: list[Finding], digest: str, packages: list[str]) -> dict[str, Any]:
    from clause.engine.analysis.report import plain

    def one(f: Finding) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": f.code,
            "meaning": CODES[f.code],
            "message": f.message,
            "rules": list(f.rules),
            "places": [p.to_json() for p in f.places],
            "because": [p.to_json() for p in f.because],
        }
        if f.witness is not None:
            out["witness"] = {
                "date": f.witness.on.isoformat(),
                "facts": plain(f.witness.facts),
                "outcomes": f.witness.outcomes,
                "file": f.witness.file or None,
                "command": f.witness.command,
            }
        return out

    return {
        "rule_set": digest,
        "packages": packages,
        "findings": [one(f) for f in findings if not f.is_note],
        "not_analysed": [one(f) for f in findings if f.is_note],
    }
