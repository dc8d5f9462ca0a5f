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
    conj,
    disj,
    equal,
    false,
    ite,
    ite_value,
    neg,
    real,
    true,
)
from clause.engine.expr import ast
from clause.engine.expr.types import ListType

_SMALL = Digits(7, 0)  # day and month counts
_BIG_COUNT = Decimal(1_000_000)  # builtins._whole's range


@dataclass
class Scope:
    """Where an expression's names come from."""

    space: FactSpace
    today: Callable[[], Term]
    param: Callable[[str, Any], Term]

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
        space, lambda: slot_term("decision_date", T_DATE), lambda p, t: slot_term("param." + p, t)
    )


def encode(node: ast.Node, scope: Scope) -> Term:
    """The solver's view of a checked expression."""
    return _Encoder(scope).visit(node)


def _below(i: int, length: Z) -> Z:
    known = dates.as_int(length)
    return z3.BoolVal(i < known) if known is not None else z3.IntVal(i) < length


class _Encoder:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def visit(self, node: ast.Node) -> Term:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unsupported(f"the expression form {type(node).__name__}", node.span)
        term: Term = method(node)
        return term

    def fresh(self, stem: str) -> str:
        return self.scope.space.fresh(stem)

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
            raise Unsupported("lists of lists", node.span)
        digits = [i.digits for i in items if i.digits is not None]
        joined = _join(digits) if digits else None
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
            raise Unsupported("lists of lists", node.span)
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
            _join([d for d in (then.digits, orelse.digits) if d is not None]) or None,
            _join([d for d in (then.item_digits, orelse.item_digits) if d is not None]) or None,
        )

    def _Call(self, node: ast.Call) -> Term:
        if node.name == "exists":
            arg = self.visit(node.args[0])
            return Term(BOOL, arg.known, true(), arg.error, arg.exact)
        builder = _CALLS.get(node.name)
        if builder is None:
            raise Unsupported(f"the function {node.name}()", node.span)
        args = [self.visit(a) for a in node.args]
        known = conj(*(a.known for a in args))
        result = builder(self, node, args)
        error = disj(*(a.error for a in args), conj(known, result.error))
        exact = result.exact and all(a.exact for a in args)
        return replace(result, known=known, error=error, exact=exact)


def _join(digits: list[Digits]) -> Digits | None:
    if not digits:
        return None
    out = digits[0]
    for d in digits[1:]:
        out = out.join(d)
    return out


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
            conj(_below(i, listed.length), equal(item.kind, v, item.value))
            for i, v in enumerate(listed.items)
        )
    )


# -- functions ---------------------------------------------------------------------------------
# Each builder returns a Term whose `error` is the function's own failure on known arguments;
# _Call adds the arguments' errors and unknowns.

Builder = Callable[[_Encoder, ast.Call, list[Term]], Term]


def _result(kind: str, value: Any, error: Z = None, digits: Digits | None = None) -> Term:
    return Term(kind, value, true(), false() if error is None else error, True, digits)


def _items(args: list[Term]) -> tuple[str, ListValue, list[Digits]]:
    """The values an extremum ranges over: one list argument, or the arguments themselves."""
    if len(args) == 1 and args[0].kind == LIST:
        listed: ListValue = args[0].value
        digits = [args[0].item_digits] if args[0].item_digits else []
        return listed.item_kind, listed, digits
    values = tuple(a.value for a in args)
    digits = [a.digits for a in args if a.digits is not None]
    return args[0].kind, ListValue(z3.IntVal(len(values)), values, args[0].kind), digits


def _extremum(smaller: bool) -> Builder:
    def build(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
        kind, listed, digits = _items(args)
        if not listed.items:
            return _result(kind, _placeholder(kind), true())
        best = listed.items[0]
        for i, item in enumerate(listed.items[1:], start=1):
            a, b = (item.ordinal, best.ordinal) if kind == DATE else (item, best)
            better = a < b if smaller else a > b
            best = ite_value(kind, conj(_below(i, listed.length), better), item, best)
        return _result(kind, best, listed.length == 0, _join(digits))

    return build


def _placeholder(kind: str) -> Any:
    return dates.const_date(date(1, 1, 1)) if kind == DATE else real(0)


def _abs(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
    v = args[0].value
    return _result(NUMBER, z3.If(v < 0, -v, v), false(), args[0].digits)


def _round(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
    places = Decimal(0)
    if len(args) == 2:
        simplified = z3.simplify(args[1].value)
        if not z3.is_rational_value(simplified):
            raise Unsupported("round() with a number of places that is not a constant", node.span)
        places = Decimal(simplified.numerator_as_long()) / Decimal(simplified.denominator_as_long())
    if places != places.to_integral_value() or not 0 <= places <= 10:
        return _result(NUMBER, real(0), true())  # E303 / E304 on every input
    scale = 10 ** int(places)
    v = args[0].value
    up = z3.ToReal(z3.ToInt(v * scale + real(Decimal("0.5")))) / scale
    down = -z3.ToReal(z3.ToInt(-v * scale + real(Decimal("0.5")))) / scale
    base = args[0].digits
    digits = Digits(base.whole + 1, int(places)) if base is not None else None
    term = _result(NUMBER, z3.If(v >= 0, up, down), false(), digits)
    return replace(term, exact=digits is not None and digits.total <= PRECISION)


def _count(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
    return _result(NUMBER, z3.ToReal(args[0].value.length), false(), Digits(2, 0))


def _sum(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
    listed: ListValue = args[0].value
    total = real(0)
    for i, item in enumerate(listed.items):
        total = total + ite(_below(i, listed.length), item, real(0))
    base = args[0].item_digits
    digits = Digits(base.whole + 1, base.frac) if base is not None else Digits(1, 0)
    term = _result(NUMBER, total, false(), digits)
    return replace(term, exact=base is not None and digits.total <= PRECISION)


def _quantifier(every: bool) -> Builder:
    def build(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
        listed: ListValue = args[0].value
        if every:
            parts = [z3.Implies(_below(i, listed.length), v) for i, v in enumerate(listed.items)]
            return _result(BOOL, conj(*parts))
        return _result(
            BOOL, disj(*(conj(_below(i, listed.length), v) for i, v in enumerate(listed.items)))
        )

    return build


def _between(fn: Callable[[dates.DateTerm, dates.DateTerm], Z]) -> Builder:
    def build(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
        return _result(NUMBER, z3.ToReal(fn(args[0].value, args[1].value)), false(), _SMALL)

    return build


def _days(a: dates.DateTerm, b: dates.DateTerm) -> Z:
    return b.ordinal - a.ordinal


def _whole(value: Z) -> tuple[Z, Z]:
    """builtins._whole: the integer, and whether it is not whole or out of range."""
    bad = disj(neg(z3.IsInt(value)), value > real(_BIG_COUNT), value < -real(_BIG_COUNT))
    return z3.ToInt(value), bad


def _add_days(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
    start: dates.DateTerm = args[0].value
    n, bad = _whole(args[1].value)
    ordinal = start.ordinal + n
    out = dates.from_ordinal(ordinal, enc.fresh("add_days"), enc.scope.axioms)
    return _result(DATE, out, disj(bad, neg(dates.in_range(ordinal))))


def _shift_months(factor: int) -> Builder:
    def build(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
        n, bad = _whole(args[1].value)
        out, out_of_range = dates.add_months(args[0].value, n * factor)
        return _result(DATE, out, disj(bad, out_of_range))

    return build


def _make_date(enc: _Encoder, node: ast.Call, args: list[Term]) -> Term:
    parts = [_whole(a.value) for a in args]
    year, month, day = (p[0] for p in parts)
    bad = disj(*(p[1] for p in parts), neg(dates.valid_parts(year, month, day)))
    value = dates.DateTerm(dates.ordinal_of(year, month, day), year, month, day)
    return _result(DATE, value, bad)


_CALLS: dict[str, Builder] = {
    "min": _extremum(True),
    "max": _extremum(False),
    "abs": _abs,
    "round": _round,
    "count": _count,
    "sum": _sum,
    "any": _quantifier(False),
    "all": _quantifier(True),
    "months_between": _between(dates.months_between),
    "years_between": _between(dates.years_between),
    "days_between": _between(_days),
    "add_days": _add_days,
    "add_months": _shift_months(1),
    "add_years": _shift_months(12),
    "date": _make_date,
}

__all__ = ["RECORD", "Scope", "Term", "Unsupported", "encode", "free_scope"]
