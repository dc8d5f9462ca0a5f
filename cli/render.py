"""Rendering: diagnostics, expression reports and JSON, onto a Rich console passed in.

Plain text comes from `engine.diagnostics`; this module adds color and layout only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from clause.engine.api import CheckReport, ExprReport
from clause.engine.diagnostics import Diagnostic, format_diagnostic
from clause.engine.explain import render as explain_render
from clause.engine.explain.model import Explanation
from clause.engine.explain.render import Styled, TextNode
from clause.engine.expr.values import show_value


class Format(StrEnum):
    """The output format shared by commands that print text or JSON."""

    text = "text"
    json = "json"


def make_console(stderr: bool = False) -> Console:
    """A console that never wraps our lines (carets must stay aligned) and is plain in pipes."""
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def diagnostics(items: Iterable[Diagnostic], console: Console, fmt: str = "text") -> None:
    items = list(items)
    if fmt == "json":
        console.print_json(json.dumps([d.to_json() for d in items], ensure_ascii=False))
        return
    if fmt == "github":
        for d in items:
            kind = "error" if d.severity.value == "error" else "warning"
            where = f"file={d.span.file},line={d.span.line},col={d.span.col}"
            console.out(f"::{kind} {where},title={d.code}::{d.message}", highlight=False)
        return
    for d in items:
        head, *rest = format_diagnostic(d).split("\n")
        style = "bold red" if d.severity.value == "error" else "bold yellow"
        console.print(Text(head, style=style))
        for line in rest:
            console.print(Text(line))


def expr_report(report: ExprReport, console: Console, fmt: str = "text") -> None:
    if fmt == "json":
        json_out(report.to_json(), console)
        return
    console.print(Text.assemble(("value    ", "bold"), report.shown))
    console.print(Text.assemble(("type     ", "bold"), report.type))
    unknown = ", ".join(report.unknown) if report.unknown else "none"
    console.print(Text.assemble(("unknown  ", "bold"), unknown))
    if len(report.nodes) > 1:
        console.print(Text("sub-expressions", style="bold"))
        for line in _tree_lines(report):
            console.print(line)


def _tree_lines(report: ExprReport) -> list[Text]:
    """The sub-expression tree with box-drawing guides, never cropped (long lines run on)."""
    nodes = report.nodes
    out: list[Text] = []
    open_levels: list[bool] = []  # per depth: does a later sibling still follow?
    for i, node in enumerate(nodes):
        later = [n.depth for n in nodes[i + 1 :] if n.depth <= node.depth]
        has_next_sibling = bool(later) and later[0] == node.depth
        del open_levels[node.depth :]
        guide = "".join("│   " if more else "    " for more in open_levels)
        guide += "├── " if has_next_sibling else "└── "
        open_levels.append(has_next_sibling)
        value = (
            Text(show_value(node.value))
            if node.evaluated
            else Text("not evaluated (short-circuit)", style="dim")
        )
        out.append(
            Text.assemble(guide, node.text, ("  = ", "cyan"), value, ("  " + node.type, "dim"))
        )
    return out


def json_out(data: Any, console: Console) -> None:
    """Stable JSON: keys in the order built, non-ASCII kept, two-space indent."""
    console.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)


def check_report(report: CheckReport, console: Console, fmt: str, max_errors: int) -> None:
    shown = report.diagnostics[:max_errors]
    if fmt == "json":
        data = report.to_json()
        data["findings"] = data["findings"][:max_errors]
        json_out(data, console)
        return
    diagnostics(shown, console, fmt)
    if fmt == "github":
        return
    hidden = len(report.diagnostics) - len(shown)
    more = f" ({hidden} more not shown: raise --max-errors)" if hidden else ""
    summary = (
        f"{report.errors} error{'s' * (report.errors != 1)}, "
        f"{report.warnings} warning{'s' * (report.warnings != 1)} "
        f"in {report.files} file{'s' * (report.files != 1)}{more}"
    )
    style = "bold red" if report.errors else "bold yellow" if report.warnings else "bold green"
    if shown:
        console.print()
    console.print(Text(summary, style=style))


def explanation(expl: Explanation, lang: str, console: Console, fmt: str) -> None:
    """An explanation as a Rich tree (text), Markdown (md) or JSON (json)."""
    if fmt == "json":
        console.out(explain_render.to_json_text(expl, lang), end="", highlight=False)
        return
    if fmt == "md":
        console.out(explain_render.to_markdown(expl, lang), end="", highlight=False)
        return
    trees, footer = explain_render.to_text(expl, lang)
    for node in trees:
        console.print(rich_tree(node), crop=False, soft_wrap=False)
    console.print(rich_text(footer))


def rich_text(styled: tuple[Styled, ...]) -> Text:
    """Styled runs from the engine as one Rich Text (never parsed as markup)."""
    return Text.assemble(*((s.text, s.style) for s in styled))


def rich_tree(node: TextNode) -> Tree:
    """A text tree from the engine as a Rich Tree."""
    tree = Tree(rich_text(node.label))
    stack = [(tree, node)]
    while stack:
        parent, current = stack.pop()
        for child in current.children:
            stack.append((parent.add(rich_text(child.label)), child))
    return tree


# -- clause test -------------------------------------------------------------------------------


def test_runs(runs: list[Any], console: Console, fmt: str, min_coverage: float | None) -> None:
    if fmt == "json":
        json_out([_run_json(pkg, run, min_coverage) for pkg, run in runs], console)
        return
    if fmt == "junit":
        console.out(_junit(runs), highlight=False)
        return
    passed = failed = 0
    for pkg, run in runs:
        for case in run.cases:
            if case.passed:
                passed += 1
                continue
            failed += 1
            _failure(case, console)
        cov = run.coverage
        style = "red" if min_coverage is not None and cov.percent < min_coverage else "green"
        console.print(
            Text(
                f"{pkg.document.number}: coverage {cov.percent:.1f}% "
                f"({cov.covered}/{cov.items}: rules, versions, each condition true and false)",
                style=style,
            )
        )
        for gap in cov.gaps()[:20]:
            console.print(Text(f"  not covered: {gap}", style="yellow"))
    console.print(
        Text(f"{passed} passed, {failed} failed", style="bold red" if failed else "bold green")
    )


def _failure(case: Any, console: Console) -> None:
    console.print(
        Text(f"FAIL {case.file}:{case.line}: {case.name} (on {case.date})", style="bold red")
    )
    if case.error:
        console.print(Text(f"  {case.error}", style="red"))
    for m in case.mismatches:
        console.print(Text(f"  {m.rule}.{m.field}: expected {m.expected}, got {m.actual}"))
    for decision in case.explanations:
        console.print(rich_tree(explain_render.decision_text(decision, "en")), crop=False)


def _run_json(pkg: Any, run: Any, min_coverage: float | None) -> dict[str, Any]:
    cov = run.coverage
    return {
        "package": pkg.document.number,
        "passed": sum(c.passed for c in run.cases),
        "failed": len(run.failed),
        "cases": [
            {
                "file": c.file,
                "line": c.line,
                "name": c.name,
                "date": c.date.isoformat(),
                "passed": c.passed,
                "error": c.error,
                "mismatches": [
                    {"rule": m.rule, "field": m.field, "expected": m.expected, "actual": m.actual}
                    for m in c.mismatches
                ],
                "explanations": {
                    d.rule: explain_render.decision_json(d, "en") for d in c.explanations
                },
            }
            for c in run.cases
        ],
        "coverage": {
            "percent": round(cov.percent, 2),
            "covered": cov.covered,
            "items": cov.items,
            "min": min_coverage,
            "gaps": cov.gaps(),
        },
    }


def _junit(runs: list[Any]) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for pkg, run in runs:
        out.append(
            f'  <testsuite name={quoteattr(pkg.document.number)} tests="{len(run.cases)}" '
            f'failures="{len(run.failed)}">'
        )
        for c in run.cases:
            name = quoteattr(c.name)
            where = quoteattr(f"{c.file}:{c.line}")
            if c.passed:
                out.append(f"    <testcase name={name} classname={where}/>")
                continue
            lines = [c.error] if c.error else []
            lines += [
                f"{m.rule}.{m.field}: expected {m.expected}, got {m.actual}" for m in c.mismatches
            ]
            message = quoteattr(lines[0] if lines else "failed")
            out.append(f"    <testcase name={name} classname={where}>")
            out.append(f"      <failure message={message}>{escape(chr(10).join(lines))}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out)


# -- coverage, rules, show ---------------------------------------------------------------------


def coverage(pkg: Any, items: list[Any], console: Console, fmt: str) -> None:
    from clause.engine.coverage import totals

    if fmt == "json":
        json_out([i.to_json() for i in items], console)
        return
    from rich.table import Table

    table = Table(title=f"{pkg.document.number}: coverage of the notice", show_lines=False)
    for column in ("clause", "title", "status", "rules", "reason"):
        table.add_column(column, overflow="fold")
    styles = {
        "encoded": "green",
        "referential": "cyan",
        "qualitative": "blue",
        "missing": "bold red",
    }
    for i in items:
        table.add_row(
            Text(i.clause),
            Text(i.title),
            Text(i.status, style=styles[i.status]),
            Text(", ".join(i.rules)),
            Text(i.reason),
        )
    console.print(table)
    counts = totals(items)
    console.print(
        ", ".join(f"{n} {status}" for status, n in counts.items()) + f" of {len(items)} clauses"
    )


def rules(pkg: Any, console: Console, fmt: str) -> None:
    data = [
        {
            "id": r.id,
            "title": {"zh": r.title_zh, "en": r.title_en},
            "kind": r.kind,
            "subject": r.subject,
            "clause": r.clause,
            "versions": [
                {
                    "version": v.number,
                    "from": v.window.start.isoformat() if v.window.start else None,
                    "to": v.window.end.isoformat() if v.window.end else None,
                    "enacted_by": v.enacted_by,
                    "amount_kind": v.amount.kind if v.amount else None,
                }
                for v in r.versions
            ],
        }
        for r in pkg.rules
    ]
    if fmt == "json":
        json_out(data, console)
        return
    from rich.table import Table

    table = Table(title=f"{pkg.document.number}: {len(data)} rules, {len(pkg.unencoded)} unencoded")
    for column in ("id", "title", "kind", "subject", "clause", "versions"):
        table.add_column(column, overflow="fold")
    for r in data:
        versions = "\n".join(
            f"v{v['version']} {v['from'] or '…'} .. {v['to'] or '…'}" for v in r["versions"]
        )
        cells = (r["id"], r["title"]["zh"], r["kind"], r["subject"], r["clause"], versions)
        table.add_row(*(Text(c) for c in cells))
    console.print(table)


def rule_beside_clause(pkg: Any, rule: Any, clause: Any, source: str, console: Console) -> None:
    from rich.columns import Columns
    from rich.panel import Panel
    from rich.syntax import Syntax

    crumb = pkg.notice.breadcrumb(rule.clause) if clause is not None else rule.clause
    left = Panel(Syntax(source, "yaml", word_wrap=True), title=rule.file)
    right = Panel(
        Text(clause.text if clause is not None else "(clause not found)"),
        title=f"{pkg.document.number} {crumb}",
    )
    console.print(Columns([left, right], equal=True, expand=True))
