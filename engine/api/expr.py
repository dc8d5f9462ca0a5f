"""`clause expr`: try one expression against facts, a schema and parameters.

In: expression text and optional facts, schema, parameters and date. Out: an ExprReport with
the value, its type, the unknown facts and every sub-expression's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clause.engine.api.files import input_error, input_finding, kind_of
from clause.engine.diagnostics import DiagnosticError
from clause.engine.expr import ast
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import interpret
from clause.engine.expr.syntax import expr_origin, parse_expr
from clause.engine.expr.types import SchemaTypeError, TypeEnv, flatten_params
from clause.engine.expr.values import EvalError, json_value, show_value
from clause.engine.facts import FactsError, normalize_facts, normalize_value
from clause.engine.messages import msg
from clause.engine.source import Span


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
    schema_file: str = "<schema>",
    params_file: str = "<params>",
) -> ExprReport:
    """Parse, type-check and evaluate `text`.

    Types come from `schema` (a facts JSON Schema) when given, else from the facts' values.
    Raises DiagnosticError for parse, type and facts errors, EvalError for runtime errors.

    >>> evaluate_expression("0.1 + 0.2 == 0.3").shown
    'true'
    """
    origin = expr_origin(text)
    node = parse_expr(text, origin)
    _check_shapes(facts, schema, params, facts_file, schema_file, params_file)
    try:
        env = (
            TypeEnv.from_schema(schema, _param_types(params))
            if schema is not None
            else TypeEnv.from_values(facts or {}, params)
        )
    except SchemaTypeError as err:
        reason = msg("F002", pointer=err.pointer or "/", reason=err.reason)
        raise DiagnosticError([input_error("F002", reason, schema_file)]) from None
    typed = check_expr(node, env, origin)
    try:
        values = normalize_facts(dict(facts or {}), env.facts)
    except FactsError as err:
        code = "F004" if err.reason_key() == "F004" else "F001"
        reason = msg("F001", pointer=err.pointer or "/", reason=err.reason)
        raise DiagnosticError([input_error(code, reason, facts_file)]) from None
    flat_params = _param_values(params or {}, env, params_file)
    result = interpret(typed, values, flat_params, decision_date)
    compiled = compile_expr(typed)(values, flat_params, decision_date)
    if compiled != result.value:  # the two backends are property-tested; this guards the oracle
        shown = msg("E399", compiled=show_value(compiled), interpreted=show_value(result.value))
        raise EvalError("E399", shown)
    nodes = tuple(_node_values(typed, text, result.values))
    return ExprReport(text, result.value, str(typed.type), result.unknown, nodes)


def _check_shapes(
    facts: object,
    schema: object,
    params: object,
    facts_file: str,
    schema_file: str,
    params_file: str,
) -> None:
    """Facts, a schema and parameters are each a mapping; say which one is not."""
    for value, key, file in (
        (facts, "F001/mapping", facts_file),
        (schema, "F002/mapping", schema_file),
        (params, "F001/params", params_file),
    ):
        if value is not None and not isinstance(value, Mapping):
            raise DiagnosticError([input_finding(key, file, found=kind_of(value))])


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


def _param_values(params: Mapping[str, Any], env: TypeEnv, params_file: str) -> dict[str, Any]:
    """Nested parameter values to {"a.b": value}, converted like facts (decimals, dates, tuples)."""
    out: dict[str, Any] = {}
    for pid, value in flatten_params(params).items():
        if value is None:
            continue
        try:
            out[pid] = normalize_value(value, env.params[pid], f"param.{pid}")
        except FactsError as err:
            reason = msg("F001", pointer=err.pointer or "/", reason=err.reason)
            raise DiagnosticError([input_error("F001", reason, params_file)]) from None
    return out


def _param_types(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(TypeEnv.from_values({}, params).params)
