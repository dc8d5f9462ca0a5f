"""Rendering: diagnostics, expression reports and JSON, onto a Rich console passed in.

Plain text comes from `engine.diagnostics`; this module adds color and layout only. Every text
that may come from a user (file names, YAML keys, fact values, test names) is escaped for where
it lands (engine.escape): control characters never reach a terminal, a workflow command can
carry no second command, a JUnit report stays XML. Words are in the language passed in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from clause.cli.i18n import plural, t
from clause.cli.options import Format
from clause.engine.diagnostics import Diagnostic, format_diagnostic, localized
from clause.engine.escape import github_message, github_property, printable, xml_attr, xml_text
from clause.engine.messages import render as say

if TYPE_CHECKING:  # imported where used: `clause expr` loads neither the checker nor explain
    from rich.tree import Tree

    from clause.engine.api.check import CheckReport
    from clause.engine.api.expr import ExprReport
    from clause.engine.explain.model import Explanation
    from clause.engine.explain.render import Styled, TextNode

__all__ = ["Format", "make_console"]

#: Width given to output that is not a terminal (a file, a pipe, a CI log): nothing is cut.
UNCROPPED_WIDTH = 100_000


def make_console(stderr: bool = False) -> Console:
    """A console that never wraps our lines (carets must stay aligned) and is plain in pipes.
    Output to a file or pipe is never cropped to 80 columns: a CI log gets whole lines."""
    console = Console(stderr=stderr, soft_wrap=True, highlight=False)
    if not console.is_terminal and not _columns_set():
        console.width = UNCROPPED_WIDTH
    return console


def _columns_set() -> bool:
    import os

    return bool(os.environ.get("COLUMNS"))


def table_console(console: Console) -> Console:
    """The console tables are drawn on: as wide as the terminal, or wide enough for every cell
    when the output is a file or pipe (a table as wide as UNCROPPED_WIDTH would pad forever)."""
    if console.width < UNCROPPED_WIDTH:
        return console
    return Console(
        file=console.file, width=240, soft_wrap=True, highlight=False, no_color=console.no_color
    )


def diagnostics(
    items: Iterable[Diagnostic], console: Console, fmt: str = "text", lang: str = "en"
) -> None:
    items = [localized(d, lang) for d in items]
    if fmt == "json":
        console.out(json.dumps([d.to_json() for d in items], ensure_ascii=False, indent=2))
        return
    if fmt == "github":
        for d in items:
            kind = "error" if d.severity.value == "error" else "warning"
            where = (
                f"file={github_property(d.span.file)},line={d.span.line},col={d.span.col},"
                f"title={github_property(d.code)}"
            )
            console.out(f"::{kind} {where}::{github_message(d.message)}", highlight=False)
        return
    for d in items:
        head, *rest = printable(format_diagnostic(d, lang)).split("\n")
        style = "bold red" if d.severity.value == "error" else "bold yellow"
        console.print(Text(head, style=style))
        for line in rest:
            console.print(Text(line))


def expr_report(report: ExprReport, console: Console, fmt: str = "text", lang: str = "en") -> None:

    if fmt == "json":
        json_out(report.to_json(), console)
        return
    console.print(Text.assemble((t("expr.value", lang), "bold"), printable(report.shown)))
    console.print(Text.assemble((t("expr.type", lang), "bold"), report.type))
    unknown = ", ".join(report.unknown) if report.unknown else t("expr.none", lang)
    console.print(Text.assemble((t("expr.unknown", lang), "bold"), printable(unknown)))
    if len(report.nodes) > 1:
        console.print(Text(t("expr.nodes", lang), style="bold"))
        for line in _tree_lines(report, lang):
            console.print(line)


def _tree_lines(report: ExprReport, lang: str) -> list[Text]:
    """The sub-expression tree with box-drawing guides, never cropped (long lines run on)."""
    from clause.engine.expr.values import show_value

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
            Text(printable(show_value(node.value)))
            if node.evaluated
            else Text(t("expr.short_circuit", lang), style="dim")
        )
        out.append(
            Text.assemble(
                guide, printable(node.text), ("  = ", "cyan"), value, ("  " + node.type, "dim")
            )
        )
    return out


def json_out(data: Any, console: Console) -> None:
    """Stable JSON: keys in the order built, non-ASCII kept, two-space indent."""
    console.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)


def check_report(
    report: CheckReport, console: Console, fmt: str, max_errors: int, lang: str = "en"
) -> None:
    shown = report.diagnostics[:max_errors]
    if fmt == "json":
        data = report.to_json(lang)
        data["findings"] = data["findings"][:max_errors]
        json_out(data, console)
        return
    diagnostics(shown, console, fmt, lang)
    if fmt == "github":
        return
    hidden = len(report.diagnostics) - len(shown)
    more = t("check.more", lang, hidden=hidden) if hidden else ""
    summary = t(
        "check.summary",
        lang,
        errors=report.errors,
        errors_word=plural(report.errors, "error"),
        warnings=report.warnings,
        warnings_word=plural(report.warnings, "warning"),
        files=report.files,
        files_word=plural(report.files, "file"),
        more=more,
    )
    style = "bold red" if report.errors else "bold yellow" if report.warnings else "bold green"
    if shown:
        console.print()
    console.print(Text(summary, style=style))


def explanation(expl: Explanation, lang: str, console: Console, fmt: str) -> None:
    """An explanation as a Rich tree (text), Markdown (md), JSON (json) or an HTML page."""
    from clause.engine.explain import render as explain_render

    if fmt == "json":
        console.out(explain_render.to_json_text(expl, lang), end="", highlight=False)
        return
    if fmt == "md":
        console.out(explain_render.to_markdown(expl, lang), end="", highlight=False)
        return
    if fmt == "html":
        from clause.engine.explain.html import to_html  # Jinja2 loads only for pages

        console.out(to_html(expl, lang), end="", highlight=False)
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
    from rich.tree import Tree

    tree = Tree(rich_text(node.label))
    stack = [(tree, node)]
    while stack:
        parent, current = stack.pop()
        for child in current.children:
            stack.append((parent.add(rich_text(child.label)), child))
    return tree


# -- clause test -------------------------------------------------------------------------------


def test_runs(
    runs: list[Any], console: Console, fmt: str, min_coverage: float | None, lang: str = "en"
) -> None:
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
            _failure(case, console, lang)
        cov = run.coverage
        style = "red" if min_coverage is not None and cov.percent < min_coverage else "green"
        line = t(
            "test.coverage",
            lang,
            package=pkg.document.ref,
            percent=f"{cov.percent:.1f}",
            covered=cov.covered,
            items=cov.items,
        )
        console.print(Text(printable(line), style=style))
        for gap in cov.gaps()[:20]:
            console.print(Text(t("test.gap", lang, gap=say(gap, lang)), style="yellow"))
    summary = t("test.summary", lang, passed=passed, failed=failed)
    console.print(Text(summary, style="bold red" if failed else "bold green"))


def _failure(case: Any, console: Console, lang: str) -> None:
    from clause.engine.explain import render as explain_render

    head = t("test.fail", lang, file=case.file, line=case.line, name=case.name, date=case.date)
    console.print(Text(printable(head), style="bold red"))
    if case.error:
        console.print(Text(printable(f"  {say(case.error, lang)}"), style="red"))
    for m in case.mismatches:
        line = t(
            "test.mismatch", lang, rule=m.rule, field=m.field, expected=m.expected, actual=m.actual
        )
        console.print(Text(printable(line)))
    for decision in case.explanations:
        console.print(rich_tree(explain_render.decision_text(decision, lang)), crop=False)


def _run_json(pkg: Any, run: Any, min_coverage: float | None) -> dict[str, Any]:
    from clause.engine.explain import render as explain_render

    cov = run.coverage
    return {
        "package": pkg.document.ref,
        "passed": sum(c.passed for c in run.cases),
        "failed": len(run.failed),
        "cases": [
            {
                "file": c.file,
                "line": c.line,
                "name": c.name,
                "date": c.date.isoformat(),
                "passed": c.passed,
                "error": str(c.error),
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
            "gaps": [str(g) for g in cov.gaps()],
        },
    }


def _junit(runs: list[Any]) -> str:
    """JUnit XML: every name, path and message escaped, so any test name stays valid XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for pkg, run in runs:
        out.append(
            f'  <testsuite name={xml_attr(pkg.document.ref)} tests="{len(run.cases)}" '
            f'failures="{len(run.failed)}">'
        )
        for c in run.cases:
            name = xml_attr(c.name)
            where = xml_attr(f"{c.file}:{c.line}")
            if c.passed:
                out.append(f"    <testcase name={name} classname={where}/>")
                continue
            lines = [str(c.error)] if c.error else []
            lines += [
                f"{m.rule}.{m.field}: expected {m.expected}, got {m.actual}" for m in c.mismatches
            ]
            message = xml_attr(lines[0] if lines else "failed")
            out.append(f"    <testcase name={name} classname={where}>")
            out.append(
                f"      <failure message={message}>{xml_text(chr(10).join(lines))}</failure>"
            )
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out)


# -- coverage, rules, show ---------------------------------------------------------------------


def coverage(
    found: list[tuple[Any, list[Any]]], console: Console, fmt: str, lang: str = "en"
) -> None:
    """Coverage of each document's notice: one table per package."""
    if fmt == "json":
        data = [
            {"document": pkg.document.ref, "clauses": [i.to_json() for i in items]}
            for pkg, items in found
        ]
        json_out(data, console)
        return
    for pkg, items in found:
        _coverage_table(pkg, items, console, lang)


def _coverage_table(pkg: Any, items: list[Any], console: Console, lang: str) -> None:
    from rich.table import Table

    from clause.engine.coverage import totals

    title = t("coverage.title", lang, document=printable(pkg.document.ref))
    table = Table(title=title, show_lines=False)
    for column in ("clause", "title_column", "status", "rules", "reason"):
        table.add_column(t(f"coverage.{column}", lang), overflow="fold")
    styles = {
        "encoded": "green",
        "referential": "cyan",
        "qualitative": "blue",
        "missing": "bold red",
    }
    for i in items:
        table.add_row(
            Text(printable(i.clause)),
            Text(printable(i.title)),
            Text(t(f"coverage.{i.status}", lang), style=styles[i.status]),
            Text(printable(", ".join(i.rules))),
            Text(printable(i.reason)),
        )
    table_console(console).print(table)
    counts = ", ".join(
        f"{n} {t(f'coverage.{status}', lang)}" for status, n in totals(items).items()
    )
    console.print(t("coverage.totals", lang, counts=counts, total=len(items)), markup=False)


def rules(library: Any, console: Console, fmt: str, lang: str = "en") -> None:
    """The rules of every document of the library, each with its history across documents:
    when each version applies and which document (and clause) enacted it — an amendment names
    the amending notice — and the documents that extended or repealed the rule."""
    from clause.engine.api.policy import rule_listing

    data = rule_listing(library)
    if fmt == "json":
        json_out(data, console)
        return
    from rich.table import Table

    for pkg in library.packages:
        rows = [r for r in data if r["document"] == pkg.document.ref]
        title = t(
            "rules.title",
            lang,
            document=printable(pkg.document.ref),
            rules=len(rows),
            unencoded=len(pkg.unencoded),
        )
        if not rows:  # an amending, extending or repealing notice: what it does, not a table
            console.print(Text(printable(title), style="italic"))
            if pkg.document.relations:
                console.print(Text(t("rules.no_rules", lang)))
            for line in _relations(pkg.document.relations, lang):
                console.print(Text(printable(line)))
            continue
        table = Table(title=title)
        for column in ("id", "title_column", "kind", "subject", "clause", "versions"):
            table.add_column(t(f"rules.{column}", lang), overflow="fold")
        for r in rows:
            rule_id = r["id"] + (f"\n→ {r['implements']}" if r["implements"] else "")
            cells = (rule_id, r["title"][lang], r["kind"], r["subject"], r["clause"])
            table.add_row(*(Text(printable(c)) for c in (*cells, _history(r, lang))))
        table_console(console).print(table)


def _relations(relations: Any, lang: str) -> list[str]:
    """One line per relation of a document to another (document.yaml `relations`)."""
    lines = []
    for r in relations:
        start = t("rules.relation.start", lang, day=r.start) if r.start else ""
        end = t("rules.relation.end", lang, day=r.end) if r.end else ""
        only = t("rules.relation.only", lang, rules=", ".join(r.rules)) if r.rules else ""
        key = f"rules.relation.{r.kind}"
        lines.append(t(key, lang, document=r.document, start=start, end=end, only=only))
    return lines


def _history(rule: dict[str, Any], lang: str) -> str:
    """A rule's versions, one a line, with the document that enacted each when it is not the
    rule's own, then the documents that extended or repealed it."""
    lines = []
    for v in rule["versions"]:
        by = f"{v['enacted_by']} {v['enacted_clause'] or ''}".strip()
        lines.append(
            f"v{v['version']} {v['from'] or '…'} .. {v['to'] or '…'}"
            + (f" ({by})" if v["enacted_by"] != rule["document"] else "")
        )
    if rule["extended_by"]:
        lines.append(t("rules.extended", lang, document=rule["extended_by"]))
    if rule["repealed_by"]:
        last = (rule["in_force"] or {}).get("to") or "…"
        lines.append(t("rules.repealed", lang, document=rule["repealed_by"], last=last))
    return "\n".join(lines)


def rule_beside_clause(
    pkg: Any, rule: Any, clause: Any, source: str, console: Console, lang: str = "en"
) -> None:
    """The rule's YAML beside the clause text in a terminal; one after the other, whole, in a
    file or pipe (where side-by-side panels would cut the clause to one line)."""
    from rich.columns import Columns
    from rich.panel import Panel
    from rich.syntax import Syntax

    crumb = pkg.notice.breadcrumb(rule.clause) if clause is not None else rule.clause
    clause_text = printable(clause.text if clause is not None else t("show.not_found", lang))
    clause_title = printable(f"{pkg.document.ref} {crumb}")
    if console.width >= UNCROPPED_WIDTH or not console.is_terminal:
        console.print(Text(printable(t("show.rule", lang, file=rule.file)), style="bold"))
        console.out(printable(source.rstrip("\n")), highlight=False)
        console.print()
        console.print(
            Text(t("show.clause", lang, document=pkg.document.ref, crumb=crumb), style="bold")
        )
        console.out(clause_text, highlight=False)
        return
    left = Panel(Syntax(printable(source), "yaml", word_wrap=True), title=printable(rule.file))
    right = Panel(Text(clause_text), title=clause_title)
    console.print(Columns([left, right], equal=True, expand=True))
