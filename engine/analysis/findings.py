"""What `clause analyse` reports: findings with a code, places and a witness, and notes.

In: nothing (plain data). Out: `Finding`, `Place`, `Witness`, their JSON form in a language,
and a witness as a facts file. A finding with a witness (a case and a date) has been confirmed
by deciding that case; a finding that something can never happen carries the conditions that
contradict each other instead. Messages and labels are catalog messages (engine.messages);
the text form is the command line's (cli/analysis_render.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clause.engine.messages import Msg, Text, msg, render
from clause.engine.source import Span

#: The codes of the analysis (docs/codes.md, section A); each has `CODE.meaning` in the catalog.
CODES = ("A001", "A002", "A003", "A004", "A005", "A006", "A007", "A008", "A009", "A900")

#: Codes that are notes, not findings: they never change the exit code.
NOTES = ("A009", "A900")


@dataclass(frozen=True)
class Place:
    """A place in a rule file with what it is."""

    span: Span
    label: Text

    def to_json(self, lang: str) -> dict[str, Any]:
        s = self.span
        return {"file": s.file, "line": s.line, "col": s.col, "label": render(self.label, lang)}


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
    message: Msg
    places: tuple[Place, ...]
    witness: Witness | None = None
    because: tuple[Place, ...] = ()  # for "never": the conditions that contradict
    rules: tuple[str, ...] = field(default=())

    @property
    def is_note(self) -> bool:
        return self.code in NOTES

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


def to_json(findings: list[Finding], digest: str, packages: list[str], lang: str) -> dict[str, Any]:
    """The findings as `clause analyse --format json` prints them, messages in `lang`."""
    from clause.engine.analysis.report import plain

    def one(f: Finding) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": f.code,
            "meaning": msg(f"{f.code}.meaning").render(lang),
            "message": f.message.render(lang),
            "rules": list(f.rules),
            "places": [p.to_json(lang) for p in f.places],
            "because": [p.to_json(lang) for p in f.because],
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
        "unconfigured": [one(f) for f in findings if f.code == "A009"],
        "not_analysed": [one(f) for f in findings if f.code == "A900"],
    }
