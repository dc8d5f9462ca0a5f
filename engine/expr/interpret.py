"""Reference evaluator: a checked tree and facts in, a value and every sub-expression's value out.

Slow and obvious on purpose: it is the oracle the compiled backend is tested against, and it
records what explain traces show. Kleene logic: `false and unknown` is false, `true or unknown`
is true; otherwise an unknown operand makes the result unknown, carrying the fact paths that
made it so (only those that mattered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clause.engine.expr import ast
from clause.engine.expr.builtins import BUILTINS
from clause.engine.expr.runtime import arith, lookup_fact, negate, outcome_path, read_outcome
from clause.engine.expr.values import EvalError, Unknown, merge_unknown

_COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


@dataclass
class Evaluation:
    """The result of interpreting one expression.

    `values` maps id(node) to the value of every node that was evaluated; nodes skipped by
    short-circuit logic are absent.
    """

    value: Any
    values: dict[int, Any] = field(default_factory=dict)
    reads: dict[str, Any] = field(default_factory=dict)

    @property
    def unknown(self) -> tuple[str, ...]:
        """Fact paths whose absence made the result unknown, sorted."""
        return tuple(sorted(self.value.paths)) if type(self.value) is Unknown else ()


def interpret(
    node: ast.Node,
    facts: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    decision_date: date | None = None,
) -> Evaluation:
    """Evaluate a checked tree; raises EvalError (E codes) with the failing node's span."""
    run = _Interpreter(facts, params or {}, decision_date)
    value = run.eval(node)
    return Evaluation(value, run.values, run.reads)


class _Interpreter:
    def __init__(self, facts: Mapping[str, Any], params: Mapping[str, Any], today: Any) -> None:
        self.facts, self.params, self.today = facts, params, today
        self.values: dict[int, Any] = {}
        self.reads: dict[str, Any] = {}

    def eval(self, node: ast.Node) -> Any:
        value = getattr(self, "_" + type(node).__name__)(node)
        self.values[id(node)] = value
        return value

    def _Literal(self, node: ast.Literal) -> Any:
        return node.value

    def _ListLit(self, node: ast.ListLit) -> Any:
        items = [self.eval(i) for i in node.items]
        if any(type(i) is Unknown for i in items):
            return merge_unknown(*items)
        return tuple(items)

    def _Path(self, node: ast.Path) -> Any:
        if node.root == "decision_date":
            value = self.today if self.today is not None else Unknown(frozenset({"decision_date"}))
        elif node.root == "param":
            value = self.params.get(".".join(node.keys))
            value = Unknown(frozenset({node.dotted})) if value is None else value
        else:
            value = lookup_fact(self.facts, node.keys, node.dotted)
        self.reads[node.dotted] = value
        return value

    def _Unary(self, node: ast.Unary) -> Any:
        assert node.operand is not None
        value = self.eval(node.operand)
        if type(value) is Unknown:
            return value
        return (not value) if node.op == "not" else negate(value, node.span)

    def _Binary(self, node: ast.Binary) -> Any:
        assert node.left is not None and node.right is not None
        if node.op in ast.LOGIC_OPS:
            return self._logic(node, node.left, node.right)
        left, right = self.eval(node.left), self.eval(node.right)
        if type(left) is Unknown or type(right) is Unknown:
            return merge_unknown(left, right)
        if node.op in ast.ARITH_OPS:
            return arith(node.op, left, right, node.span)
        compare: Any = _COMPARE[node.op]
        return compare(left, right)

    def _logic(self, node: ast.Binary, left_node: ast.Node, right_node: ast.Node) -> Any:
        decisive = node.op == "or"  # the value that settles the result on its own
        left = self.eval(left_node)
        if left is decisive:
            return decisive
        right = self.eval(right_node)
        if left is (not decisive):
            return right
        if right is decisive:
            return decisive
        return merge_unknown(left, right)

    def _If(self, node: ast.If) -> Any:
        assert node.cond and node.then and node.orelse
        cond = self.eval(node.cond)
        if cond is True:
            return self.eval(node.then)
        if cond is False:
            return self.eval(node.orelse)
        return cond

    def _Call(self, node: ast.Call) -> Any:
        if node.name == "exists":
            return type(self.eval(node.args[0])) is not Unknown
        if node.name == "outcome":
            rule_id = str(_literal(node.args[0]))
            value = read_outcome(self.params, rule_id)
            self.reads[outcome_path(rule_id)] = value
            return value
        args = [self.eval(a) for a in node.args]
        if any(type(a) is Unknown for a in args):
            return merge_unknown(*args)
        try:
            return BUILTINS[node.name].impl(*args)
        except EvalError as err:
            raise EvalError(err.code, err.reason, err.span or node.span) from None


def _literal(node: ast.Node) -> object:
    return node.value if isinstance(node, ast.Literal) else None
