"""Compiled backend: a checked tree in, a Python function of (facts, params, decision_date) out.

The tree is turned into straight-line Python source once, then `compile`d. No user text ever
reaches that source: every literal, key and span is passed in as a bound constant (`_cN`),
and the only names in the code are temporaries and helpers we generate. Semantics match
`interpret` exactly (property-tested): same values, same unknown paths, same errors.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import date
from decimal import DecimalException
from typing import Any

from clause.engine.expr import ast
from clause.engine.expr.builtins import BUILTINS
from clause.engine.expr.runtime import ARITH, arith_error, lookup_fact, read_outcome
from clause.engine.expr.values import DECIMAL, EvalError, Unknown, merge_unknown

CompiledExpr = Callable[[Mapping[str, Any], Mapping[str, Any], "date | None"], Any]

_OPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in",
        "not in": "not in"}  # fmt: skip

_counter = itertools.count()


def compile_expr(node: ast.Node) -> CompiledExpr:
    """Compile a checked tree into a function returning the value (or an Unknown).

    Raises EvalError at call time, with the failing node's span, like `interpret`.
    """
    gen = _Generator()
    result = gen.emit(node, 1)
    params = ", ".join(f"{name}={name}" for name in gen.constants)
    header = "def _expr(facts, params, decision_date" + (f", {params}" if params else "") + "):"
    source = "\n".join([header, *gen.lines, f"    return {result}"])
    namespace: dict[str, Any] = dict(gen.constants)
    filename = f"<clause-expr-{next(_counter)}>"
    exec(compile(source, filename, "exec"), namespace)  # generated source only: see module doc
    fn = namespace["_expr"]
    fn.__clause_source__ = source
    return fn  # type: ignore[no-any-return]


class _Generator:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {
            "_U": Unknown,
            "_merge": merge_unknown,
            "_EvalError": EvalError,
            "_DecErr": DecimalException,
            "_arith_error": arith_error,
            "_lookup": lookup_fact,
            "_minus": DECIMAL.minus,
            "_outcome": read_outcome,
        }
        self._temps = itertools.count()

    def const(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def temp(self) -> str:
        return f"t{next(self._temps)}"

    def line(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def emit(self, node: ast.Node, ind: int) -> str:
        """Emit statements computing `node` at indentation `ind`; return the variable holding it."""
        return getattr(self, "_" + type(node).__name__)(node, ind)  # type: ignore[no-any-return]

    def _Literal(self, node: ast.Literal, ind: int) -> str:
        return self.const(node.value)

    def _ListLit(self, node: ast.ListLit, ind: int) -> str:
        items = [self.emit(i, ind) for i in node.items]
        t = self.temp()
        if not items:
            self.line(ind, f"{t} = ()")
            return t
        unknown = " or ".join(f"{i}.__class__ is _U" for i in items)
        self.line(ind, f"{t} = _merge({', '.join(items)}) if {unknown} else ({', '.join(items)},)")
        return t

    def _Path(self, node: ast.Path, ind: int) -> str:
        t = self.temp()
        missing = self.const(Unknown(frozenset({node.dotted})))
        if node.root == "decision_date":
            self.line(ind, f"{t} = decision_date")
        elif node.root == "param":
            self.line(ind, f"{t} = params.get({self.const('.'.join(node.keys))})")
        elif _through_array(node):
            keys, dotted = self.const(node.keys), self.const(node.dotted)
            self.line(ind, f"{t} = _lookup(facts, {keys}, {dotted})")
            return t
        else:
            self.line(ind, f"{t} = facts.get({self.const(node.keys[0])})")
            for key in node.keys[1:]:
                self.line(ind, f"if {t} is not None:")
                self.line(ind + 1, f"{t} = {t}.get({self.const(key)})")
            if _is_list_type(node.type):
                self.line(ind, f"if {t}.__class__ is list:")
                self.line(ind + 1, f"{t} = tuple({t})")
        self.line(ind, f"if {t} is None:")
        self.line(ind + 1, f"{t} = {missing}")
        return t

    def _Unary(self, node: ast.Unary, ind: int) -> str:
        assert node.operand is not None
        o = self.emit(node.operand, ind)
        t = self.temp()
        op = f"(not {o})" if node.op == "not" else f"_minus({o})"
        self.line(ind, f"{t} = {o} if {o}.__class__ is _U else {op}")
        return t

    def _Binary(self, node: ast.Binary, ind: int) -> str:
        assert node.left is not None and node.right is not None
        if node.op in ast.LOGIC_OPS:
            return self._logic(node, ind)
        left, right = self.emit(node.left, ind), self.emit(node.right, ind)
        t = self.temp()
        self.line(ind, f"if {left}.__class__ is _U or {right}.__class__ is _U:")
        self.line(ind + 1, f"{t} = _merge({left}, {right})")
        self.line(ind, "else:")
        if node.op in ast.ARITH_OPS:
            fn = self.const(ARITH[node.op])
            self.line(ind + 1, "try:")
            self.line(ind + 2, f"{t} = {fn}({left}, {right})")
            self.line(ind + 1, "except _DecErr as exc:")
            self.line(ind + 2, f"raise _arith_error(exc, {self.const(node.span)}) from None")
        else:
            self.line(ind + 1, f"{t} = {left} {_OPS[node.op]} {right}")
        return t

    def _logic(self, node: ast.Binary, ind: int) -> str:
        assert node.left is not None and node.right is not None
        decisive = "True" if node.op == "or" else "False"
        other = "False" if node.op == "or" else "True"
        t = self.temp()
        left = self.emit(node.left, ind)
        self.line(ind, f"if {left} is {decisive}:")
        self.line(ind + 1, f"{t} = {decisive}")
        self.line(ind, "else:")
        right = self.emit(node.right, ind + 1)
        self.line(ind + 1, f"if {left} is {other} or {right} is {decisive}:")
        self.line(ind + 2, f"{t} = {right}")
        self.line(ind + 1, "else:")
        self.line(ind + 2, f"{t} = _merge({left}, {right})")
        return t

    def _If(self, node: ast.If, ind: int) -> str:
        assert node.cond and node.then and node.orelse
        cond = self.emit(node.cond, ind)
        t = self.temp()
        self.line(ind, f"if {cond} is True:")
        self.line(ind + 1, f"{t} = {self.emit(node.then, ind + 1)}")
        self.line(ind, f"elif {cond} is False:")
        self.line(ind + 1, f"{t} = {self.emit(node.orelse, ind + 1)}")
        self.line(ind, "else:")
        self.line(ind + 1, f"{t} = {cond}")
        return t

    def _Call(self, node: ast.Call, ind: int) -> str:
        if node.name == "exists":
            value = self.emit(node.args[0], ind)
            t = self.temp()
            self.line(ind, f"{t} = {value}.__class__ is not _U")
            return t
        if node.name == "outcome":
            first = node.args[0]
            rule_id = first.value if isinstance(first, ast.Literal) else ""
            t = self.temp()
            self.line(ind, f"{t} = _outcome(params, {self.const(rule_id)})")
            return t
        args = [self.emit(a, ind) for a in node.args]
        t = self.temp()
        fn = self.const(BUILTINS[node.name].impl)
        unknown = " or ".join(f"{a}.__class__ is _U" for a in args)
        self.line(ind, f"if {unknown}:")
        self.line(ind + 1, f"{t} = _merge({', '.join(args)})")
        self.line(ind, "else:")
        self.line(ind + 1, "try:")
        self.line(ind + 2, f"{t} = {fn}({', '.join(args)})")
        self.line(ind + 1, "except _EvalError as err:")
        span = self.const(node.span)
        self.line(ind + 2, f"raise _EvalError(err.code, err.reason, err.span or {span}) from None")
        return t


def _is_list_type(t: Any) -> bool:
    return getattr(t, "name", "") == "list"


def _through_array(node: ast.Path) -> bool:
    """Paths through arrays of objects use the shared lookup; the checker marks them as lists
    whose keys continue past a list-valued step, which only `_lookup` can follow."""
    return _is_list_type(node.type) and len(node.keys) > 1
