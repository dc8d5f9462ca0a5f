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
from clause.engine.analysis import findings, report
from clause.engine.api.analysis import analyse_library, open_libraries, why_not_case
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.source import Span


class Format(StrEnum):
    text = "text"
    json = "json"
    md = "md"


def register(app: typer.Typer) -> None:
    """Add `whynot` and `analyse` to the app."""
    app.command("whynot")(whynot_command)
    app.command("analyse")(analyse_command)


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


class AnalyseFormat(StrEnum):
    text = "text"
    json = "json"


def analyse_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Packages or folders making up the library (default: policies/)."),
    ] = None,
    fmt: Annotated[AnalyseFormat, typer.Option("--format", help="Output format.")] = (
        AnalyseFormat.text
    ),
    witnesses: Annotated[
        Path | None, typer.Option("--witnesses", help="Write each witness case to this folder.")
    ] = None,
    all_pairs: Annotated[
        bool,
        typer.Option("--all-pairs", help="Check every two benefits of one subject for overlap."),
    ] = False,
) -> None:
    """Static analysis of the rules with an SMT solver: benefits that both pay for one case,
    overrides that never apply, versions and conditions that can never hold, gaps between a
    clause's case distinctions or a rule's versions, duties that can never be met. Each
    finding has a code, its places and a witness case `clause explain` confirms. Exit 0 none,
    1 findings, 2 bad input."""
    library = open_libraries(paths or [Path("policies")])
    found = analyse_library(library, all_pairs=all_pairs, witnesses=witnesses)
    if fmt is AnalyseFormat.json:
        data = findings.to_json(found, library.digest, list(library.roots))
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(findings.to_text(found), nl=False)
    raise typer.Exit(1 if any(not f.is_note for f in found) else 0)
