"""The Typer app: one short function per command; logic lives in `engine.api`.

Exit codes: 0 success, 1 findings (failed checks or tests, a runtime error in an expression),
2 bad usage or unreadable input. No Python traceback reaches the user.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clause.cli import batch, render, serve, store
from clause.cli.render import Format
from clause.engine import __version__, api
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.expr.values import EvalError
from clause.engine.source import Span


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class TestFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


app = typer.Typer(
    name="clause",
    help="Policy-as-code for subsidy notices: check rules, try expressions, explain decisions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clause {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """clause: policy-as-code for government subsidy notices."""


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DiagnosticError(
            [Diagnostic("U001", f"--date {text!r} is not a date; write YYYY-MM-DD", _arg_span())]
        ) from None


def _arg_span() -> Span:
    return Span("<command line>", 1, 1, 1, 1)


@app.command("expr")
def expr_command(
    expression: Annotated[str, typer.Argument(help="The expression, quoted for the shell.")],
    facts: Annotated[
        Path | None, typer.Option("--facts", help="Facts file (YAML or JSON); `-` for stdin.")
    ] = None,
    schema: Annotated[
        Path | None, typer.Option("--schema", help="Facts schema (JSON Schema) for types.")
    ] = None,
    params: Annotated[
        Path | None, typer.Option("--params", help="Parameter values (YAML or JSON).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Decision date YYYY-MM-DD (`decision_date`).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Try an expression: print its value, type, unknown facts and every sub-expression."""
    facts_data = None
    if facts is not None:
        facts_data = (
            api.read_facts_stdin(sys.stdin.read())
            if str(facts) == "-"
            else api.read_data_file(facts)
        )
    report = api.evaluate_expression(
        expression,
        facts=facts_data,
        schema=api.read_data_file(schema) if schema else None,
        params=api.read_data_file(params) if params else None,
        decision_date=_parse_date(on),
        facts_file=str(facts) if facts else "<facts>",
    )
    render.expr_report(report, render.make_console(), fmt.value)


@app.command("check")
def check_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Packages, folders or files (default: policies/).")
    ] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = CheckFormat.text,
    max_errors: Annotated[
        int, typer.Option("--max-errors", min=1, help="Show at most this many findings.")
    ] = 200,
) -> None:
    """Validate policy files: schemas, expressions and types, quotes against the notice text,
    versions, ids and references. Exit 0 clean, 1 findings, 2 unreadable input."""
    report = api.check(paths or [Path("policies")])
    out = render.make_console()
    render.check_report(report, out, fmt.value, max_errors)
    if report.unreadable:
        raise typer.Exit(ExitCode.USAGE)
    raise typer.Exit(ExitCode.FINDINGS if report.errors else ExitCode.OK)


PackageOption = Annotated[
    Path | None,
    typer.Option("--package", help="Policy package folder (default: the one under policies/)."),
]


@app.command("explain")
def explain_command(
    facts: Annotated[Path, typer.Argument(help="Facts of one case (YAML or JSON); `-` for stdin.")],
    on: Annotated[str, typer.Option("--date", help="Decision date YYYY-MM-DD.")],
    rule: Annotated[str | None, typer.Option("--rule", help="Explain only this rule.")] = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", help="Output format.")] = (
        ExplainFormat.text
    ),
    lang: Annotated[Lang, typer.Option("--lang", help="Language of labels.")] = Lang.zh,
    budget: Annotated[
        Path | None, typer.Option("--budget", help="Remaining quota per fund (YAML or JSON).")
    ] = None,
    package: PackageOption = None,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Show only these outcomes, e.g. eligible,undetermined."),
    ] = None,
) -> None:
    """Decide one case on a date and explain every decision down to the clause text."""
    day = _parse_date(on)
    assert day is not None
    library = api.open_library(package)
    source = sys.stdin.read() if str(facts) == "-" else facts
    case = api.load_facts(source, library)
    quotas = api.read_budget(budget) if budget else None
    wanted = {o.strip() for o in only.split(",") if o.strip()} if only else None
    expl = api.explain_case(library, case, day, rule=rule, budget=quotas, only=wanted)
    render.explanation(expl, lang.value, render.make_console(), fmt.value)


@app.command("test")
def test_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Packages or folders (default: policies/).")
    ] = None,
    fmt: Annotated[TestFormat, typer.Option("--format", help="Output format.")] = TestFormat.text,
    min_coverage: Annotated[
        float | None,
        typer.Option("--min-coverage", min=0, max=100, help="Fail below this coverage (%)."),
    ] = None,
) -> None:
    """Run the policy test cases; report failures with the trace, and coverage of rules,
    versions and conditions. Exit 0 all passed, 1 failures or coverage too low."""
    runs = api.run_policy_tests(paths or [Path("policies")])
    render.test_runs(runs, render.make_console(), fmt.value, min_coverage)
    failed = any(run.failed for _, run in runs)
    low = min_coverage is not None and any(run.coverage.percent < min_coverage for _, run in runs)
    raise typer.Exit(ExitCode.FINDINGS if failed or low else ExitCode.OK)


@app.command("coverage")
def coverage_command(
    package: Annotated[
        Path | None, typer.Argument(help="Package (default: under policies/).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Which clauses of the notice are encoded, referential, qualitative or missing.
    Exit 1 when a clause is missing."""
    pkg, items = api.notice_coverage(package)
    render.coverage(pkg, items, render.make_console(), fmt.value)
    raise typer.Exit(ExitCode.FINDINGS if any(i.status == "missing" for i in items) else 0)


@app.command("rules")
def rules_command(
    package: PackageOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """List the rules with their versions and validity windows."""
    render.rules(api.open_package(package), render.make_console(), fmt.value)


@app.command("show")
def show_command(
    rule: Annotated[str, typer.Argument(help="Rule id.")],
    package: PackageOption = None,
) -> None:
    """Show a rule beside the text of the clause it encodes."""
    pkg = api.open_package(package)
    found, clause, source = api.rule_with_clause(pkg, rule)
    render.rule_beside_clause(pkg, found, clause, source, render.make_console())


batch.register(app)
serve.register(app)
store.register(app)


def main() -> None:
    """Console-script entry: run the app, turning every failure into a message and exit code."""
    err = render.make_console(stderr=True)
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except DiagnosticError as exc:
        render.diagnostics(exc.diagnostics, err)
        sys.exit(ExitCode.USAGE)
    except EvalError as exc:
        where = f"{exc.span}: " if exc.span else ""
        err.print(f"{where}{exc.code} {exc.message}", markup=False)
        sys.exit(ExitCode.FINDINGS)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted", markup=False)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unforeseen: one line, no traceback
        from typer.exceptions import TyperException

        if isinstance(exc, TyperException):  # usage errors: Typer's own Click
            show = getattr(exc, "show", None)
            if callable(show):
                show()
            else:
                err.print(f"error: {exc}", markup=False)
            sys.exit(ExitCode.USAGE)
        err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(ExitCode.INTERNAL)
