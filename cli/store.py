"""`clause ledger`, `clause log`, `clause replay`: the service's store, read from the command line.

Thin: parse options, call `engine.api.serve`, render tables (Rich), CSV or JSON on stdout.
`register(app)` adds the commands. Exit codes: 0 done, 1 findings (the ledger does not
reconcile, a replay differs), 2 bad usage or an unreachable store.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from clause.cli.render import make_console
from clause.cli.serve import DbOption, KeyOption, LibraryOption, need_serve_extra
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.source import Span

ledger_app = typer.Typer(
    help="The grant ledger: grants by subject, rule and fund; fund quotas; reconciliation.",
    no_args_is_help=True,
)


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


def _usage(message: str) -> DiagnosticError:
    return DiagnosticError([Diagnostic("U001", message, Span("<command line>", 1, 1, 1, 1))])


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _usage(f"{option} {text!r} is not a date; write YYYY-MM-DD") from None


def _emit(rows: list[dict[str, Any]], fmt: TableFormat, title: str, out: Path | None) -> None:
    """Rows as a table, JSON or CSV, to stdout or `out`."""
    if fmt is TableFormat.text and out is None:
        console = make_console()
        table = Table(title=title)
        for name in rows[0] if rows else ["(none)"]:
            table.add_column(name)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row.values()))
        console.print(table)
        return
    if fmt is TableFormat.json:
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["grant_id"])
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as err:
            raise _usage(f"--out: cannot write {out}: {err.strerror}") from None


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
    _emit(rows, fmt, f"{len(found)} grants", out)


@ledger_app.command("quotas")
def quotas_command(
    db: DbOption = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = TableFormat.text,
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
    _emit(rows, fmt, "fund quotas", None)


@ledger_app.command("set-quota")
def set_quota_command(
    fund: Annotated[str, typer.Option("--fund", help="Fund id (funds.yaml).")],
    place: Annotated[str, typer.Option("--place", help="Place, as the facts name it.")],
    year: Annotated[int, typer.Option("--year", min=1, max=9999, help="Budget year.")],
    amount: Annotated[str, typer.Option("--amount", help="Total quota in yuan.")],
    db: DbOption = None,
) -> None:
    """Set a fund's quota for a place and year; applications then draw it down."""
    need_serve_extra()
    from clause.engine.api import serve

    try:
        total = Decimal(amount)
    except InvalidOperation:
        raise _usage(f"--amount {amount!r} is not a number") from None
    if not total.is_finite() or total < 0 or total != total.quantize(Decimal("0.01")):
        raise _usage(f"--amount {amount!r}: a non-negative amount in yuan, at most 2 decimals")
    q = serve.set_quota(db, fund, place, year, total)
    typer.echo(f"{q.fund} {q.place} {q.year}: total {q.total}, spent {q.spent}")


@ledger_app.command("check")
def check_command(db: DbOption = None) -> None:
    """Reconcile the ledger with the decision log; exit 1 if they disagree."""
    need_serve_extra()
    from clause.engine.api import serve

    problems = serve.reconcile(db)
    for problem in problems:
        typer.echo(problem)
    if not problems:
        typer.echo("the ledger reconciles with the decision log", err=True)
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
) -> None:
    """List logged decisions by date, rule and outcome (oldest first)."""
    need_serve_extra()
    from clause.engine.api import serve
    from clause.engine.service.audit import LogFilter

    if kind not in (None, "decide", "apply"):
        raise _usage(f"--kind {kind!r}: decide or apply")
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
    _emit(rows, fmt, f"{len(rows)} decisions", None)


def replay_command(
    decision_id: Annotated[str, typer.Argument(metavar="DECISION_ID", help="A logged decision.")],
    db: DbOption = None,
    library: Annotated[
        Path | None,
        typer.Option("--library", help="Decide under this library instead, to see what changed."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
) -> None:
    """Decide a logged decision again from its stored rule set and facts; exit 0 when the
    trace is byte-identical, 1 when it differs (with the diff and why)."""
    need_serve_extra()
    from clause.engine.api import serve

    done = serve.replay_decision(db, decision_id, library)
    report = done.report
    if fmt is Format.json:
        data = {
            "decision_id": report.record.id,
            "against": report.against,
            "identical": report.identical,
            "logged_ruleset_digest": report.record.ruleset_digest,
            "ruleset_digest": report.ruleset_digest,
            "reasons": list(report.reasons),
            "changed_files": list(report.changed_files),
            "diff": list(report.diff),
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _replay_text(done)
    raise typer.Exit(0 if report.identical else 1)


def _replay_text(done: Any) -> None:
    report = done.report
    r = report.record
    size = len(r.trace_text.encode("utf-8"))
    typer.echo(
        f"decision {r.id} ({r.kind}, decision date {r.decision_date}, logged {r.created_at})"
    )
    typer.echo(f"replayed under {report.against}: {report.ruleset_digest}")
    for line in report.changed_files:
        typer.echo(f"  {line}")
    if report.identical:
        typer.echo(f"byte-identical: {size:,} bytes, facts {r.facts_digest}")
        return
    typer.echo("differs:")
    for reason in report.reasons:
        typer.echo(f"  because {reason}")
    for line in report.diff:
        typer.echo(line)
