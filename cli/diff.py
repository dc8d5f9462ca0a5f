"""`clause diff OLD NEW`: what changed between two states of a library, and whom it affects.

Thin: parse options, call `engine.api.diff`, render the changes (text, JSON or Markdown).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clause.cli.options import LangOption, language
from clause.engine import api


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


def register(app: typer.Typer) -> None:
    """Add the `diff` command to the app."""
    app.command("diff")(diff_command)


def diff_command(
    old: Annotated[str, typer.Argument(help="The library before: a folder or a git revision.")],
    new: Annotated[str, typer.Argument(help="The library after: a folder or a git revision.")],
    library: Annotated[
        Path, typer.Option("--library", help="The library folder (for git revisions).")
    ] = Path("policies"),
    register_file: Annotated[
        Path | None,
        typer.Option(
            "--register", help="A register to decide under both (.csv, .jsonl, .parquet)."
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Decision date YYYY-MM-DD (with --register).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write every changed decision here (JSON Lines)."),
    ] = None,
    budget: Annotated[
        Path | None, typer.Option("--budget", help="Quota per fund, spent in input order.")
    ] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", help="Output format.")] = DiffFormat.text,
    lang: LangOption = None,
) -> None:
    """Compare two states of the policy library: every change in officers' terms; with
    --register and --date, whose decisions change and each fund's totals before and after.
    Exit 0 (a difference is not an error), 2 for unusable input."""
    from clause.cli.render import make_console
    from clause.engine.diff import render

    words = language(lang)
    options = None
    if register_file is not None:
        options = api.BatchOptions(
            on=api.parse_date(on, required="--date is needed with --register"),
            budget=api.read_budget(budget) if budget else None,
        )
    result = api.diff(old, new, library, register_file, options, out)
    console = make_console()
    if fmt is DiffFormat.json:
        data = render.to_json(result.changes, result.effect, words)
        console.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)
    elif fmt is DiffFormat.md:
        console.out(render.to_markdown(result.changes, result.effect, words), end="")
    else:
        for line in render.to_lines(result.changes, result.effect, words):
            console.out(line, highlight=False)
