"""`clause ledger`, `clause log`, `clause replay`: the service's store, read from the command line.

Thin: parse options, call `engine.api.serve`, render tables (Rich), CSV or JSON on stdout.
`register(app)` adds the commands. Exit codes: 0 done, 1 findings (the ledger does not
reconcile, a replay differs), 2 bad usage or an unreachable store. CSV and JSON carry the
field names as they are (data for programs); text tables and lines follow `--lang`. Imports
only Typer at start-up; the store's code loads when a command runs.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from clause.cli.i18n import t
from clause.cli.options import LangOption, language
from clause.cli.serve import DbOption, KeyOption, LibraryOption, need_serve_extra

if TYPE_CHECKING:
    from clause.engine.api.serve import Replayed
    from clause.engine.diagnostics import DiagnosticError

ledger_app = typer.Typer(
    help="The grant ledger: grants by subject, rule and fund; fund quotas; reconciliation.",
    no_args_is_help=True,
)


@ledger_app.callback()
def _ledger(lang: LangOption = None) -> None:
    """The grant ledger: grants by subject, rule and fund; fund quotas; reconciliation."""


class TableFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


class Format(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add `ledger` (a group), `log` and `replay` to the app."""
    app.add_typer(ledger_app, name="ledger")
    app.command("log")(log_command)
    app.command("replay")(replay_command)


def _usage(key: str, /, **args: object) -> DiagnosticError:
    from clause.engine.api.files import COMMAND_LINE, input_finding
    from clause.engine.diagnostics import DiagnosticError

    return DiagnosticError([input_finding(key, COMMAND_LINE, **args)])


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _usage("U001", option=option, value=repr(text)) from None


def _emit(
    rows: list[dict[str, Any]], fmt: TableFormat, title: str, out: Path | None, lang: str
) -> None:
    """Rows as a table (headers in `lang`), JSON or CSV (field names), to stdout or `out`."""
    if fmt is TableFormat.text and out is None:
        _table(rows, title, lang)
        return
    if fmt is TableFormat.json:
        import json

        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["grant_id"])
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        from clause.engine.messages import os_reason

        raise _usage("B003", path=str(out), reason=os_reason(err)) from None


def _table(rows: list[dict[str, Any]], title: str, lang: str) -> None:
    from rich.table import Table

    from clause.cli.render import make_console

    table = Table(title=title)
    for name in rows[0] if rows else ["none"]:
        table.add_column(t(f"store.{name}", lang))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    make_console().print(table)


@ledger_app.command("grants")
def grants_command(
    db: DbOption = None,
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="Grants of one subject: ENTITY=IDENTIFIER (person=4201…)."),
    ] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Grants of this rule.")] = None,
    fund: Annotated[str | None, typer.Option("--fund", help="Grants this fund paid.")] = None,
    decision: Annotated[str | None, typer.Option("--decision", help="Grants of one decision.")] = (
        None
    ),
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.text,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    library: LibraryOption = None,
    key_file: KeyOption = None,
    lang: LangOption = None,
) -> None:
    """List recorded grants, one row per grant and funding source; --format csv exports."""
    need_serve_extra()
    from clause.engine.api import serve
    from clause.engine.service.ledger import GrantFilter

    key = serve.subject_key(library, db, key_file, subject) if subject else None
    found = serve.ledger_grants(db, GrantFilter(key, rule, fund, decision))
    rows = []
    for g in found:
        base = g.to_json()
        for share in base.pop("funding") or [{"fund": None, "amount": None}]:
            rows.append(
                {
                    **base,
                    "fund": share["fund"],
                    "fund_amount": share["amount"],
                    "quota_place": share.get("place"),
                    "quota_year": share.get("year"),
                }
            )
    words = language(lang)
    _emit(rows, fmt, t("store.grants_title", words, count=len(found)), out, words)


@ledger_app.command("quotas")
def quotas_command(
    db: DbOption = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.text,
    lang: LangOption = None,
) -> None:
    """List fund quotas per place and year: total, spent, left."""
    need_serve_extra()
    from clause.engine.api import serve

    rows = [
        {
            "fund": q.fund,
            "place": q.place,
            "year": q.year,
            "total": format(q.total, "f"),
            "spent": format(q.spent, "f"),
            "left": format(q.remaining, "f"),
        }
        for q in serve.ledger_quotas(db)
    ]
    words = language(lang)
    _emit(rows, fmt, t("store.quotas_title", words), None, words)


@ledger_app.command("set-quota")
def set_quota_command(
    fund: Annotated[str, typer.Option("--fund", help="Fund id (funds.yaml).")],
    place: Annotated[str, typer.Option("--place", help="Place, as the facts name it.")],
    year: Annotated[int, typer.Option("--year", min=1, max=9999, help="Budget year.")],
    amount: Annotated[str, typer.Option("--amount", help="Total quota in yuan.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Set a fund's quota for a place and year; applications then draw it down."""
    need_serve_extra()
    from decimal import Decimal

    from clause.engine.api import serve
    from clause.engine.numbers import NumberError, decimal_from_text

    try:
        total = decimal_from_text(amount)
    except (NumberError, ValueError, ArithmeticError):
        raise _usage("U001/amount", value=repr(amount)) from None
    if not total.is_finite() or total < 0 or total != total.quantize(Decimal("0.01")):
        raise _usage("U001/amount", value=repr(amount))
    q = serve.set_quota(db, fund, place, year, total)
    shown = {"fund": q.fund, "place": q.place, "year": q.year, "total": q.total, "spent": q.spent}
    typer.echo(t("store.quota_set", language(lang), **shown))


@ledger_app.command("check")
def check_command(db: DbOption = None, lang: LangOption = None) -> None:
    """Reconcile the ledger with the decision log; exit 1 if they disagree."""
    need_serve_extra()
    from clause.engine.api import serve
    from clause.engine.messages import render

    words = language(lang)
    problems = serve.reconcile(db)
    for problem in problems:
        typer.echo(render(problem, words))
    if not problems:
        typer.echo(t("store.reconciles", words), err=True)
    raise typer.Exit(1 if problems else 0)


def log_command(
    db: DbOption = None,
    since: Annotated[str | None, typer.Option("--from", help="Logged on or after (UTC).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Logged on or before (UTC).")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Decision date.")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Decided this rule.")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="With this outcome.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="decide or apply.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.text,
    lang: LangOption = None,
) -> None:
    """List logged decisions by date, rule and outcome (oldest first)."""
    need_serve_extra()
    from clause.engine.api import serve
    from clause.engine.service.audit import LogFilter

    if kind not in (None, "decide", "apply"):
        raise _usage("U001/kind", value=repr(kind))
    wanted = LogFilter(
        _day("--from", since), _day("--to", until), _day("--date", on), rule, outcome, kind, limit
    )
    rows = [
        {
            "decision_id": r.id,
            "time": r.created_at,
            "kind": r.kind,
            "date": r.decision_date.isoformat(),
            "ruleset_digest": r.ruleset_digest,
            "outcomes": " ".join(f"{rule}={o}" for rule, o, _ in r.outcomes),
        }
        for r in serve.decision_log(db, wanted)
    ]
    words = language(lang)
    _emit(rows, fmt, t("store.decisions_title", words, count=len(rows)), None, words)


def replay_command(
    decision_id: Annotated[str, typer.Argument(metavar="DECISION_ID", help="A logged decision.")],
    db: DbOption = None,
    library: Annotated[
        Path | None,
        typer.Option("--library", help="Decide under this library instead, to see what changed."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    lang: LangOption = None,
) -> None:
    """Decide a logged decision again from its stored rule set and facts; exit 0 when the
    trace is byte-identical, 1 when it differs (with the diff and why)."""
    need_serve_extra()
    from clause.engine.api import serve
    from clause.engine.messages import render

    words = language(lang)
    done = serve.replay_decision(db, decision_id, library)
    report = done.report
    if fmt is Format.json:
        import json

        data = {
            "decision_id": report.record.id,
            "against": render(report.against, words),
            "identical": report.identical,
            "logged_ruleset_digest": report.record.ruleset_digest,
            "ruleset_digest": report.ruleset_digest,
            "reasons": [render(r, words) for r in report.reasons],
            "changed_files": [render(c, words) for c in report.changed_files],
            "diff": list(report.diff),
            "diff_lines_left_out": report.more,
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _replay_text(done, words)
    raise typer.Exit(0 if report.identical else 1)


def _replay_text(done: Replayed, lang: str) -> None:
    from clause.engine.messages import render

    report = done.report
    r = report.record
    size = len(r.trace_text.encode("utf-8"))
    when = {"date": r.decision_date, "logged": r.created_at}
    typer.echo(t("replay.decision", lang, id=r.id, kind=r.kind, **when))
    against = render(report.against, lang)
    typer.echo(t("replay.under", lang, against=against, digest=report.ruleset_digest))
    for line in report.changed_files:
        typer.echo(f"  {render(line, lang)}")
    if report.identical:
        typer.echo(t("replay.identical", lang, size=f"{size:,}", facts=r.facts_digest))
        return
    typer.echo(t("replay.differs", lang))
    for reason in report.reasons:
        typer.echo(t("replay.because", lang, reason=render(reason, lang)))
    for line in report.diff:
        typer.echo(line)
    if report.more:
        typer.echo(t("replay.more", lang, count=report.more))
