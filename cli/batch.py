"""`clause eval`: a whole register to results, with a progress bar and totals per rule and fund.

Thin: parse options, call `engine.batch.evaluate_batch`, render the summary (Rich tables on
stdout, or JSON); the progress bar and warnings go to stderr. `register(app)` adds the command.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from clause.cli.render import Format
from clause.engine import api
from clause.engine.api import BatchOptions, BatchProgress, BatchSummary

INTERRUPTED = 130


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
        typer.Option("--rejects", help="Rejected rows (JSON Lines); default <out>.rejects.jsonl."),
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
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Rows per task sent to a worker.")
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
    package: Annotated[
        Path | None,
        typer.Option("--package", help="Policy package folder (default: the one under policies/)."),
    ] = None,
) -> None:
    """Decide every row of a register on a date: results per case and rule, rejected rows with
    their line and reason, totals per rule and funding source. Exit 0 when the run completes
    (rejected rows are reported, not fatal), 2 for unusable input or options."""
    library = api.open_library(package)
    options = BatchOptions(
        on=api.parse_date(on),
        out=out,
        rejects=rejects,
        rule_ids=frozenset(rule) if rule else None,
        only=frozenset(o.strip() for o in only.split(",") if o.strip()) if only else None,
        budget=api.read_budget(budget) if budget else None,
        workers=workers,
        chunk_size=chunk_size,
        encoding=encoding,
        backend=backend.value,
        engine=engine.value,
        master=master,
        layout=layout.value,
    )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        with _ProgressBar(err, quiet) as report:
            summary = api.evaluate_register(library, source, options, report)
    except KeyboardInterrupt:
        err.print("interrupted: no results written", markup=False)
        raise typer.Exit(INTERRUPTED) from None
    if fmt is Format.json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        out_console = Console(highlight=False, soft_wrap=True)
        if not out_console.is_terminal:  # a file or a pipe: room for long rule ids
            out_console.width = max(out_console.width, 120)
        render_summary(summary, out_console)
    rejected = summary.tally.rows_rejected
    if rejected:
        rows = "row" if rejected == 1 else "rows"
        err.print(f"{rejected:,} {rows} rejected: see {summary.rejects}", markup=False)


# -- progress ------------------------------------------------------------------------------


class _RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0
        speed = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else "… rows/s"
        return Text(f"{rows:,} rows  {speed}")


class _ProgressBar:
    """A Rich progress bar on stderr when it is a terminal and not --quiet; else nothing."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.enabled = not quiet and console.is_terminal and sys.stderr.isatty()
        self.bar: Progress | None = None
        self.task: Any = None
        if self.enabled:
            self.bar = Progress(
                BarColumn(bar_width=20),
                TaskProgressColumn(),
                _RowsPerSecond(),
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
    ("eligible\ncompliant", ("eligible", "compliant")),
    ("ineligible\nviolation", ("ineligible", "violation")),
    ("not\napplicable", ("not_applicable",)),
    ("undetermined", ("undetermined",)),
)


def render_summary(summary: BatchSummary, console: Console) -> None:
    """Totals per rule and per fund, then the reconciliation line."""
    data = summary.to_json()
    rules = Table(
        title=f"decisions on {data['date']}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    rules.add_column("rule", no_wrap=True)
    for header, _ in COLUMNS:
        rules.add_column(header, justify="right")
    rules.add_column("amount (yuan)", justify="right")
    for r in data["rules"]:
        counts = [sum(r["outcomes"].get(o, 0) for o in outcomes) for _, outcomes in COLUMNS]
        amount = _yuan(r["amount"])
        if r["amount_unknown"]:
            amount += f"\n+{r['amount_unknown']:,} not known"
        rules.add_row(r["rule"], *(f"{c:,}" for c in counts), amount)
    console.print(rules)
    if any(f["allocated"] != "0.00" or "quota" in f for f in data["funds"]):
        console.print(_funds_table(data["funds"], summary.budget is not None))
    uncovered = sum((Decimal(r["uncovered"]) for r in data["rules"]), Decimal(0))
    if uncovered:
        console.print(f"not covered by any funding source: {_yuan(str(uncovered))} yuan")
    t = summary.tally
    console.print(
        f"rows read {t.rows_read:,} = decided {t.rows_decided:,} + rejected {t.rows_rejected:,}"
        + ("" if summary.reconciled else "  (does not reconcile!)"),
        markup=False,
    )
    record = data.get("record_path")
    if record and (record["rows"] or record["rules"]):
        named = "; ".join(f"{rule} ({why})" for rule, why in record["rules"].items())
        console.print(
            f"columnar: {record['rows']:,} rows decided case by case on the record path"
            + (f"; rules on the record path: {named}" if named else ""),
            markup=False,
        )
    written = f"results: {summary.output}" if summary.output else "results: not written (no --out)"
    console.print(f"{written}; rejects: {summary.rejects}", markup=False)


def _funds_table(funds: list[dict[str, Any]], budgeted: bool) -> Table:
    table = Table(
        title="funding sources", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False
    )
    table.add_column("fund")
    table.add_column("allocated", justify="right")
    table.add_column("cases", justify="right")
    if budgeted:
        table.add_column("quota", justify="right")
        table.add_column("remaining", justify="right")
    table.add_column("shortfall\npassed on", justify="right")
    for f in funds:
        cells = [f["fund"], _yuan(f["allocated"]), f"{f['cases']:,}"]
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
