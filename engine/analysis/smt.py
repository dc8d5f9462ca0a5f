"""The expression language in the solver: a checked tree in, a `Term` out (value, known, error).

In: a tree typed by engine/expr/check.py and a `Scope` (where facts, parameters and the
decision date come from). Out: z3 formulas that mean exactly what engine/expr/interpret.py
computes: Kleene logic with the interpreter's short cuts, unknown operands making results
unknown, and every EvalError the interpreter would raise (division by zero, a fractional
month count, a date out of range, min of an empty list…) as the `error` formula.

Numbers are rationals. Decimal addition, subtraction and multiplication are exact while a
result fits the 34 digits of the evaluator's context; `Digits` bounds that statically and a
term that may exceed it, or divides, is marked inexact: what the solver finds for it is
checked by the interpreter before anyone sees it, and "never true" is not claimed for it.
A node this module does not know (a language form added later) raises `Unsupported`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import z3

from clause.engine.analysis import dates
from clause.engine.analysis.functions import CALLS
from clause.engine.analysis.space import FactSpace, const_value, kind_of
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import (
    BOOL,
    DATE,
    LIST,
    NUMBER,
    PRECISION,
    RECORD,
    STRING,
    Digits,
    ListValue,
    Term,
    Unsupported,
    Z,
    below,
    conj,
    disj,
    equal,
    false,
    ite,
    ite_value,
    join_digits,
    neg,
    real,
    true,
)
from clause.engine.expr import ast
from clause.engine.expr.runtime import OUTCOME_PREFIX
from clause.engine.expr.types import ListType
from clause.engine.messages import msg


@dataclass
class Scope:
    """Where an expression's names come from."""

    space: FactSpace
    today: Callable[[], Term]
    param: Callable[[str, Any], Term]
    outcome: Callable[[str, Any], Term] | None = None  # `outcome("id")`: a rule's outcome

    @property
    def strings(self) -> Strings:
        return self.space.strings

    @property
    def axioms(self) -> list[Z]:
        return self.space.axioms


def free_scope(space: FactSpace) -> Scope:
    """Every fact, parameter and the decision date a free variable that may be missing."""

    def slot_term(path: str, t: Any) -> Term:
        slot = space.slot(path, t)
        digits = space.digits(None) if slot.kind == NUMBER else None
        return Term(slot.kind, slot.value, slot.present, false(), True, digits)

    from clause.engine.expr.types import DATE as T_DATE

    return Scope(
        space,
        lambda: slot_term("decision_date", T_DATE),
        lambda p, t: slot_term("param." + p, t),
        lambda rule, t: slot_term(OUTCOME_PREFIX + rule, t),
    )


def encode(node: ast.Node, scope: Scope) -> Term:
    """The solver's view of a checked expression."""
    return _Encoder(scope).visit(node)


class _Encoder:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def visit(self, node: ast.Node) -> Term:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(msg("what.solver.node", node=type(node).__name__), node.span)
        term: Term = method(node)
        return term

    def fresh(self, stem: str) -> str:
        return self.scope.space.fresh(stem)

    @property
    def axioms(self) -> list[Z]:
        return self.scope.axioms

    # -- leaves ------------------------------------------------------------------------------

    def _Literal(self, node: ast.Literal) -> Term:
        value = node.value
        if isinstance(value, bool):
            return Term(BOOL, z3.BoolVal(value), true(), false())
        if isinstance(value, Decimal):
            return Term(NUMBER, real(value), true(), false(), True, Digits.of(value))
        if isinstance(value, date):
            return Term(DATE, dates.const_date(value), true(), false())
        return Term(STRING, const_value(STRING, value, self.scope.strings), true(), false())

    def _ListLit(self, node: ast.ListLit) -> Term:
        items = [self.visit(i) for i in node.items]
        item_t = node.type.item if isinstance(node.type, ListType) else None
        item_kind = kind_of(item_t) if item_t is not None else NUMBER
        if item_kind == LIST:
            raise Unsupported(msg("what.solver.nested_lists"), node.span)
        digits = [i.digits for i in items if i.digits is not None]
        joined = join_digits(digits) if digits else None
        value = ListValue(z3.IntVal(len(items)), tuple(i.value for i in items), item_kind)
        return Term(
            LIST,
            value,
            conj(*(i.known for i in items)),
            disj(*(i.error for i in items)),
            all(i.exact for i in items),
            None,
            joined,
        )

    def _Path(self, node: ast.Path) -> Term:
        if node.root == "decision_date":
            return self.scope.today()
        if node.root == "param":
            return self.scope.param(".".join(node.keys), node.type)
        if isinstance(node.type, ListType) and isinstance(node.type.item, ListType):
            raise Unsupported(msg("what.solver.nested_lists"), node.span)
        return self.scope.space.fact(node.keys, node.type)

    # -- operators ---------------------------------------------------------------------------

    def _Unary(self, node: ast.Unary) -> Term:
        assert node.operand is not None
        operand = self.visit(node.operand)
        if node.op == "not":
            return replace(operand, value=neg(operand.value))
        return replace(operand, value=-operand.value)

    def _Binary(self, node: ast.Binary) -> Term:
        assert node.left is not None and node.right is not None
        left = self.visit(node.left)
        if node.op in ast.LOGIC_OPS:
            return _logic(node.op, left, self.visit(node.right))
        right = self.visit(node.right)
        known = conj(left.known, right.known)
        exact = left.exact and right.exact
        if node.op in ast.ARITH_OPS:
            value, fails, digits, exact = _arith(node.op, left, right, exact)
            error = disj(left.error, right.error, conj(known, fails))
            return Term(NUMBER, value, known, error, exact, digits)
        error = disj(left.error, right.error)
        return Term(BOOL, _compare(node.op, left, right), known, error, exact)

    def _If(self, node: ast.If) -> Term:
        assert node.cond and node.then and node.orelse
        cond, then, orelse = self.visit(node.cond), self.visit(node.then), self.visit(node.orelse)
        c_true, c_false = conj(cond.known, cond.value), conj(cond.known, neg(cond.value))
        return Term(
            then.kind,
            ite_value(then.kind, cond.value, then.value, orelse.value),
            conj(cond.known, ite(cond.value, then.known, orelse.known)),
            disj(cond.error, conj(c_true, then.error), conj(c_false, orelse.error)),
            cond.exact and then.exact and orelse.exact,
            join_digits([d for d in (then.digits, orelse.digits) if d is not None]) or None,
            join_digits([d for d in (then.item_digits, orelse.item_digits) if d is not None])
            or None,
        )

    def _Call(self, node: ast.Call) -> Term:
        if node.name == "outcome":
            return self._outcome(node)
        if node.name == "exists":
            arg = self.visit(node.args[0])
            return Term(BOOL, arg.known, true(), arg.error, arg.exact)
        builder = CALLS.get(node.name)
        if builder is None:
            raise Unsupported(msg("what.solver.function", name=node.name), node.span)
        args = [self.visit(a) for a in node.args]
        known = conj(*(a.known for a in args))
        result = builder(self, node, args)
        error = disj(*(a.error for a in args), conj(known, result.error))
        exact = result.exact and all(a.exact for a in args)
        return replace(result, known=known, error=error, exact=exact)

    def _outcome(self, node: ast.Call) -> Term:
        """`outcome("id")`: the outcome the decision core gives that rule (the scope knows)."""
        first = node.args[0] if node.args else None
        reader = self.scope.outcome
        if reader is None or not (isinstance(first, ast.Literal) and isinstance(first.value, str)):
            raise Unsupported(msg("what.solver.function", name="outcome"), node.span)
        return reader(first.value, node.type)


def _logic(op: str, left: Term, right: Term) -> Term:
    """Kleene `and`/`or` with the interpreter's left-to-right short cut."""
    lt, lf = conj(left.known, left.value), conj(left.known, neg(left.value))
    rt, rf = conj(right.known, right.value), conj(right.known, neg(right.value))
    unknown_left = neg(left.known)
    if op == "and":
        known = disj(lf, conj(lt, right.known), conj(unknown_left, rf))
        value = conj(lt, rt)
        error = disj(left.error, conj(neg(lf), right.error))
    else:
        known = disj(lt, conj(lf, right.known), conj(unknown_left, rt))
        value = disj(lt, rt)
        error = disj(left.error, conj(neg(lt), right.error))
    return Term(BOOL, value, known, error, left.exact and right.exact)


def _arith(op: str, left: Term, right: Term, exact: bool) -> tuple[Z, Z, Digits | None, bool]:
    """Value, failure, digit bound and exactness of `left op right` on numbers."""
    a, b = left.value, right.value
    if op == "/":
        return a / b, b == 0, None, False
    if left.digits is None or right.digits is None:
        digits = None
    else:
        digits = left.digits.times(right.digits) if op == "*" else left.digits.plus(right.digits)
    exact = exact and digits is not None and digits.total <= PRECISION
    value = a * b if op == "*" else a + b if op == "+" else a - b
    return value, false(), digits, exact


def _compare(op: str, left: Term, right: Term) -> Z:
    if op in ("in", "not in"):
        found = _member(left, right)
        return found if op == "in" else neg(found)
    if op in ("==", "!="):
        same = equal(left.kind, left.value, right.value)
        return same if op == "==" else neg(same)
    a, b = left.value, right.value
    if left.kind == DATE:
        a, b = a.ordinal, b.ordinal
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _member(item: Term, items: Term) -> Z:
    listed: ListValue = items.value
    return disj(
        *(
            conj(below(i, listed.length), equal(item.kind, v, item.value))
            for i, v in enumerate(listed.items)
        )
    )


__all__ = ["RECORD", "Scope", "Term", "Unsupported", "encode", "free_scope"]
