"""The Typer app: one short function per command; logic lives in `engine.api`.

Exit codes: 0 success, 1 findings (failed checks or tests, a runtime error in an expression),
2 bad usage or unreadable input, 3 an internal error (a bug); 128+n when stopped by signal n
(130 Ctrl-C, 143 SIGTERM, 129 SIGHUP). No Python traceback reaches the user.

Start-up: this module imports only Typer and the option types; each command imports the parts
of the engine and of the renderer it needs when it runs, so `clause --help` and `clause expr`
do not pay for the batch, Arrow or JSON Schema code (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from clause.cli import analysis, batch, diff, serve, store
from clause.cli.i18n import lang_from_argv, localize, t
from clause.cli.options import (
    CheckFormat,
    ExitCode,
    ExplainFormat,
    Format,
    LangOption,
    LibraryOption,
    PackageOption,
    TestFormat,
    choose_language,
    language,
)
from clause.engine import __version__

if TYPE_CHECKING:
    from datetime import date

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
    lang: LangOption = None,
) -> None:
    """clause: policy-as-code for government subsidy notices. `--lang` may also come first:
    `clause --lang zh check` (main() reads it before the command runs)."""


def parse_date(text: str | None, option: str = "--date") -> date | None:
    """A date given on the command line; U001 when it is not YYYY-MM-DD."""
    if text is None:
        return None
    from datetime import date

    from clause.engine.api.files import COMMAND_LINE, input_finding
    from clause.engine.diagnostics import DiagnosticError

    try:
        return date.fromisoformat(text)
    except ValueError:
        finding = input_finding("U001", COMMAND_LINE, option=option, value=repr(text))
        raise DiagnosticError([finding]) from None


def read_stdin() -> bytes:
    """Standard input's bytes (at most the input limit): decoded by the reader, which says
    where a byte is not UTF-8."""
    from clause.engine.api.files import read_stream

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream (a test harness): its text, as UTF-8
        return sys.stdin.read().encode("utf-8", "surrogateescape")
    return read_stream(stream)


@app.command(
    "expr",
    help="Try an expression: print its value, type, unknown facts and every sub-expression. "
    "Put an expression that starts with - after --: clause expr -- '-1 + 2'.",
)
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
    lang: LangOption = None,
) -> None:
    from clause.cli import render
    from clause.engine.api import expr as api_expr
    from clause.engine.api import files

    facts_data = None
    if facts is not None:
        facts_data = (
            files.read_facts_stdin(read_stdin())
            if str(facts) == "-"
            else files.read_data_file(facts)
        )
    report = api_expr.evaluate_expression(
        expression,
        facts=facts_data,
        schema=files.read_mapping(schema, "F002/mapping") if schema else None,
        params=files.read_mapping(params, "F001/params") if params else None,
        decision_date=parse_date(on),
        facts_file=str(facts) if facts else "<facts>",
        schema_file=str(schema) if schema else "<schema>",
        params_file=str(params) if params else "<params>",
    )
    render.expr_report(report, render.make_console(), fmt.value, language(lang))


@app.command("check")
def check_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Packages, folders or files (default: policies/).")
    ] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = CheckFormat.text,
    max_errors: Annotated[
        int, typer.Option("--max-errors", min=1, help="Show at most this many findings.")
    ] = 200,
    lang: LangOption = None,
) -> None:
    """Validate policy files: schemas, expressions and types, quotes against the notice text,
    versions, ids and references. Exit 0 clean, 1 findings, 2 unreadable input or usage."""
    from clause.cli import render
    from clause.engine.api.check import check

    report = check(paths or [Path("policies")])
    render.check_report(report, render.make_console(), fmt.value, max_errors, language(lang))
    if report.unreadable:
        raise typer.Exit(ExitCode.USAGE)
    raise typer.Exit(ExitCode.FINDINGS if report.errors else ExitCode.OK)


@app.command("explain")
def explain_command(
    facts: Annotated[Path, typer.Argument(help="Facts of one case (YAML or JSON); `-` for stdin.")],
    on: Annotated[str, typer.Option("--date", help="Decision date YYYY-MM-DD.")],
    rule: Annotated[str | None, typer.Option("--rule", help="Explain only this rule.")] = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", help="Output format.")] = (
        ExplainFormat.text
    ),
    lang: LangOption = None,
    budget: Annotated[
        Path | None, typer.Option("--budget", help="Remaining quota per fund (YAML or JSON).")
    ] = None,
    package: PackageOption = None,
    library_path: LibraryOption = None,
    only: Annotated[
        str | None,
        typer.Option("--only", help="Show only these outcomes, e.g. eligible,undetermined."),
    ] = None,
) -> None:
    """Decide one case on a date and explain every decision down to the clause text."""
    from clause.cli import render
    from clause.engine.api import decide, files

    day = parse_date(on)
    assert day is not None
    library = decide.open_library(library_path, package or ())
    source = read_stdin() if str(facts) == "-" else facts
    case = decide.load_facts(source, library)
    quotas = files.read_budget(budget) if budget else None
    wanted = {o.strip() for o in only.split(",") if o.strip()} if only else None
    expl = decide.explain_case(library, case, day, rule=rule, budget=quotas, only=wanted)
    render.explanation(expl, language(lang), render.make_console(), fmt.value)


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
    lang: LangOption = None,
) -> None:
    """Run the policy test cases; report failures with the trace, and coverage of rules,
    versions and conditions. Exit 0 all passed, 1 failures or coverage too low, 2 no test
    cases to run or unreadable input."""
    from clause.cli import render
    from clause.engine.api.policy import run_policy_tests

    runs = run_policy_tests(paths or [Path("policies")])
    render.test_runs(runs, render.make_console(), fmt.value, min_coverage, language(lang))
    failed = any(run.failed for _, run in runs)
    low = min_coverage is not None and any(run.coverage.percent < min_coverage for _, run in runs)
    raise typer.Exit(ExitCode.FINDINGS if failed or low else ExitCode.OK)


@app.command("coverage")
def coverage_command(
    package: Annotated[
        Path | None,
        typer.Argument(help="A package, or a library folder (default: policies/)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    lang: LangOption = None,
) -> None:
    """Which clauses of the notice are encoded, referential, qualitative or missing.
    Exit 1 when a clause is missing."""
    from clause.cli import render
    from clause.engine.api.policy import notice_coverage

    found = notice_coverage(package)
    render.coverage(found, render.make_console(), fmt.value, language(lang))
    missing = any(i.status == "missing" for _, items in found for i in items)
    raise typer.Exit(ExitCode.FINDINGS if missing else 0)


@app.command("rules")
def rules_command(
    package: PackageOption = None,
    library_path: LibraryOption = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    lang: LangOption = None,
) -> None:
    """List the rules with their versions and validity windows."""
    from clause.cli import render
    from clause.engine.api.decide import open_library

    library = open_library(library_path, package or ())
    render.rules(library, render.make_console(), fmt.value, language(lang))


@app.command("show")
def show_command(
    rule: Annotated[str, typer.Argument(help="Rule id.")],
    package: PackageOption = None,
    library_path: LibraryOption = None,
    lang: LangOption = None,
) -> None:
    """Show a rule beside the text of the clause it encodes."""
    from clause.cli import render
    from clause.engine.api.decide import open_library
    from clause.engine.api.policy import rule_with_clause

    pkg, found, clause, source = rule_with_clause(open_library(library_path, package or ()), rule)
    render.rule_beside_clause(pkg, found, clause, source, render.make_console(), language(lang))


batch.register(app)
diff.register(app)
analysis.register(app)
serve.register(app)
store.register(app)


# -- running the app: every failure a message and an exit code -------------------------------


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C (partial files removed, workers
    stopped), then exit 128+n."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum: int, frame: object) -> NoReturn:
    raise Stopped(signum)


def _handle_signals() -> None:
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            signal.signal(signum, _stop)


def main() -> None:
    """Console-script entry: run the app, turning every failure into a message and exit code."""
    argv = sys.argv[1:]
    lang = lang_from_argv(argv)
    choose_language(lang)
    _handle_signals()
    try:
        command = typer.main.get_command(app)
        localize(command, lang)
        code = command.main(args=argv, prog_name="clause", standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except SystemExit:
        raise
    except Stopped as stop:
        _stderr(t("main.stopped", lang, signal=signal.Signals(stop.signum).name))
        sys.exit(128 + stop.signum)
    except BaseException as exc:
        sys.exit(_failure(exc, lang, argv))


def _failure(exc: BaseException, lang: str, argv: list[str]) -> int:
    """Report `exc` on stderr in `lang`; the exit code it stands for."""
    from clause.cli.errors import report_failure

    return report_failure(exc, lang, argv)


def _stderr(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr)
