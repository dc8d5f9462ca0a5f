"""`clause whynot` and `clause analyse`: counterfactuals for one case, static analysis of rules.

Thin: parse options, call `engine.api.analysis`, print JSON, or text and Markdown from
cli/analysis_render.py. `register(app)` adds both commands. The solver (z3) is imported only
when one of them runs, so other commands start as fast as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from clause.cli.errors import need_extra
from clause.cli.options import (
    ExitCode,
    ExplainFormat,
    Format,
    LangOption,
    LibraryOption,
    PackageOption,
    language,
)


def register(app: typer.Typer) -> None:
    """Add `whynot` and `analyse` to the app."""
    app.command("whynot")(whynot_command)
    app.command("analyse")(analyse_command)


def need_analysis_extra() -> None:
    """Fail with U012 when the `analysis` extra (the z3 solver) is not installed."""
    need_extra("U012", ("z3",))


def whynot_command(
    facts: Annotated[Path, typer.Argument(help="Facts of one case (YAML or JSON); `-` for stdin.")],
    on: Annotated[str, typer.Option("--date", help="Decision date YYYY-MM-DD.")],
    rule: Annotated[str | None, typer.Option("--rule", help="Only this benefit.")] = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", help="Output format.")] = (
        ExplainFormat.text
    ),
    max_changes: Annotated[
        int, typer.Option("--max-changes", min=1, max=6, help="Most known facts to change.")
    ] = 3,
    package: PackageOption = None,
    library_path: LibraryOption = None,
    lang: LangOption = None,
) -> None:
    """For each benefit refused, undetermined or needing an exception: the smallest sets of
    fact changes that would make it payable, each tied to the conditions and quotes it
    satisfies, and checked by deciding the changed case. Exit 0, 2 for bad input."""
    need_analysis_extra()
    from clause.cli import analysis_render
    from clause.cli.app import parse_date, read_stdin
    from clause.engine.analysis import report
    from clause.engine.api import decide
    from clause.engine.api.analysis import why_not_case

    words = language(lang)
    day = parse_date(on)
    assert day is not None
    library = decide.open_library(library_path, package or ())
    case = decide.load_facts(read_stdin() if str(facts) == "-" else facts, library)
    answers = why_not_case(library, case, day, rule, max_changes)
    if fmt is ExplainFormat.json:
        data = report.to_json(answers, day, library.digest, words)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt is ExplainFormat.md:
        typer.echo(analysis_render.whynot_markdown(answers, day, words), nl=False)
    else:
        typer.echo(analysis_render.whynot_text(answers, day, words), nl=False)


def analyse_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Packages or folders making up the library (default: policies/)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    witnesses: Annotated[
        Path | None, typer.Option("--witnesses", help="Write each witness case to this folder.")
    ] = None,
    all_pairs: Annotated[
        bool,
        typer.Option("--all-pairs", help="Check every two benefits of one subject for overlap."),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Static analysis of the rules with an SMT solver: benefits that both pay for one case,
    overrides that never apply, versions and conditions that can never hold, gaps between a
    clause's case distinctions or a rule's versions, duties that can never be met. Each
    finding has a code, its places and a witness case `clause explain` confirms. Exit 0 none,
    1 findings, 2 bad input."""
    need_analysis_extra()
    from clause.cli import analysis_render
    from clause.engine.analysis import findings
    from clause.engine.api.analysis import analyse_library, open_libraries

    words = language(lang)
    library = open_libraries(paths or [Path("policies")])
    found = analyse_library(library, all_pairs=all_pairs, witnesses=witnesses, lang=words)
    if fmt is Format.json:
        data = findings.to_json(found, library.digest, list(library.roots), words)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(analysis_render.findings_text(found, words), nl=False)
    raise typer.Exit(ExitCode.FINDINGS if any(not f.is_note for f in found) else ExitCode.OK)
