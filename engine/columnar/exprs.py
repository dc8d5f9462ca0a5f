"""Typed expression trees compiled to Polars expressions over a register's columns.

In: a checked tree (engine.expr.ast) and the columns of a frame (one per fact leaf, named by
its dotted path; engine.columnar.frame). Out: a `Col` per node: the value (null when unknown),
the set of fact paths that made it unknown as a bit mask (a UInt64 column; bits per rule), and
its static type. Semantics are those of engine.expr.interpret: Kleene logic through unknowns,
exact numbers as fixed-point integers with a scale known at compile time, dates as the Civil
Code counts them (engine.periods).

Anything the compiler cannot express exactly raises `Unsupported` (the rule then runs on the
record path, counted). Run-time errors of the reference (a date out of range, a fraction of a
month, min of an empty list) are not reproduced: each possible one adds a condition to
`Compiler.risky`, and rows where any holds are decided by the record path, which raises the
error exactly as `decide` does. Risk conditions ignore short cuts, so they may send a row the
reference would not fail on; that row is still decided exactly, only more slowly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from clause.engine.expr import ast
from clause.engine.expr.types import BOOL, DATE, NUMBER, EnumType, Field, ListType
from clause.engine.messages import msg

#: Fixed-point scale of number columns read from a register: 4 decimal places.
SCALE = 4
#: Largest magnitude (in units of 10**-SCALE) a register cell may hold on the columnar path;
#: larger cells send their row to the record path.
CELL_BOUND = 10**14
#: Largest magnitude any intermediate value may reach (int64 with headroom).
LIMIT = 2**62
#: Deepest scale an intermediate number may have.
MAX_SCALE = 12
#: At most this many distinct fact paths per rule can be tracked as unknown (bits of a UInt64).
MAX_BITS = 63

_ZERO = pl.lit(0, dtype=pl.UInt64)


class Unsupported(Exception):
    """The construct cannot be compiled exactly; the caller falls back to the record path.
    `reason` says why in both languages (engine.messages.columnar, key `columnar.<why>`)."""

    def __init__(self, why: str, **args: object) -> None:
        self.reason = msg(f"columnar.{why}", **args)
        super().__init__(str(self.reason))


@dataclass(frozen=True)
class Col:
    """A compiled node. `mask` None: never unknown. Numbers: `scale` and `bound` (the largest
    magnitude in units). Lists: `item` is the element kind and `scale` its scale."""

    value: pl.Expr
    mask: pl.Expr | None
    kind: str  # bool | number | string | date | list
    scale: int = 0
    bound: int = 0
    item: str = ""


def or_masks(*masks: pl.Expr | None) -> pl.Expr | None:
    present = [m for m in masks if m is not None]
    if not present:
        return None
    out = present[0]
    for m in present[1:]:
        out = out | m
    return out


def kind_of(t: Any) -> str:
    if t == BOOL:
        return "bool"
    if t == NUMBER:
        return "number"
    if t == DATE:
        return "date"
    if isinstance(t, ListType):
        return "list"
    if getattr(t, "name", "") == "string" or isinstance(t, EnumType):
        return "string"
    raise Unsupported("type", type=str(t))


def units(value: Decimal) -> tuple[int, int]:
    """A decimal as (integer units, scale), the scale at least 0.

    >>> units(Decimal("0.15")), units(Decimal("1E3"))
    ((15, 2), (1000, 0))
    """
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise Unsupported("not_finite")
    number = int("".join(map(str, digits)) or "0")
    if exponent >= 0:
        number *= 10**exponent
        scale = 0
    else:
        scale = -exponent
    return (-number if sign else number), scale


def rescale(col: Col, scale: int) -> Col:
    """A number at a higher scale (exact: multiplies by a power of ten)."""
    if scale == col.scale:
        return col
    if scale < col.scale:
        raise Unsupported("lower_scale")
    factor = 10 ** (scale - col.scale)
    bound = col.bound * factor
    if bound > LIMIT or scale > MAX_SCALE:
        raise Unsupported("out_of_range")
    return Col(col.value * factor, col.mask, "number", scale, bound)


def align(*cols: Col) -> list[Col]:
    scale = max(c.scale for c in cols)
    return [rescale(c, scale) for c in cols]


def whole_risk(col: Col, limit: int = 1_000_000) -> pl.Expr:
    """Rows where a number argument is not whole or out of range (E303/E304 in the reference)."""
    unit = 10**col.scale
    risk: pl.Expr = col.value.abs() > limit * unit
    if col.scale:
        risk = risk | (col.value % unit != 0)
    return risk


def year_risk(value: pl.Expr) -> pl.Expr:
    year = value.dt.year()
    return (year < 1) | (year > 9999)


class Compiler:
    """Compiles the expressions of one rule: shares its bit table and its risk conditions."""

    def __init__(
        self,
        facts: Field,
        on: date | None,
        columns: set[str],
        params: dict[str, str],
        param_bounds: dict[str, int] | None = None,
    ) -> None:
        self.facts, self.on, self.columns = facts, on, columns
        self.params = params  # param id -> column name (absent: unknown here)
        self.param_bounds = param_bounds or {}  # param id -> largest magnitude of its values
        self.bits: dict[str, int] = {}
        self.risky: list[pl.Expr] = []
        #: rule id -> (outcome column, its unknown mask or None: unknown as the read itself)
        self.outcomes: dict[str, tuple[pl.Expr, pl.Expr | None]] = {}

    # -- unknown paths ---------------------------------------------------------------------

    def bit(self, path: str) -> int:
        found = self.bits.get(path)
        if found is None:
            if len(self.bits) >= MAX_BITS:
                raise Unsupported("too_many_facts")
            found = self.bits[path] = len(self.bits)
        return found

    def param_bound(self, pid: str | None) -> int:
        return self.param_bounds.get(pid or "", CELL_BOUND)

    def _always(self, path: str) -> pl.Expr:
        return pl.lit(1 << self.bit(path), dtype=pl.UInt64)

    def missing_when(self, is_null: pl.Expr, path: str) -> pl.Expr:
        return pl.when(is_null).then(pl.lit(1 << self.bit(path), dtype=pl.UInt64)).otherwise(_ZERO)

    def paths_of(self, mask: int) -> frozenset[str]:
        return frozenset(p for p, b in self.bits.items() if mask >> b & 1)

    def risk(self, expr: pl.Expr) -> None:
        self.risky.append(expr.fill_null(False))

    # -- nodes -----------------------------------------------------------------------------

    def compile(self, node: ast.Node) -> Col:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unsupported("node", node=type(node).__name__)
        return method(node)  # type: ignore[no-any-return]

    def _Literal(self, node: ast.Literal) -> Col:
        value = node.value
        if isinstance(value, bool):
            return Col(pl.lit(value, dtype=pl.Boolean), None, "bool")
        if isinstance(value, Decimal):
            n, scale = units(value)
            if scale > MAX_SCALE or abs(n) > LIMIT:
                raise Unsupported("literal_range")
            return Col(pl.lit(n, dtype=pl.Int64), None, "number", scale, abs(n))
        if isinstance(value, date):
            return Col(pl.lit(value, dtype=pl.Date), None, "date")
        return Col(pl.lit(value, dtype=pl.String), None, "string")

    def _Path(self, node: ast.Path) -> Col:
        if node.root == "decision_date":
            if self.on is None:
                return Col(pl.lit(None, dtype=pl.Date), self._always(node.dotted), "date")
            return Col(pl.lit(self.on, dtype=pl.Date), None, "date")
        if node.root == "param":
            return self._param(node)
        if node.root != "fact":
            raise Unsupported("root", root=str(node.root))
        return self._fact(node)

    def _param(self, node: ast.Path) -> Col:
        pid = ".".join(node.keys)
        column = self.params.get(pid)
        kind = kind_of(node.type)
        if column is None:  # no parameters in this context (quotas, effective dates)
            return Col(pl.lit(None), self._always(node.dotted), kind)
        value = pl.col(column)
        if kind == "number":
            bound = self.param_bound(pid)
            return Col(value, self.missing_when(value.is_null(), node.dotted), kind, SCALE, bound)
        if kind not in ("string", "date", "bool"):
            raise Unsupported("list_param")
        return Col(value, self.missing_when(value.is_null(), node.dotted), kind)

    def _fact(self, node: ast.Path) -> Col:
        keys = node.keys
        field = self.facts
        for i, key in enumerate(keys):
            child = field.children.get(key)
            if child is None:
                raise Unsupported("no_field", field=".".join(keys[: i + 1]))
            if child.is_array and i < len(keys) - 1:
                return self._through_array(node, ".".join(keys[: i + 1]), child, keys[i + 1 :])
            field = child
        name = ".".join(keys)
        if field.type is None or field.is_array:
            raise Unsupported("record_value")
        if name not in self.columns:  # not in this register: always missing
            return Col(pl.lit(None), self._always(node.dotted), kind_of(field.type))
        value = pl.col(name)
        mask = self.missing_when(value.is_null(), node.dotted)
        kind = kind_of(field.type)
        if kind == "number":
            return Col(value, mask, kind, SCALE, CELL_BOUND)
        if kind == "list":
            item = kind_of(field.type.item) if field.type.item is not None else "string"
            if item == "list":
                raise Unsupported("list_of_lists")
            return Col(value, mask, kind, SCALE if item == "number" else 0, CELL_BOUND, item)
        return Col(value, mask, kind)

    def _through_array(
        self, node: ast.Path, column: str, array: Field, rest: tuple[str, ...]
    ) -> Col:
        """`person.grants.program`: the programmes of the grant records, unknown when the
        records are missing or any record lacks the field."""
        if len(rest) != 1:
            raise Unsupported("nested_array")
        leaf = array.children.get(rest[0])
        if leaf is None or leaf.type is None or leaf.is_array or isinstance(leaf.type, ListType):
            raise Unsupported("array_field")
        item = kind_of(leaf.type)
        if column not in self.columns:
            return Col(pl.lit(None), self._always(node.dotted), "list", item=item)
        records = pl.col(column)
        values = records.list.eval(pl.element().struct.field(rest[0]))
        unknown = records.is_null() | values.list.eval(pl.element().is_null().any()).list.first()
        unknown = unknown.fill_null(True)
        value = pl.when(unknown).then(None).otherwise(values)
        scale = SCALE if item == "number" else 0
        return Col(value, self.missing_when(unknown, node.dotted), "list", scale, CELL_BOUND, item)

    def _ListLit(self, node: ast.ListLit) -> Col:
        raise Unsupported("list_literal")

    def _Unary(self, node: ast.Unary) -> Col:
        assert node.operand is not None
        o = self.compile(node.operand)
        if node.op == "not":
            return Col(~o.value, o.mask, "bool")
        return Col(-o.value, o.mask, "number", o.scale, o.bound)

    def _Binary(self, node: ast.Binary) -> Col:
        assert node.left is not None and node.right is not None
        if node.op in ast.LOGIC_OPS:
            return self._logic(node.op, self.compile(node.left), self.compile(node.right))
        if node.op in ast.MEMBER_OPS:
            return self._member(node)
        left, right = self.compile(node.left), self.compile(node.right)
        mask = or_masks(left.mask, right.mask)
        if node.op in ast.ARITH_OPS:
            return self._arith(node.op, left, right, mask)
        if left.kind == "list" or right.kind == "list":
            raise Unsupported("compare_lists")
        if left.kind == "number":
            left, right = align(left, right)
        value = {
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[node.op](left.value, right.value)
        return Col(value, mask, "bool")

    def _arith(self, op: str, left: Col, right: Col, mask: pl.Expr | None) -> Col:
        if op == "/":
            raise Unsupported("division")
        if op == "*":
            scale, bound = left.scale + right.scale, left.bound * right.bound
            if scale > MAX_SCALE or bound > LIMIT:
                raise Unsupported("product_range")
            return Col(left.value * right.value, mask, "number", scale, bound)
        left, right = align(left, right)
        bound = left.bound + right.bound
        if bound > LIMIT:
            raise Unsupported("sum_range")
        value = left.value + right.value if op == "+" else left.value - right.value
        return Col(value, mask, "number", left.scale, bound)

    def _logic(self, op: str, left: Col, right: Col) -> Col:
        # Polars' & and | on nullable booleans are Kleene's: false & null is false.
        value = left.value & right.value if op == "and" else left.value | right.value
        both = or_masks(left.mask, right.mask)
        if both is None:
            return Col(value, None, "bool")
        return Col(value, pl.when(value.is_null()).then(both).otherwise(_ZERO), "bool")

    def _member(self, node: ast.Binary) -> Col:
        assert node.left is not None and node.right is not None
        left = self.compile(node.left)
        if isinstance(node.right, ast.ListLit):
            items = [self.compile(i) for i in node.right.items]
            if any(i.mask is not None or i.kind == "list" for i in items):
                raise Unsupported("list_items")
            literals = [_literal_value(i) for i in node.right.items]
            if left.kind == "number":
                scale = max([left.scale, *(units(v)[1] for v in literals)])
                left = rescale(left, scale)
                literals = [units(v)[0] * 10 ** (scale - units(v)[1]) for v in literals]
            if not literals:
                value = pl.when(left.value.is_null()).then(None).otherwise(pl.lit(False))
            else:
                value = left.value.is_in(pl.Series(literals, dtype=_dtype(left.kind)).implode())
            mask = left.mask
        else:
            right = self.compile(node.right)
            if right.kind != "list":
                raise Unsupported("member_of")
            if left.kind == "number":
                if left.scale > right.scale:
                    raise Unsupported("member_scale")
                left = rescale(left, right.scale)
            value = right.value.list.contains(left.value)
            value = pl.when(left.value.is_null()).then(None).otherwise(value)
            mask = or_masks(left.mask, right.mask)
        if node.op == "not in":
            value = ~value
        return Col(value, mask, "bool")

    def _If(self, node: ast.If) -> Col:
        assert node.cond and node.then and node.orelse
        cond = self.compile(node.cond)
        then, orelse = self.compile(node.then), self.compile(node.orelse)
        if then.kind == "number" and orelse.kind == "number":
            then, orelse = align(then, orelse)
        elif then.kind == "list" or orelse.kind == "list":
            raise Unsupported("list_if")
        value: pl.Expr = pl.when(cond.value).then(then.value).when(~cond.value).then(orelse.value)
        if then.kind == "number":
            value = value.cast(pl.Int64)
        masks = (cond.mask, then.mask, orelse.mask)
        mask = None
        if any(m is not None for m in masks):
            c, t, e = (m if m is not None else _ZERO for m in masks)
            mask = pl.when(cond.value).then(t).when(~cond.value).then(e).otherwise(c)
        kind = then.kind if then.kind == orelse.kind else "string"
        bound = max(then.bound, orelse.bound)
        return Col(value, mask, kind, then.scale, bound)

    def _Call(self, node: ast.Call) -> Col:
        if node.name == "outcome":
            return self._outcome(node)
        if node.name == "exists":
            arg = self.compile(node.args[0])
            value = pl.lit(True) if arg.mask is None else arg.mask == 0
            return Col(value, None, "bool")
        from clause.engine.columnar.calls import CALLS

        impl = CALLS.get(node.name)
        if impl is None:
            raise Unsupported("function", name=node.name)
        args = [self.compile(a) for a in node.args]
        result = impl(self, node, args)
        mask = or_masks(*(a.mask for a in args))
        if mask is None:
            return result
        guarded: pl.Expr = pl.when(mask == 0).then(result.value)
        if result.kind == "number":
            guarded = guarded.cast(pl.Int64)
        return Col(guarded, mask, result.kind, result.scale, result.bound, result.item)

    def _outcome(self, node: ast.Call) -> Col:
        """`outcome("id")`: the rule's outcome from the column the caller named for it
        (`outcomes`), null with its unknown mask where it is not decided; Unsupported where
        the caller has no such column (the rule then goes to the record path)."""
        first = node.args[0] if node.args else None
        rule_id = first.value if isinstance(first, ast.Literal) else None
        source = self.outcomes.get(str(rule_id)) if rule_id is not None else None
        if source is None:
            raise Unsupported("outcome")
        value, mask = source
        if mask is None:
            path = f'outcome("{rule_id}")'
            return Col(value, self.missing_when(value.is_null(), path), "string")
        return Col(value, mask, "string")


def _literal_value(node: ast.Node) -> Any:
    if not isinstance(node, ast.Literal) or (isinstance(node.value, bool) and False):
        raise Unsupported("list_items")
    return node.value


def _dtype(kind: str) -> pl.DataType:
    return {
        "bool": pl.Boolean(),
        "number": pl.Int64(),
        "string": pl.String(),
        "date": pl.Date(),
    }[kind]
