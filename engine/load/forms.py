"""Cross-file checks of the language forms a single file cannot verify on its own.

In: the built model and the loaded files. Out: findings in a Report (codes in docs/codes.md):
- R002/R003/R024: a condition's `cite` names a clause that exists and holds its quote; a
  clause of another document cannot be checked until that document is in the library.
- R025: rules that read each other's outcome (or override each other) in a cycle.
- R026: a periodic `once` needs the grant dates in the facts schema.
- R027: `in_principle` where it means nothing (an exception, a duty's scope, an event).
- R028/W003: a configured parameter value past a floor or ceiling the notice sets (a warning
  when the bound holds 原则上).
- R029: a policy test case sets a parameter the package does not have.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from clause.engine.dependencies import outcome_reads, plan, version_exprs
from clause.engine.diagnostics import Severity, suggestion
from clause.engine.expr.types import TypeEnv
from clause.engine.load.context import NO_LIBRARY, LibraryContext
from clause.engine.load.loader import Loaded
from clause.engine.load.notice import Notice, quote_occurs
from clause.engine.load.report import Report, bad_quote
from clause.engine.messages import msg
from clause.engine.model import Bound, Document, Parameter, ParameterValue, Rule


def check_forms(
    report: Report,
    document: Document,
    notice: Notice,
    rules: list[Rule],
    parameters: Mapping[str, Parameter],
    env: TypeEnv,
    loaded: Mapping[str, Loaded],
    context: LibraryContext = NO_LIBRARY,
) -> None:
    for rule in rules:
        _cited(report, document, notice, rule, context)
        _periodic(report, rule, env)
        _principle_placement(report, rule)
    _cycles(report, rules)
    every = {**context.parameters, **parameters}  # a bound may name another document's
    for param in parameters.values():
        _bounds(report, document, notice, param, every)
    _test_parameters(report, every, loaded)


def _cites_in(data: Any, pointer: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every mapping that holds a `quote` and a `cite`, with its pointer."""
    if isinstance(data, Mapping):
        if "cite" in data and "quote" in data and isinstance(data["cite"], Mapping):
            yield pointer, data
        for key, value in data.items():
            yield from _cites_in(value, f"{pointer}/{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _cites_in(value, f"{pointer}/{i}")


def _cited(
    report: Report, document: Document, notice: Notice, rule: Rule, context: LibraryContext
) -> None:
    """A quote taken from another clause (of this document, or of another document of the
    library) is checked against that clause's text."""
    for pointer, node in _cites_in(report.loaded[rule.file].data):
        cite = node["cite"]
        other = cite.get("document")
        source = notice
        if other is not None and other != document.ref:
            found = context.notice_of(other)
            if found is None:
                report.at_pointer(
                    "R024",
                    rule.file,
                    f"{pointer}/cite/document",
                    other=other,
                    document=document.ref,
                )
                continue
            source = found
        clause = source.get(cite["clause"])
        if clause is None:
            ids = [c.id for c in source.clauses]
            hint = suggestion(cite["clause"], ids, cutoff=0.5) or ""
            report.at_pointer(
                "R002", rule.file, f"{pointer}/cite/clause", clause=cite["clause"], help=hint
            )
        elif not quote_occurs(node["quote"], clause.text):
            quote = node["quote"]
            bad_quote(report, rule.file, f"{pointer}/quote", quote, clause.id, clause.text, source)


def _cycles(report: Report, rules: list[Rule]) -> None:
    """Rules that depend on each other in a circle cannot be decided in any order."""
    by_id = {r.id: r for r in rules}
    for cycle in plan(rules).cycles:
        members = set(cycle)
        shown = " → ".join((*cycle, cycle[0]))
        for rid in cycle:
            rule = by_id[rid]
            span = next(
                (
                    call.span
                    for v in rule.versions
                    for e in version_exprs(v)
                    for target, call in outcome_reads(e)
                    if target in members
                ),
                None,
            )
            if span is not None:
                report.at("R025", span, rule=rid, cycle=shown)
            else:
                report.at_pointer("R025", rule.file, "/id", rule=rid, cycle=shown, label="")


def _periodic(report: Report, rule: Rule, env: TypeEnv) -> None:
    entity = env.facts.children.get(rule.subject)
    history = entity.children.get("grants") if entity is not None else None
    for i, version in enumerate(rule.versions):
        if history is None or "date" in history.children:
            continue  # no history at all is R017
        listed = isinstance(report.loaded[rule.file].data["versions"][i].get("once"), list)
        for k, limit in enumerate(version.once_limits):
            if limit.period is None:
                continue
            pointer = f"/versions/{i}/once/{k}/per" if listed else f"/versions/{i}/once/per"
            report.at_pointer("R026", rule.file, pointer, subject=rule.subject)


def _principle_placement(report: Report, rule: Rule) -> None:
    """原则上 qualifies what a benefit needs or a duty demands, nothing else."""
    data = report.loaded[rule.file].data
    for i, raw in enumerate(data.get("versions", [])):
        places = [("unless", "what.exception")]
        if rule.kind == "obligation":
            places.append(("conditions", "what.duty_scope"))
        for key, what in places:
            for k, cond in enumerate(raw.get(key, [])):
                if cond.get("in_principle"):
                    _misplaced(report, rule, f"/versions/{i}/{key}/{k}/in_principle", what)
        if isinstance(raw.get("event"), Mapping) and raw["event"].get("in_principle"):
            _misplaced(report, rule, f"/versions/{i}/event/in_principle", "what.event")


def _misplaced(report: Report, rule: Rule, pointer: str, what: str) -> None:
    where = "requires" if rule.kind == "obligation" else "conditions"
    report.at_pointer("R027", rule.file, pointer, what=msg(what), where=where)


def _bounds(
    report: Report,
    document: Document,
    notice: Notice,
    param: Parameter,
    parameters: Mapping[str, Parameter],
) -> None:
    data = report.loaded[param.file].data
    for bound in param.bounds:
        pointer = f"/bounds/{bound.side}"
        other = bound.value.param
        if other is not None and other not in parameters:
            hint = suggestion(other, sorted(parameters), cutoff=0.5) or msg("R008.help")
            report.at_pointer("R008", param.file, f"{pointer}/value/param", param=other, help=hint)
            continue
        clause_id = bound.clause or (
            param.citation.clause if param.citation.document == document.ref else None
        )
        clause = notice.get(clause_id) if clause_id else None
        if clause is not None and not quote_occurs(bound.quote, clause.text):
            bad_quote(
                report, param.file, f"{pointer}/quote", bound.quote, clause.id, clause.text, notice
            )
        for i, pv in enumerate(param.values):
            if isinstance(pv.value, Decimal):
                _hold_to(report, param, i, pv, bound, parameters, data)


def _hold_to(
    report: Report,
    param: Parameter,
    index: int,
    pv: ParameterValue,
    bound: Bound,
    parameters: Mapping[str, Parameter],
    data: Any,
) -> None:
    """One configured value against a bound: a literal, or another parameter's values in
    force over the same dates for the same locality (its own, else the general one)."""
    assert isinstance(pv.value, Decimal)
    for limit, shown in _limits(pv, bound, parameters):
        past = pv.value < limit if bound.side == "min" else pv.value > limit
        if not past:
            continue
        where = msg("where.locality", locality=pv.locality) if pv.locality else ""
        side = msg("what.below_floor" if bound.side == "min" else "what.above_ceiling")
        report.at_pointer(
            "W003" if bound.in_principle else "R028",
            param.file,
            f"/values/{index}/value",
            value=str(pv.value),
            param=param.id,
            where=where,
            window=str(pv.window),
            side=side,
            shown=shown,
            label=f"「{bound.quote}」",
            severity=Severity.WARNING if bound.in_principle else Severity.ERROR,
        )
        return


def _limits(
    pv: ParameterValue, bound: Bound, parameters: Mapping[str, Parameter]
) -> Iterator[tuple[Decimal, str]]:
    money = bound.value
    if money.value is not None:
        yield money.value, str(money.value)
        return
    other = parameters[money.param or ""]
    percent = money.percent if money.percent is not None else Decimal(100)
    own = [v for v in other.values if v.locality == pv.locality and v.locality is not None]
    for v in own or [v for v in other.values if v.locality is None]:
        if isinstance(v.value, Decimal) and v.window.overlaps(pv.window):
            limit = v.value * percent / Decimal(100)
            yield limit, f"{percent}% of param.{other.id} = {v.value} → {limit.normalize():f}"


def _test_parameters(
    report: Report, parameters: Mapping[str, Parameter], loaded: Mapping[str, Loaded]
) -> None:
    tests = [name for name in loaded if "/tests/" in name.replace("\\", "/")]
    for name in tests:
        for i, case in enumerate(loaded[name].data or []):
            if not isinstance(case, Mapping) or not isinstance(case.get("params"), Mapping):
                continue
            for pid in case["params"]:
                if pid not in parameters:
                    hint = suggestion(pid, sorted(parameters), cutoff=0.5) or msg("R029.help")
                    report.at_pointer("R029", name, f"/{i}/params/{pid}", param=pid, help=hint)
