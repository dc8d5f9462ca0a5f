"""`clause eval`: a whole register to results, with a progress bar and totals per rule and fund.

Thin: parse options, call `engine.batch.evaluate_batch`, render the summary (Rich tables on
stdout, or JSON); the progress bar and warnings go to stderr. `register(app)` adds the command.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clause.cli.i18n import plural, t
from clause.cli.options import Format, LangOption, LibraryOption, PackageOption, language

if TYPE_CHECKING:
    from rich.console import Console

    from clause.engine.api.batch import BatchProgress, BatchSummary

INTERRUPTED = 130
MAX_CHUNK = 100_000


class Backend(StrEnum):
    record = "record"
    columnar = "columnar"


class Layout(StrEnum):
    long = "long"
    wide = "wide"


class Engine(StrEnum):
    local = "local"
    spark = "spark"


def register(app: typer.Typer) -> None:
    """Add the `eval` command to the app."""
    app.command("eval")(eval_command)


def eval_command(
    source: Annotated[
        Path,
        typer.Argument(metavar="REGISTER", help="The register: .csv, .jsonl or .parquet."),
    ],
    on: Annotated[
        str, typer.Option("--date", metavar="YYYY-MM-DD", help="Decision date YYYY-MM-DD.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Results file (.csv, .jsonl or .parquet): a row per case and rule."
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help="Rejected rows (JSON Lines, .jsonl); default <out>.rejects.jsonl."
        ),
    ] = None,
    budget: Annotated[
        Path | None, typer.Option("--budget", help="Quota per fund (YAML or JSON), spent in order.")
    ] = None,
    rule: Annotated[
        list[str] | None,
        typer.Option("--rule", metavar="ID", help="Decide only this rule (repeatable)."),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            metavar="OUTCOMES",
            help="Write only these outcomes, e.g. eligible,undetermined.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Worker processes, at most the number of processors of the machine."
        ),
    ] = 1,
    chunk_size: Annotated[
        int,
        typer.Option("--chunk-size", help=f"Rows per task sent to a worker (1 to {MAX_CHUNK:,})."),
    ] = 2000,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of a CSV register (e.g. gb18030).")
    ] = "utf-8",
    fmt: Annotated[Format, typer.Option("--format", help="Summary format.")] = (Format.text),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    backend: Annotated[
        Backend,
        typer.Option(
            "--backend",
            help="How cases are decided: columnar (a chunk at a time) or record (one by one).",
        ),
    ] = Backend.columnar,
    engine: Annotated[
        Engine, typer.Option("--engine", help="Where chunks are decided: here, or on Spark.")
    ] = Engine.local,
    layout: Annotated[
        Layout,
        typer.Option(
            "--layout", help="Results: a row per case and rule (long) or per case (wide)."
        ),
    ] = Layout.long,
    master: Annotated[
        str,
        typer.Option("--master", help="Spark master with --engine spark (local[2], spark://…)."),
    ] = "local[2]",
    package: PackageOption = None,
    library_path: LibraryOption = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Write a dashboard of the run: one self-contained HTML page."
        ),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            help="Run manifest (.json); default <out>.manifest.json beside the results.",
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Decide every row of a register on a date: results per case and rule, rejected rows with
    their line and reason, totals per rule and funding source. Exit 0 when the run completes
    (rejected rows are reported, not fatal), 2 for unusable input or options."""
    import json
    import shlex
    import sys

    from clause.cli.app import parse_date
    from clause.cli.render import make_console
    from clause.engine.api.batch import BatchOptions, RunRecord, evaluate_register
    from clause.engine.api.decide import open_library
    from clause.engine.api.files import read_budget

    words = language(lang)
    day = parse_date(on)
    assert day is not None
    library = open_library(library_path, package or ())
    options = BatchOptions(
        on=day,
        out=out,
        rejects=rejects,
        rule_ids=frozenset(rule) if rule else None,
        only=frozenset(o.strip() for o in only.split(",") if o.strip()) if only else None,
        budget=read_budget(budget) if budget else None,
        budget_file=budget,
        workers=workers,
        chunk_size=chunk_size,
        encoding=encoding,
        backend=backend.value,
        engine=engine.value,
        master=master,
        layout=layout.value,
        manifest=manifest,
        report=report,
    )
    record = RunRecord(lang=words, command=shlex.join(["clause", *sys.argv[1:]]))
    err = make_console(stderr=True)
    try:
        with _ProgressBar(err, quiet) as progress:
            summary = evaluate_register(library, source, options, progress, record)
    except KeyboardInterrupt:
        err.print(t("eval.interrupted", words), markup=False)
        raise typer.Exit(INTERRUPTED) from None
    if fmt is Format.json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        render_summary(summary, make_console(), words)
    rejected = summary.tally.rows_rejected
    if rejected:
        line = t(
            "eval.rejected",
            words,
            count=f"{rejected:,}",
            rows_word=plural(rejected, "row"),
            rejects=summary.rejects,
        )
        err.print(line, markup=False)


# -- progress ------------------------------------------------------------------------------


def _rows_per_second() -> Any:
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task: Task) -> Text:
            rows = task.fields.get("rows", 0)
            elapsed = task.elapsed or 0
            speed = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else "… rows/s"
            return Text(f"{rows:,} rows  {speed}")

    return RowsPerSecond()


class _ProgressBar:
    """A Rich progress bar on stderr when it is a terminal and not --quiet; else nothing."""

    def __init__(self, console: Console, quiet: bool) -> None:
        import sys

        self.enabled = not quiet and console.is_terminal and sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None
        if self.enabled:
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                BarColumn(bar_width=20),
                TaskProgressColumn(),
                _rows_per_second(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        self.bar.start()
        self.task = self.bar.add_task("register", total=None, rows=0)
        return self.update

    def update(self, p: BatchProgress) -> None:
        assert self.bar is not None
        self.bar.update(self.task, completed=p.done, total=p.total, rows=p.rows_read)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- summary -------------------------------------------------------------------------------


# a rule is a benefit or an obligation, never both: their outcomes share columns
COLUMNS = (
    ("eval.eligible", ("eligible", "compliant")),
    ("eval.ineligible", ("ineligible", "violation")),
    ("eval.exception_needed", ("exception_needed",)),
    ("eval.not_applicable", ("not_applicable",)),
    ("eval.undetermined", ("undetermined",)),
)


def render_summary(summary: BatchSummary, console: Console, lang: str = "en") -> None:
    """Totals per rule and per fund, then what the tables leave open (amounts no fund covers,
    amounts whose split between funds is not known), then the reconciliation line."""
    from rich import box
    from rich.table import Table

    from clause.cli.render import table_console
    from clause.engine.escape import printable

    data = summary.to_json()
    rules = Table(
        title=t("eval.decisions", lang, date=data["date"]),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    rules.add_column(t("eval.rule", lang), no_wrap=True)
    for header, _ in COLUMNS:
        rules.add_column(t(header, lang), justify="right")
    rules.add_column(t("eval.amount", lang), justify="right")
    for r in data["rules"]:
        counts = [sum(r["outcomes"].get(o, 0) for o in outcomes) for _, outcomes in COLUMNS]
        amount = _yuan(r["amount"])
        if r["amount_unknown"]:
            amount += "\n" + t("eval.not_known", lang, count=f"{r['amount_unknown']:,}")
        rules.add_row(printable(r["rule"]), *(f"{c:,}" for c in counts), amount)
    tables = table_console(console)
    tables.print(rules)
    if any(f["allocated"] != "0.00" or "quota" in f for f in data["funds"]):
        tables.print(_funds_table(data["funds"], summary.budget is not None, lang, Table, box))
    _open_amounts(data, console, lang)
    tally = summary.tally
    line = t(
        "eval.reconcile",
        lang,
        read=f"{tally.rows_read:,}",
        decided=f"{tally.rows_decided:,}",
        rejected=f"{tally.rows_rejected:,}",
    )
    console.print(line + ("" if summary.reconciled else t("eval.unreconciled", lang)), markup=False)
    for key, count, lines in (
        ("eval.swallowed", tally.malformed_records, tally.lines_in_malformed),
        ("eval.duplicates", tally.duplicate_ids, 0),
    ):
        if count:
            console.print(
                t(key, lang, records=f"{count:,}", count=f"{count:,}", lines=f"{lines:,}")
            )
    _record_path(summary, console, lang)
    rejects = printable(summary.rejects)
    if summary.output:
        console.print(t("eval.written", lang, out=printable(summary.output), rejects=rejects))
    else:
        console.print(t("eval.not_written", lang, rejects=rejects), markup=False)
    if summary.manifest is not None:
        line = t("eval.manifest", lang, manifest=printable(summary.manifest))
        if summary.report is not None:
            line += t("eval.report", lang, report=printable(summary.report))
        console.print(line, markup=False)


def _record_path(summary: BatchSummary, console: Console, lang: str) -> None:
    """What the columnar backend left to the record path, never silently: rows and rules."""
    from clause.engine.escape import printable
    from clause.engine.messages import render

    rows, rules = summary.tally.record_path, summary.record_rules
    if summary.backend != "columnar" or not (rows or rules):
        return
    named = "; ".join(f"{rule} ({render(why, lang)})" for rule, why in sorted(rules.items()))
    line = t("eval.record_path", lang, rows=f"{rows:,}")
    if named:
        line += t("eval.record_rules", lang, rules=printable(named))
    console.print(line, markup=False)


def _open_amounts(data: dict[str, Any], console: Console, lang: str) -> None:
    """Explain the difference between the rules' amounts and the funds' allocations."""
    from decimal import Decimal

    uncovered = sum((Decimal(r["uncovered"]) for r in data["rules"]), Decimal(0))
    if uncovered:
        console.print(t("eval.uncovered", lang, amount=_yuan(str(uncovered))), markup=False)
    open_cases = sum(r["split_unknown"] for r in data["rules"])
    if open_cases:
        amount = sum((Decimal(r["split_unknown_amount"]) for r in data["rules"]), Decimal(0))
        line = t("eval.split_note", lang, count=f"{open_cases:,}", amount=_yuan(str(amount)))
        console.print(line, markup=False)


def _funds_table(
    funds: list[dict[str, Any]], budgeted: bool, lang: str, table_type: Any, box: Any
) -> Any:
    from clause.engine.escape import printable

    table = table_type(
        title=t("eval.funds", lang), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False
    )
    table.add_column(t("eval.fund", lang))
    table.add_column(t("eval.allocated", lang), justify="right")
    table.add_column(t("eval.cases", lang), justify="right")
    if budgeted:
        table.add_column(t("eval.quota", lang), justify="right")
        table.add_column(t("eval.remaining", lang), justify="right")
    table.add_column(t("eval.passed_on", lang), justify="right")
    for f in funds:
        cells = [printable(f["fund"]), _yuan(f["allocated"]), f"{f['cases']:,}"]
        if budgeted:
            cells += [_yuan(f["quota"]) if "quota" in f else "—", _yuan(f.get("remaining"))]
        table.add_row(*cells, _yuan(f["passed_on"]))
    return table


def _yuan(text: str | None) -> str:
    if text is None:
        return "—"
    whole, _, cents = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}" + (f".{cents}" if cents else "")
