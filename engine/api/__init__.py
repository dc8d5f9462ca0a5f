"""The library's front door: one call per user task, returning data for the CLI to render.

Nothing here prints. Errors in user input come back as DiagnosticError (file, line, column,
code) so the caller can show them and choose an exit code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.expr import ast
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import interpret
from clause.engine.expr.syntax import expr_origin, parse_expr
from clause.engine.expr.types import SchemaTypeError, TypeEnv, flatten_params
from clause.engine.expr.values import EvalError, Unknown, json_value, show_value
from clause.engine.facts import FactsError, normalize_facts, normalize_value
from clause.engine.source import Span

MAX_INPUT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class NodeValue:
    """One sub-expression as `clause expr` shows it."""

    depth: int
    text: str
    type: str
    value: Any
    evaluated: bool
    span: Span

    def to_json(self) -> dict[str, Any]:
        return {
            "expr": self.text,
            "depth": self.depth,
            "type": self.type,
            "value": json_value(self.value) if self.evaluated else None,
            "evaluated": self.evaluated,
            "line": self.span.line,
            "col": self.span.col,
        }


@dataclass(frozen=True)
class ExprReport:
    """The result of trying one expression: value, type, unknown facts, every sub-expression."""

    expr: str
    value: Any
    type: str
    unknown: tuple[str, ...]
    nodes: tuple[NodeValue, ...] = field(default=())

    @property
    def shown(self) -> str:
        return show_value(self.value)

    def to_json(self) -> dict[str, Any]:
        return {
            "expr": self.expr,
            "value": json_value(self.value),
            "type": self.type,
            "unknown": list(self.unknown),
            "nodes": [n.to_json() for n in self.nodes],
        }


def evaluate_expression(
    text: str,
    facts: Mapping[str, Any] | None = None,
    schema: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    decision_date: date | None = None,
    facts_file: str = "<facts>",
) -> ExprReport:
    """Parse, type-check and evaluate `text`.

    Types come from `schema` (a facts JSON Schema) when given, else from the facts' values.
    Raises DiagnosticError for parse, type and facts errors, EvalError for runtime errors.

    >>> evaluate_expression("0.1 + 0.2 == 0.3").shown
    'true'
    """
    origin = expr_origin(text)
    node = parse_expr(text, origin)
    try:
        env = (
            TypeEnv.from_schema(schema, _param_types(params))
            if schema is not None
            else TypeEnv.from_values(facts or {}, params)
        )
    except SchemaTypeError as err:
        raise DiagnosticError([_input_error("F002", str(err), "<schema>")]) from None
    typed = check_expr(node, env, origin)
    try:
        values = normalize_facts(dict(facts or {}), env.facts)
    except FactsError as err:
        raise DiagnosticError([_input_error("F001", str(err), facts_file)]) from None
    flat_params = _param_values(params or {}, env)
    result = interpret(typed, values, flat_params, decision_date)
    compiled = compile_expr(typed)(values, flat_params, decision_date)
    if compiled != result.value:  # the two backends are property-tested; this guards the oracle
        raise EvalError(
            "E399", f"backends disagree: {show_value(compiled)} vs {show_value(result.value)}"
        )
    nodes = tuple(_node_values(typed, text, result.values))
    return ExprReport(text, result.value, str(typed.type), result.unknown, nodes)


def _node_values(root: ast.Node, text: str, values: dict[int, Any]) -> list[NodeValue]:
    lines = text.split("\n")
    out: list[NodeValue] = []
    stack: list[tuple[ast.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        evaluated = id(node) in values
        out.append(
            NodeValue(
                depth,
                _slice(lines, node.span),
                str(node.type),
                values.get(id(node)),
                evaluated,
                node.span,
            )
        )
        stack.extend((child, depth + 1) for child in reversed(node.children()))
    return out


def _slice(lines: list[str], span: Span) -> str:
    if span.line == span.end_line:
        return lines[span.line - 1][span.col - 1 : span.end_col - 1]
    first = lines[span.line - 1][span.col - 1 :]
    middle = lines[span.line : span.end_line - 1]
    last = lines[span.end_line - 1][: span.end_col - 1]
    return " ".join(part.strip() for part in [first, *middle, last])


def _param_values(params: Mapping[str, Any], env: TypeEnv) -> dict[str, Any]:
    """Nested parameter values to {"a.b": value}, converted like facts (decimals, dates, tuples)."""
    out: dict[str, Any] = {}
    for pid, value in flatten_params(params).items():
        if value is None:
            continue
        try:
            out[pid] = normalize_value(value, env.params[pid], f"param.{pid}")
        except FactsError as err:
            raise DiagnosticError([_input_error("F001", str(err), "<params>")]) from None
    return out


def _param_types(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(TypeEnv.from_values({}, params).params)


def _input_error(code: str, message: str, file: str) -> Diagnostic:
    return Diagnostic(code, message, Span(file, 1, 1, 1, 1))


def read_data_file(path: Path) -> Any:
    """Read a YAML or JSON data file (facts, schema, parameters) safely.

    JSON numbers become exact decimals. Raises DiagnosticError (L codes) when the file is
    missing, too large, not UTF-8, or not well-formed, naming the line and column.
    """
    from clause.engine.load import (
        loader,
    )  # the YAML loader keeps positions and rejects duplicate keys

    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DiagnosticError(
            [_input_error("L001", f"cannot read file: {err.strerror}", name)]
        ) from None
    if len(raw) > MAX_INPUT_BYTES:
        message = f"file too large: {len(raw):,} bytes, the limit is {MAX_INPUT_BYTES:,}"
        raise DiagnosticError([_input_error("L003", message, name)])
    if path.suffix.lower() == ".json":
        return _read_json(raw, name)
    return loader.load_yaml(raw, file=name).data


def _read_json(raw: bytes, name: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        message = f"not UTF-8 text (byte {err.start})"
        raise DiagnosticError([_input_error("L002", message, name)]) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as err:
        span = Span(name, err.lineno, err.colno, err.lineno, err.colno + 1)
        message = f"invalid JSON: {err.msg.lower()}"
        raise DiagnosticError([Diagnostic("L004", message, span)]) from None
    except RecursionError:
        raise DiagnosticError([_input_error("L011", "JSON nested too deeply", name)]) from None


def read_facts_stdin(text: str) -> Any:
    """Facts given on standard input: JSON if it starts with `{`, else YAML."""
    from clause.engine.load import loader

    if text.lstrip().startswith("{"):
        return _read_json(text.encode("utf-8"), "<stdin>")
    return loader.load_yaml(text.encode("utf-8"), file="<stdin>").data


__all__ = [
    "EvalError",
    "ExprReport",
    "NodeValue",
    "Unknown",
    "evaluate_expression",
    "read_data_file",
    "read_facts_stdin",
]


# -- clause check ----------------------------------------------------------------------------


@dataclass
class CheckReport:
    """Everything `clause check` found, sorted by place, and what was looked at."""

    diagnostics: list[Diagnostic]
    packages: list[str]
    files: int
    unreadable: bool

    @property
    def errors(self) -> int:
        return sum(d.severity.value == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity.value == "warning" for d in self.diagnostics)

    def to_json(self) -> dict[str, Any]:
        return {
            "packages": self.packages,
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [d.to_json() for d in self.diagnostics],
        }


def check(paths: list[Path]) -> CheckReport:
    """Check policy packages (and loose YAML files) under `paths`: every finding, sorted."""
    from clause.engine.diagnostics import DiagnosticSet
    from clause.engine.load.loader import load_yaml
    from clause.engine.load.package import find_packages, load_package

    found = DiagnosticSet()
    for path in paths:
        if not path.exists():
            found.add(_input_error("L001", f"no such file or directory: {path}", str(path)))
    roots, loose = find_packages([p for p in paths if p.exists()])
    files = 0
    wanted_files = {str(p) for p in paths if p.is_file()}
    for root in roots:
        result = load_package(root)
        files += len(result.loaded)
        diagnostics = result.diagnostics
        if wanted_files and all(Path(w).is_file() for w in map(str, paths)):
            diagnostics = [d for d in diagnostics if d.span.file in wanted_files] or diagnostics
        found.extend(diagnostics)
    for path in loose:
        files += 1
        try:
            load_yaml(path, file=str(path))
        except DiagnosticError as err:
            found.extend(err.diagnostics)
    items = found.sorted()
    unreadable = any(d.code.startswith("L") for d in items)
    return CheckReport(items, [str(r) for r in roots], files, unreadable)


# -- decisions -------------------------------------------------------------------------------


def open_package(path: Path | None) -> Any:
    """Load the package at `path` (a package folder, or a folder holding exactly one).

    Raises DiagnosticError when there is none, several, or the package has errors: decisions
    are never made from a package that does not pass `clause check`.
    """
    from clause.engine.load.package import find_packages, load_package

    where = path or Path("policies")
    if not where.exists():
        raise DiagnosticError(
            [_input_error("L001", f"no such package folder: {where}", str(where))]
        )
    roots, _ = find_packages([where])
    if len(roots) != 1:
        found = ", ".join(str(r) for r in roots) or "none"
        raise DiagnosticError(
            [
                _input_error(
                    "U002",
                    f"expected one policy package under {where}, found {len(roots)} ({found}); "
                    "choose one with --package",
                    str(where),
                )
            ]
        )
    result = load_package(roots[0])
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors or result.package is None:
        raise DiagnosticError(errors or [_input_error("R016", "package incomplete", str(where))])
    return result.package


def load_facts(source: Path | str, package: Any) -> dict[str, Any]:
    """Read a facts file (YAML or JSON; "-" for stdin text passed as str) and check it against
    the package's facts schema. Errors name the file, line, column and JSON path (F001)."""
    from clause.engine.facts import schema_problems
    from clause.engine.load.loader import load_yaml

    if isinstance(source, Path):
        if source.suffix.lower() == ".json":
            data, loaded = read_data_file(source), None
        else:
            loaded = load_yaml(source, file=str(source))
            data = loaded.data
        name = str(source)
    else:
        data, loaded, name = read_facts_stdin(source), None, "<stdin>"
    if not isinstance(data, dict):
        raise DiagnosticError([_input_error("F001", "facts must be a mapping of entities", name)])
    try:
        facts = normalize_facts(data, package.env.facts)
    except FactsError as err:
        raise DiagnosticError([_facts_error(err.pointer, err.message, name, loaded)]) from None
    problems = schema_problems(facts, package.facts_schema)
    if problems:
        raise DiagnosticError(
            [_facts_error(pointer, message, name, loaded) for pointer, message in problems]
        )
    return facts


def _facts_error(pointer: str, message: str, name: str, loaded: Any) -> Diagnostic:
    text = f"{pointer or '/'}: {message}"
    if loaded is not None:
        return loaded.diagnostic("F001", text, pointer.rstrip("/"))
    return _input_error("F001", text, name)


def read_budget(path: Path) -> dict[str, Decimal]:
    """A budget file: {fund id: remaining quota in yuan}."""
    data = read_data_file(path)
    if not isinstance(data, dict):
        raise DiagnosticError(
            [_input_error("F003", "a budget maps fund ids to amounts", str(path))]
        )
    out: dict[str, Decimal] = {}
    for fund, amount in data.items():
        from clause.engine.facts import to_decimal

        value = to_decimal(amount)
        if value is None or value < 0:
            message = f"budget for {fund} must be a non-negative amount, got {amount!r}"
            raise DiagnosticError([_input_error("F003", message, str(path))])
        out[str(fund)] = value
    return out


def explain_case(
    package: Any,
    facts: Mapping[str, Any],
    on: date,
    rule: str | None = None,
    lang: str = "en",
    budget: Mapping[str, Decimal] | None = None,
    only: set[str] | None = None,
) -> dict[str, Any]:
    """Decide one case and explain it: the data behind `clause explain` in every format.

    `only` keeps the decisions with these outcomes (all rules are still decided, so overrides
    and funding are the same as without it)."""
    from clause.engine.decide.core import Budget, decide
    from clause.engine.explain.build import explain

    if rule is not None and package.rule(rule) is None:
        known = ", ".join(r.id for r in package.rules)
        raise DiagnosticError(
            [_input_error("U003", f"--rule: no rule `{rule}`; rules: {known}", "<command line>")]
        )
    decisions = decide(
        package,
        facts,
        on,
        rule_ids={rule} if rule else None,
        trace=True,
        budget=Budget(dict(budget)) if budget is not None else None,
    )
    if only:
        unknown = sorted(only - set(OUTCOMES))
        if unknown:
            message = f"unknown outcome {unknown[0]!r}; outcomes: {', '.join(OUTCOMES)}"
            raise DiagnosticError([_input_error("U004", f"--only: {message}", "<command line>")])
        decisions = [d for d in decisions if d.outcome in only]
    return explain(package, decisions, on, facts, lang)


OUTCOMES = ("eligible", "ineligible", "not_applicable", "undetermined", "compliant", "violation")


# -- tests, coverage, listing ----------------------------------------------------------------


def run_policy_tests(paths: list[Path]) -> list[tuple[Any, Any]]:
    """Run the policy test cases of every package under `paths`: [(package, TestRun)]."""
    from clause.engine.load.package import find_packages
    from clause.engine.testing import run_tests

    roots, _ = find_packages([p for p in paths if p.exists()])
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise DiagnosticError(
            [_input_error("L001", f"no such path: {missing[0]}", str(missing[0]))]
        )
    if not roots:
        raise DiagnosticError([_input_error("U002", "no policy package found", str(paths[0]))])
    runs = []
    for root in roots:
        package = open_package(root)
        runs.append((package, run_tests(package)))
    return runs


def notice_coverage(path: Path | None) -> tuple[Any, list[Any]]:
    from clause.engine.coverage import notice_coverage as compute

    package = open_package(path)
    return package, compute(package)


def rule_with_clause(package: Any, rule_id: str) -> tuple[Any, Any, str]:
    """A rule, the clause it encodes, and its YAML source text."""
    rule = package.rule(rule_id)
    if rule is None:
        unencoded = next((u for u in package.unencoded if u.id == rule_id), None)
        if unencoded is None:
            known = ", ".join(r.id for r in package.rules)
            raise DiagnosticError(
                [_input_error("U003", f"no rule `{rule_id}`; rules: {known}", "<command line>")]
            )
        rule = unencoded
    clause = package.notice.get(rule.clause)
    return rule, clause, Path(rule.file).read_text(encoding="utf-8")
