"""`clause whynot` and `clause analyse`: counterfactuals for one case, static analysis of rules.

Thin: parse options, call `engine.api`, print the text, JSON or Markdown the engine made.
`register(app)` adds both commands.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clause.engine import api
from clause.engine.analysis import report
from clause.engine.api.analysis import why_not_case
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.source import Span


class Format(StrEnum):
    text = "text"
    json = "json"
    md = "md"


def register(app: typer.Typer) -> None:
    """Add `whynot` and `analyse` to the app."""
    app.command("whynot")(whynot_command)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        span = Span("<command line>", 1, 1, 1, 1)
        message = f"--date {text!r} is not a date; write YYYY-MM-DD"
        raise DiagnosticError([Diagnostic("U001", message, span)]) from None


def whynot_command(
    facts: Annotated[Path, typer.Argument(help="Facts of one case (YAML or JSON); `-` for stdin.")],
    on: Annotated[str, typer.Option("--date", help="Decision date YYYY-MM-DD.")],
    rule: Annotated[str | None, typer.Option("--rule", help="Only this benefit.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    max_changes: Annotated[
        int, typer.Option("--max-changes", min=1, max=6, help="Most known facts to change.")
    ] = 3,
    package: Annotated[
        Path | None,
        typer.Option("--package", help="Policy package folder (default: the one under policies/)."),
    ] = None,
) -> None:
    """For each benefit refused or undetermined: the smallest sets of fact changes that would
    make it payable, each tied to the conditions and quotes it satisfies, and checked by
    deciding the changed case. Exit 0, 2 for bad input."""
    day = _date(on)
    library = api.open_library(package)
    case = api.load_facts(sys.stdin.read() if str(facts) == "-" else facts, library)
    answers = why_not_case(library, case, day, rule, max_changes)
    if fmt is Format.json:
        data = report.to_json(answers, day, library.digest)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt is Format.md:
        typer.echo(report.to_markdown(answers, day), nl=False)
    else:
        typer.echo(report.to_text(answers, day), nl=False)
