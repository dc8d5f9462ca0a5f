"""Cross-file checks of a policy package: what no single file's schema can see.

In: the built model and the loaded files. Out: R diagnostics (and W warnings): duplicate ids,
clauses that do not exist, quotes that are not in the clause they cite, overlapping versions,
windows outside the notice's force, unresolved references, parameters with gaps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from clause.engine.diagnostics import Diagnostic, Severity, suggestion
from clause.engine.expr import ast
from clause.engine.expr.types import TypeEnv
from clause.engine.load.context import NO_LIBRARY, LibraryContext
from clause.engine.load.forms import check_forms
from clause.engine.load.loader import Loaded, json_pointer
from clause.engine.load.notice import Notice, quote_occurs
from clause.engine.load.quotenumbers import check_quote_numbers
from clause.engine.load.report import Report, bad_quote
from clause.engine.messages import msg
from clause.engine.model import Document, Fund, Parameter, Rule, UnencodedClause, Version, Window
from clause.engine.source import Span


def check_consistency(
    document: Document,
    notice: Notice,
    rules: list[Rule],
    unencoded: list[UnencodedClause],
    parameters: Mapping[str, Parameter],
    funds: Mapping[str, Fund],
    env: TypeEnv,
    loaded: Mapping[str, Loaded],
    rule_ids: set[str] | None = None,
    context: LibraryContext = NO_LIBRARY,
) -> list[Diagnostic]:
    """Every cross-file finding. `rule_ids` holds ids of rule files that failed to build too,
    so one broken file does not make references to it look wrong; `context` is the rest of
    the library (rules, parameters and documents a rule may refer to)."""
    report = Report(loaded)
    known = (rule_ids or set()) | {r.id for r in rules} | set(context.rule_kinds)
    parameters_all = {**context.parameters, **parameters}
    _unique_ids(report, rules, unencoded)
    items: list[Rule | UnencodedClause] = [*rules, *unencoded]
    for item in items:
        _cites(report, document, notice, item, context)
    _document_window(report, document)
    for rule in rules:
        _subject(report, rule, env)
        _windows(report, rule)
        _versions(report, document, rule)
        report.items.extend(check_quote_numbers(rule, loaded[rule.file], parameters))
        _references(report, rule, known, parameters_all, {**context.funds, **funds})
        _parameter_coverage(report, document, rule, parameters_all)
    for param in parameters.values():
        _parameter_values(report, document, notice, param)
    _document_quote(report, document, notice)
    _untested(report, rules, loaded)
    check_forms(report, document, notice, rules, parameters, env, loaded, context)
    return report.items


def _unique_ids(report: Report, rules: list[Rule], unencoded: list[UnencodedClause]) -> None:
    seen: dict[str, Span] = {}
    items: list[Rule | UnencodedClause] = [*rules, *unencoded]
    for item in sorted(items, key=lambda i: (i.file, i.id)):
        if item.id in seen:
            first = seen[item.id]
            report.at_pointer(
                "R001", item.file, "/id", id=item.id, where=f"{first.file}:{first.line}"
            )
        else:
            seen[item.id] = item.span


def _quotes(data: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every `quote` value in a file, with its JSON pointer; quotes beside a `cite` (taken
    from another clause) are checked there, by engine.load.forms."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            here = f"{pointer}/{key}"
            if key == "quote" and isinstance(value, str):
                if "cite" not in data:
                    yield here, value
            else:
                yield from _quotes(value, here)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _quotes(value, f"{pointer}/{i}")


def _cites(
    report: Report,
    document: Document,
    notice: Notice,
    item: Rule | UnencodedClause,
    context: LibraryContext,
) -> None:
    """The cited clause exists, and every quote in the file occurs in it — or, for a version
    enacted by another document of the library (an amendment), in that document's clause."""
    loaded = report.loaded[item.file]
    doc_number = loaded.data.get("document", document.ref)
    if doc_number != document.ref:
        report.at_pointer("R014", item.file, "/document", cited=doc_number, package=document.ref)
        return
    clause = notice.get(item.clause)
    if clause is None:
        ids = [c.id for c in notice.clauses]
        hint = suggestion(item.clause, ids, cutoff=0.5) or msg(
            "hint.clause_ids", ids=", ".join(ids[:12])
        )
        report.at_pointer("R002", item.file, "/clause", clause=item.clause, help=hint)
        return
    enacted = _enacting_clauses(item, document, context) if isinstance(item, Rule) else {}
    for pointer, quote in _quotes(loaded.data):
        where = enacted.get(pointer.split("/", 3)[2] if pointer.startswith("/versions/") else "")
        if where is not None:
            other, other_clause = where
            if other_clause is None:
                report.at_pointer("R002", item.file, pointer, clause="?", help="")
            elif not quote_occurs(quote, other_clause.text):
                text = other_clause.text
                bad_quote(report, item.file, pointer, quote, other_clause.id, text, other)
        elif not quote_occurs(quote, clause.text):
            bad_quote(report, item.file, pointer, quote, clause.id, clause.text, notice)


def _enacting_clauses(
    rule: Rule, document: Document, context: LibraryContext
) -> dict[str, tuple[Notice, Any]]:
    """For each version enacted by another document of the library, by its index (as text):
    that document's notice and the clause it enacted the version by (None: no such clause).
    Its quotes are checked there: the amending notice's own words."""
    out: dict[str, tuple[Notice, Any]] = {}
    for i, version in enumerate(rule.versions):
        if version.enacted_by == document.ref:
            continue
        other = context.notice_of(version.enacted_by)
        if other is None:
            continue
        out[str(i)] = (other, other.get(version.enacted_clause or rule.clause))
    return out


def _subject(report: Report, rule: Rule, env: TypeEnv) -> None:
    entities = sorted(env.facts.children)
    entity = env.facts.children.get(rule.subject)
    history = entity.children.get("grants") if entity is not None else None
    for i, version in enumerate(rule.versions):
        if version.once and (history is None or "program" not in history.children):
            report.at_pointer("R017", rule.file, f"/versions/{i}/once", subject=rule.subject)
    if entities and rule.subject not in env.facts.children:
        hint = suggestion(rule.subject, entities, cutoff=0.5) or msg(
            "hint.entities", entities=", ".join(entities)
        )
        report.at_pointer("R011", rule.file, "/subject", subject=rule.subject, help=hint)


def _windows(report: Report, rule: Rule) -> None:
    """R018: a version's window must not end before it starts."""
    for i, version in enumerate(rule.versions):
        window = version.window
        if window.start is not None and window.end is not None and window.end < window.start:
            report.items.append(
                report.loaded[rule.file].finding(
                    "R018",
                    f"/versions/{i}/valid",
                    what=msg("what.version", number=version.number),
                    start=window.start.isoformat(),
                    end=window.end.isoformat(),
                )
            )


def _document_window(report: Report, document: Document) -> None:
    start, end = document.in_force.start, document.in_force.end
    if start is not None and end is not None and end < start and document.file in report.loaded:
        report.items.append(
            report.loaded[document.file].finding(
                "R018",
                "/in_force",
                what=msg("what.in_force"),
                start=start.isoformat(),
                end=end.isoformat(),
            )
        )


def _versions(report: Report, document: Document, rule: Rule) -> None:
    versions = rule.versions
    for i, version in enumerate(versions):
        pointer = f"/versions/{i}"
        if version.number != i + 1:
            report.at_pointer(
                "R010", rule.file, f"{pointer}/version", number=version.number, position=i + 1
            )
        for j, earlier in enumerate(versions[:i]):
            if version.window.overlaps(earlier.window):
                report.at_pointer(
                    "R004",
                    rule.file,
                    f"{pointer}/valid",
                    number=version.number,
                    window=str(version.window),
                    earlier=earlier.number,
                    earlier_window=str(earlier.window),
                    where=str(versions[j].span),
                )
        # an open end means "until the notice lapses": only explicit dates can fall outside
        bounded = Window(
            version.window.start or document.in_force.start,
            version.window.end or document.in_force.end,
        )
        outside = not bounded.within(document.in_force)
        if outside and version.enacted_by == document.ref:
            report.at_pointer(
                "R005",
                rule.file,
                f"{pointer}/valid",
                number=version.number,
                window=str(version.window),
                in_force=str(document.in_force),
            )


def _references(
    report: Report,
    rule: Rule,
    rule_ids: set[str],
    parameters: Mapping[str, Parameter],
    funds: Mapping[str, Fund],
) -> None:
    for i, version in enumerate(rule.versions):
        base = f"/versions/{i}"
        for k, target in enumerate(version.overrides):
            if target not in rule_ids or target == rule.id:
                key = "R006/itself" if target == rule.id else "R006"
                hint = suggestion(target, sorted(rule_ids - {rule.id}), cutoff=0.5)
                report.at_pointer(
                    key, rule.file, f"{base}/overrides/{k}", target=target, help=hint or ""
                )
        for k, source in enumerate(version.funding):
            if source.fund not in funds:
                hint = suggestion(source.fund, sorted(funds), cutoff=0.5)
                report.at_pointer(
                    "R007", rule.file, f"{base}/funding/{k}/fund", fund=source.fund, help=hint
                )
        amount = version.amount
        param = amount.value.param if amount and amount.value else None
        if param is not None and param not in parameters:
            hint = suggestion(param, sorted(parameters), cutoff=0.5)
            pointer = _param_pointer(report.loaded[rule.file].data, base)
            report.at_pointer("R008", rule.file, pointer, param=param, help=hint)


def _param_pointer(data: Mapping[str, Any], base: str) -> str:
    """The pointer of the `param` key inside a version's amount, wherever the form puts it."""
    index = int(base.rsplit("/", 1)[1])
    amount = data["versions"][index]["amount"]
    kind, body = next(iter(amount.items()))
    for key in ("param", "max", "min", "rate", "value"):
        value = body.get(key)
        if key == "param" and isinstance(value, str):
            return f"{base}/amount/{kind}/param"
        if isinstance(value, Mapping) and "param" in value:
            return f"{base}/amount/{kind}/{key}/param"
    return f"{base}/amount/{kind}"


def params_used(version: Version) -> set[str]:
    """Parameter ids a version reads: in its amount and in any expression."""
    used: set[str] = set()
    if version.amount and version.amount.value and version.amount.value.param:
        used.add(version.amount.value.param)
    exprs = [c.expr for c in (*version.conditions, *version.unless, *version.requires)]
    if version.amount:
        exprs += [e for e in (version.amount.claimed, version.amount.count, version.amount.of) if e]
    for expr in exprs:
        for node in ast.walk(expr.node):
            if isinstance(node, ast.Path) and node.root == "param":
                used.add(".".join(node.keys))
    return used


def _parameter_coverage(
    report: Report, document: Document, rule: Rule, parameters: Mapping[str, Parameter]
) -> None:
    for i, version in enumerate(rule.versions):
        window = Window(
            version.window.start or document.in_force.start,
            version.window.end or document.in_force.end,
        )
        for pid in sorted(params_used(version)):
            param = parameters.get(pid)
            if param is None:
                continue
            gap = _coverage_gap(window, param)
            if gap is not None:
                report.at_pointer(
                    "R009",
                    rule.file,
                    f"/versions/{i}/valid",
                    param=pid,
                    day=gap.isoformat(),
                    number=version.number,
                    window=str(version.window),
                    file=param.file,
                )


def _coverage_gap(window: Window, param: Parameter) -> date | None:
    """The first day of `window` the parameter has no value for. General values (no locality)
    must cover it; a parameter with only local values must cover it in every locality."""
    general = [v.window for v in param.values if v.locality is None]
    if general:
        return _first_gap(window, general)
    gaps = []
    for locality in sorted({v.locality for v in param.values if v.locality}):
        gap = _first_gap(window, [v.window for v in param.values if v.locality == locality])
        if gap is not None:
            gaps.append(gap)
    return min(gaps) if gaps else None


def _first_gap(window: Window, covering: list[Window]) -> date | None:
    """The first day of `window` no window in `covering` contains; None if fully covered."""
    day = window.start
    if day is None:
        return None if any(w.start is None for w in covering) else date.min
    for w in sorted(covering, key=lambda w: w.start or date.min):
        if w.contains(day):
            if w.end is None:
                return None
            day = w.end + timedelta(days=1)
        if window.end is not None and day > window.end:
            return None
    if window.end is not None and day > window.end:
        return None
    return day


def _parameter_values(report: Report, document: Document, notice: Notice, param: Parameter) -> None:
    data = report.loaded[param.file].data
    for i, pv in enumerate(param.values):
        start, end = pv.window.start, pv.window.end
        if start is not None and end is not None and end < start:
            report.items.append(
                report.loaded[param.file].finding(
                    "R018",
                    f"/values/{i}",
                    what=msg("what.value", number=i + 1, param=param.id),
                    start=start.isoformat(),
                    end=end.isoformat(),
                )
            )
        for j in range(i):
            other = param.values[j]
            if other.locality == pv.locality and other.window.overlaps(pv.window):
                where = msg("where.locality", locality=pv.locality) if pv.locality else ""
                report.at_pointer(
                    "R013",
                    param.file,
                    f"/values/{i}",
                    first=j + 1,
                    again=i + 1,
                    param=param.id,
                    where=where,
                )
    citations = [("/citation", data["citation"])] + [
        (f"/values/{i}/citation", v["citation"])
        for i, v in enumerate(data["values"])
        if "citation" in v
    ]
    for pointer, citation in citations:
        if citation.get("document") != document.ref or "clause" not in citation:
            continue  # cites another regulation: its text is not in this package
        clause = notice.get(citation["clause"])
        if clause is None:
            report.at_pointer(
                "R002", param.file, f"{pointer}/clause", clause=citation["clause"], help=""
            )
        elif not quote_occurs(citation["quote"], clause.text):
            bad_quote(
                report,
                param.file,
                f"{pointer}/quote",
                citation["quote"],
                clause.id,
                clause.text,
                notice,
            )


def _document_quote(report: Report, document: Document, notice: Notice) -> None:
    data = report.loaded[document.file].data["in_force"]
    clause_id, quote = data.get("clause"), data.get("quote")
    if clause_id is None or quote is None:
        return
    clause = notice.get(clause_id)
    if clause is None:
        report.at_pointer("R002", document.file, "/in_force/clause", clause=clause_id, help="")
    elif not quote_occurs(quote, clause.text):
        bad_quote(report, document.file, "/in_force/quote", quote, clause_id, clause.text, notice)


def _untested(report: Report, rules: list[Rule], loaded: Mapping[str, Loaded]) -> None:
    """A rule no policy test case mentions is a warning: nothing proves it decides right."""
    mentioned: set[str] = set()
    tests = [name for name in loaded if "/tests/" in name.replace("\\", "/")]
    if not tests:
        return
    for name in tests:
        for case in loaded[name].data or []:
            if isinstance(case, Mapping) and isinstance(case.get("expect"), Mapping):
                mentioned.update(case["expect"])
    for rule in rules:
        if rule.id not in mentioned:
            span = report.loaded[rule.file].span("/id")
            report.at("W001", span, rule=rule.id, severity=Severity.WARNING)


__all__ = ["check_consistency", "json_pointer", "params_used"]
