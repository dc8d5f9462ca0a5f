"""Static type checking: a parsed tree and a type environment in, a typed tree or T diagnostics out.

Every error found is reported (not just the first); a node that is wrong gets type `error`,
which silences follow-on errors about the same mistake. Paths come out canonical: English
field names, whatever alias the officer wrote.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, cast

from clause.engine.diagnostics import Diagnostic, DiagnosticError, suggestion
from clause.engine.expr import ast
from clause.engine.expr.builtins import BUILTINS
from clause.engine.expr.syntax import Origin
from clause.engine.expr.types import (
    BOOL,
    DATE,
    DECISION_DATE_NAMES,
    ERROR,
    KNOWN_OUTCOMES,
    NUMBER,
    PARAM_ROOT_NAMES,
    RECORD,
    STRING,
    EnumType,
    Field,
    ListType,
    TypeEnv,
    compatible,
    is_stringy,
    unify,
)
from clause.engine.messages import Msg, msg
from clause.engine.source import Span


def check_expr(
    node: ast.Node, env: TypeEnv, origin: Origin | None = None, expect: Any = None
) -> ast.Node:
    """Type-check `node`; returns the typed tree or raises DiagnosticError (T codes).

    `expect` (e.g. BOOL for a condition) is the type the context requires.
    """
    checker = _Checker(env, origin)
    typed = checker.visit(node)
    if (
        expect is not None
        and typed.type not in (ERROR, expect)
        and not (is_stringy(expect) and is_stringy(typed.type))
    ):
        checker.finding(
            "T212",
            typed.span,
            expected=str(expect),
            found=str(typed.type),
            kind=_a(typed.type),
            help=msg("hint.condition") if expect == BOOL else "",
        )
    if checker.errors:
        raise DiagnosticError(checker.errors)
    return typed


def _a(t: Any) -> Msg:
    """A type in words: `a number`, `true/false`, `a list[date]`…"""
    name = str(t)
    if name in ("bool", "number", "string", "date"):
        return msg(f"a.{name}")
    return msg("a.list" if isinstance(t, ListType) else "a.other", type=name)


_LITERAL_WORDS = {"true": "true", "false": "false", "yes": "true", "no": "false"}


class _Checker:
    def __init__(self, env: TypeEnv, origin: Origin | None) -> None:
        self.env = env
        self.origin = origin
        self.errors: list[Diagnostic] = []

    def finding(self, key: str, span: Span, /, **args: Any) -> None:
        """Collect the catalog finding `key` (engine.messages) at `span`."""
        source = self.origin.line_text(span.line) if self.origin else None
        self.errors.append(Diagnostic.of(key, span, source_line=source, **args))

    def visit(self, node: ast.Node) -> ast.Node:
        method: Callable[[ast.Node], ast.Node] = getattr(self, "_" + type(node).__name__)
        return method(node)

    # -- leaves ---------------------------------------------------------------------------

    def _Literal(self, node: ast.Literal) -> ast.Node:
        v = node.value
        t = (
            BOOL
            if isinstance(v, bool)
            else NUMBER
            if isinstance(v, Decimal)
            else DATE
            if isinstance(v, date)
            else STRING
        )
        return replace(node, type=t)

    def _Path(self, node: ast.Path) -> ast.Node:
        first, rest = node.segments[0], node.segments[1:]
        if first in DECISION_DATE_NAMES and not rest:
            return replace(node, type=DATE, root="decision_date", keys=())
        if first in PARAM_ROOT_NAMES and rest:
            return self._param(node, ".".join(rest))
        return self._fact(node)

    def _param(self, node: ast.Path, pid: str) -> ast.Node:
        t = self.env.params.get(pid)
        if t is None:
            hint = suggestion(pid, sorted(self.env.params))
            self.finding("T202", node.span, param=pid, help=hint or "")
            return replace(node, type=ERROR)
        return replace(node, type=t, root="param", keys=tuple(pid.split(".")))

    def _fact(self, node: ast.Path) -> ast.Node:
        current: Field = self.env.facts
        keys: list[str] = []
        through_array = False
        for i, segment in enumerate(node.segments):
            child = current.lookup(segment) if current.type is None else None
            if child is None:
                return self._unknown_field(node, i, current, keys)
            keys.append(child.name)
            through_array = through_array or (child.is_array and i < len(node.segments) - 1)
            current = child
        if current.type is None and current.is_array:  # a list of records: count() / exists()
            return replace(node, type=ListType(RECORD), root="fact", keys=tuple(keys))
        if current.type is None:
            fields = ", ".join(f"`{n}`" for n in sorted(current.children)[:8])
            hint = msg("hint.fields", fields=fields) if fields else ""
            self.finding("T206", node.span, path=".".join(node.segments), help=hint)
            return replace(node, type=ERROR)
        t = current.type
        if through_array:
            t = t if isinstance(t, ListType) else ListType(t)
        return replace(node, type=t, root="fact", keys=tuple(keys))

    def _unknown_field(self, node: ast.Path, i: int, parent: Field, keys: list[str]) -> ast.Node:
        written = ".".join(node.segments[: i + 1])
        if parent.type is not None:
            path = ".".join(node.segments[:i])
            self.finding("T201/scalar", node.span, path=path, kind=_a(parent.type))
            return replace(node, type=ERROR)
        where = msg("where.in", path=".".join(keys)) if keys else ""
        options = parent.spellings()
        if i == 0:
            options += ["decision_date", "param"]
        hint: Msg | None = suggestion(node.segments[i], options)
        if i == 0 and len(node.segments) == 1 and node.segments[0].lower() in _LITERAL_WORDS:
            hint = msg("hint.lower_case", word=_LITERAL_WORDS[node.segments[0].lower()])
        if not hint and i == 0:  # maybe the entity was left out: `age` for `person.age`
            nested = {n: f"{k}.{n}" for k, f in parent.children.items() for n in f.spellings()}
            close = difflib.get_close_matches(node.segments[0], sorted(nested), n=1, cutoff=0.6)
            hint = msg("hint.did_you_mean", option=nested[close[0]]) if close else None
        self.finding(
            "T201", node.span, field=node.segments[i], where=where, written=written, help=hint or ""
        )
        return replace(node, type=ERROR)

    # -- composite ------------------------------------------------------------------------

    def _ListLit(self, node: ast.ListLit) -> ast.Node:
        items = tuple(self.visit(i) for i in node.items)
        item_t: Any = None
        for item in items:
            if item_t is None or item_t == ERROR:
                item_t = item.type
            elif not compatible(item_t, item.type):
                self.finding(
                    "T205",
                    item.span,
                    first=str(item_t),
                    other=str(item.type),
                    label=msg("label.this_is", kind=_a(item.type)),
                )
                item_t = ERROR
            else:
                item_t = unify(item_t, item.type)
        t = ERROR if item_t == ERROR else ListType(item_t)
        return replace(node, items=items, type=t)

    def _Unary(self, node: ast.Unary) -> ast.Node:
        assert node.operand is not None
        operand = self.visit(node.operand)
        want = BOOL if node.op == "not" else NUMBER
        t = self._need(operand, want, f"`{node.op}`")
        return replace(node, operand=operand, type=t)

    def _need(self, operand: ast.Node, want: Any, what: str) -> Any:
        if operand.type == ERROR:
            return ERROR
        if operand.type != want:
            self.finding(
                "T203/needs",
                operand.span,
                what=what,
                kind=_a(want),
                found=str(operand.type),
                label=msg("label.this_is", kind=_a(operand.type)),
            )
            return ERROR
        return want

    def _If(self, node: ast.If) -> ast.Node:
        assert node.cond and node.then and node.orelse
        cond, then, orelse = self.visit(node.cond), self.visit(node.then), self.visit(node.orelse)
        t: Any = unify(then.type, orelse.type)
        if self._need(cond, BOOL, "`if`") == ERROR:
            t = ERROR
        if not compatible(then.type, orelse.type):
            self.finding(
                "T207",
                orelse.span,
                then=str(then.type),
                orelse=str(orelse.type),
                label=msg("label.this_is", kind=_a(orelse.type)),
            )
            t = ERROR
        return replace(node, cond=cond, then=then, orelse=orelse, type=t)

    def _Binary(self, node: ast.Binary) -> ast.Node:
        assert node.left and node.right
        left, right = self.visit(node.left), self.visit(node.right)
        node = replace(node, left=left, right=right)
        if node.op in ast.LOGIC_OPS:
            a, b = self._need(left, BOOL, f"`{node.op}`"), self._need(right, BOOL, f"`{node.op}`")
            return replace(node, type=ERROR if ERROR in (a, b) else BOOL)
        if ERROR in (left.type, right.type):
            return replace(node, type=ERROR)
        if node.op in ast.ARITH_OPS:
            return replace(node, type=self._arith(node, left, right))
        if node.op in ("==", "!="):
            return replace(node, type=self._equality(node, left, right))
        if node.op in ("<", "<=", ">", ">="):
            return replace(node, type=self._order(node, left, right))
        return replace(node, type=self._member(node, left, right))

    def _arith(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if left.type == NUMBER and right.type == NUMBER:
            return NUMBER
        hint: Msg | str = ""
        if left.type == DATE and right.type == NUMBER and node.op in "+-":
            hint = msg("hint.date_plus")
        elif left.type == DATE and right.type == DATE and node.op == "-":
            hint = msg("hint.date_minus")
        bad = left if left.type != NUMBER else right
        self.finding(
            "T203/arith",
            bad.span,
            op=node.op,
            left=str(left.type),
            right=str(right.type),
            label=msg("label.this_is", kind=_a(bad.type)),
            help=hint,
        )
        return ERROR

    def _equality(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if not compatible(left.type, right.type):
            self.finding(
                "T203/compare",
                node.op_span or node.span,
                left=str(left.type),
                right=str(right.type),
                label=msg("label.left_right", left=_a(left.type), right=_a(right.type)),
            )
            return ERROR
        ok = self._enum_literal(left, right) and self._enum_literal(right, left)
        return BOOL if ok else ERROR

    def _enum_literal(self, field_side: ast.Node, literal_side: ast.Node) -> bool:
        """A string literal compared with an enum field must be one of its values."""
        if not isinstance(field_side.type, EnumType):
            return True
        literals = (
            [literal_side]
            if isinstance(literal_side, ast.Literal)
            else list(literal_side.items)
            if isinstance(literal_side, ast.ListLit)
            else []
        )
        ok = True
        allowed = field_side.type.values
        for lit in literals:
            if (
                isinstance(lit, ast.Literal)
                and isinstance(lit.value, str)
                and (lit.value not in allowed)
            ):
                shown = ", ".join(f'"{v}"' for v in allowed[:12])
                hint = suggestion(lit.value, list(allowed)) or msg("hint.allowed", values=shown)
                self.finding(
                    "T204", lit.span, value=lit.value, field=_dotted(field_side), help=hint
                )
                ok = False
        return ok

    def _order(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if left.type == right.type and left.type in (NUMBER, DATE):
            return BOOL
        self.finding(
            "T203/order",
            node.op_span or node.span,
            op=node.op,
            left=str(left.type),
            right=str(right.type),
            label=msg("label.left_right", left=_a(left.type), right=_a(right.type)),
        )
        return ERROR

    def _member(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if not isinstance(right.type, ListType):
            self.finding(
                "T203/member_list",
                right.span,
                op=node.op,
                found=str(right.type),
                label=msg("label.this_is", kind=_a(right.type)),
            )
            return ERROR
        if right.type.item is not None and not compatible(left.type, right.type.item):
            self.finding(
                "T203/member_item",
                node.op_span or node.span,
                left=str(left.type),
                right=str(right.type),
                label=msg("label.left", left=_a(left.type)),
            )
            return ERROR
        ok = self._enum_literal(left, right)
        if isinstance(right.type.item, EnumType) and isinstance(left, ast.Literal):
            ok = self._enum_literal(cast(ast.Node, _ItemOf(right)), left) and ok
        return BOOL if ok else ERROR

    def _Call(self, node: ast.Call) -> ast.Node:
        builtin = BUILTINS.get(node.name)
        span = node.name_span or node.span
        if builtin is None:
            hint = suggestion(node.name, sorted(BUILTINS)) or msg(
                "hint.functions", names=", ".join(sorted(BUILTINS))
            )
            self.finding("T208", span, name=node.name, help=hint)
            args = tuple(self.visit(a) for a in node.args)
            return replace(node, args=args, type=ERROR)
        if node.name == "exists" and len(node.args) == 1 and not isinstance(node.args[0], ast.Path):
            self.finding("T211", node.args[0].span)
            return replace(node, type=ERROR)
        if node.name == "outcome" and len(node.args) == 1:
            return self._outcome(node)
        args = tuple(self.visit(a) for a in node.args)
        n = len(args)
        if n < builtin.min_args or (builtin.max_args >= 0 and n > builtin.max_args):
            want: Msg | str = (
                f"{builtin.min_args}"
                if builtin.min_args == builtin.max_args
                else msg("want.at_least", count=builtin.min_args)
                if builtin.max_args < 0
                else msg("want.range", low=builtin.min_args, high=builtin.max_args)
            )
            word = "argument" if want == "1" else "arguments"
            self.finding(
                "T209",
                node.span,
                name=node.name,
                want=want,
                given=n,
                args_word=word,
                label=builtin.doc,
            )
            return replace(node, args=args, type=ERROR)
        result = builtin.typing([a.type for a in args])
        if isinstance(result, tuple):
            index, reason = result
            self.finding("T210", args[index].span, name=node.name, reason=reason, label=builtin.doc)
            return replace(node, args=args, type=ERROR)
        return replace(node, args=args, type=result)

    def _outcome(self, node: ast.Call) -> ast.Node:
        """`outcome("rule-id")`: another rule's outcome, typed by the kind of that rule."""
        arg = node.args[0]
        if not (isinstance(arg, ast.Literal) and isinstance(arg.value, str)):
            self.finding("T213/literal", arg.span)
            return replace(node, type=ERROR)
        kind = self.env.rules.get(arg.value)
        if kind is None:
            hint = suggestion(arg.value, sorted(self.env.rules)) or ""
            self.finding("T213/unknown", arg.span, rule=arg.value, help=hint)
            return replace(node, type=ERROR)
        typed_arg = replace(arg, type=STRING)
        return replace(node, args=(typed_arg,), type=EnumType(KNOWN_OUTCOMES[kind]))


class _ItemOf:
    """Stand-in for "an item of this list" when checking enum literals against a list field."""

    def __init__(self, node: ast.Node) -> None:
        self.type = node.type.item
        self.node = node

    @property
    def span(self) -> Span:
        return self.node.span


def _dotted(node: Any) -> str:
    node = node.node if isinstance(node, _ItemOf) else node
    return node.dotted if isinstance(node, ast.Path) else ast.unparse(node)
