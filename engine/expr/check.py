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

from clause.engine.diagnostics import Diagnostic, DiagnosticError, did_you_mean
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
        checker.report(
            "T212",
            f"expected {expect} here, found {typed.type}",
            typed.span,
            label=f"this is {_a(typed.type)}",
            help="a condition must be true or false, e.g. `person.age >= 16`"
            if expect == BOOL
            else "",
        )
    if checker.errors:
        raise DiagnosticError(checker.errors)
    return typed


def _a(t: Any) -> str:
    return {"bool": "true/false", "number": "a number", "string": "text", "date": "a date"}.get(
        str(t), f"a {t}" if isinstance(t, ListType) else f"text ({t})"
    )


_LITERAL_WORDS = {"true": "true", "false": "false", "yes": "true", "no": "false"}


class _Checker:
    def __init__(self, env: TypeEnv, origin: Origin | None) -> None:
        self.env = env
        self.origin = origin
        self.errors: list[Diagnostic] = []

    def report(self, code: str, message: str, span: Span, label: str = "", help: str = "") -> None:
        source = self.origin.line_text(span.line) if self.origin else None
        self.errors.append(Diagnostic(code, message, span, label, help, source_line=source))

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
            self.report(
                "T202",
                f"unknown parameter `{pid}`",
                node.span,
                label="no parameter with this id",
                help=did_you_mean(pid, sorted(self.env.params)),
            )
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
            self.report(
                "T206",
                f"`{'.'.join(node.segments)}` is a group of facts, not a value",
                node.span,
                label="name one of its fields",
                help=f"its fields are {fields}" if fields else "",
            )
            return replace(node, type=ERROR)
        t = current.type
        if through_array:
            t = t if isinstance(t, ListType) else ListType(t)
        return replace(node, type=t, root="fact", keys=tuple(keys))

    def _unknown_field(self, node: ast.Path, i: int, parent: Field, keys: list[str]) -> ast.Node:
        written = ".".join(node.segments[: i + 1])
        if parent.type is not None:
            message = f"`{'.'.join(node.segments[:i])}` is {_a(parent.type)} and has no fields"
            self.report("T201", message, node.span, label="remove the part after the dot")
            return replace(node, type=ERROR)
        where = f" in `{'.'.join(keys)}`" if keys else ""
        options = parent.spellings()
        if i == 0:
            options += ["decision_date", "param"]
        hint = did_you_mean(node.segments[i], options)
        if i == 0 and len(node.segments) == 1 and node.segments[0].lower() in _LITERAL_WORDS:
            hint = f"write `{_LITERAL_WORDS[node.segments[0].lower()]}` in lower case"
        if not hint and i == 0:  # maybe the entity was left out: `age` for `person.age`
            nested = {n: f"{k}.{n}" for k, f in parent.children.items() for n in f.spellings()}
            close = difflib.get_close_matches(node.segments[0], sorted(nested), n=1, cutoff=0.6)
            hint = f"did you mean `{nested[close[0]]}`?" if close else ""
        self.report(
            "T201",
            f"unknown field `{node.segments[i]}`{where}",
            node.span,
            label=f"`{written}` is not in the facts schema",
            help=hint,
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
                self.report(
                    "T205",
                    f"list items must have one type: {item_t} and {item.type}",
                    item.span,
                    label=f"this is {_a(item.type)}",
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

    def _need(self, operand: ast.Node, want: Any, what: str, help: str = "") -> Any:
        if operand.type == ERROR:
            return ERROR
        if operand.type != want:
            self.report(
                "T203",
                f"{what} needs {_a(want)}, found {operand.type}",
                operand.span,
                label=f"this is {_a(operand.type)}",
                help=help,
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
            self.report(
                "T207",
                f"both branches of `if` must have one type: {then.type} and {orelse.type}",
                orelse.span,
                label=f"this is {_a(orelse.type)}",
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
        help = ""
        if left.type == DATE and right.type == NUMBER and node.op in "+-":
            help = "use add_days(d, n), add_months(d, n) or add_years(d, n)"
        elif left.type == DATE and right.type == DATE and node.op == "-":
            help = "use days_between(a, b) or months_between(a, b)"
        bad = left if left.type != NUMBER else right
        self.report(
            "T203",
            f"`{node.op}` needs numbers on both sides, found {left.type} and {right.type}",
            bad.span,
            label=f"this is {_a(bad.type)}",
            help=help,
        )
        return ERROR

    def _equality(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if not compatible(left.type, right.type):
            self.report(
                "T203",
                f"cannot compare {left.type} with {right.type}",
                node.op_span or node.span,
                label=f"left is {_a(left.type)}, right is {_a(right.type)}",
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
                self.report(
                    "T204",
                    f'"{lit.value}" is not an allowed value of `{_dotted(field_side)}`',
                    lit.span,
                    label="not among the allowed values",
                    help=did_you_mean(lit.value, list(allowed)) or f"allowed: {shown}",
                )
                ok = False
        return ok

    def _order(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if left.type == right.type and left.type in (NUMBER, DATE):
            return BOOL
        self.report(
            "T203",
            f"`{node.op}` compares two numbers or two dates, found {left.type} and {right.type}",
            node.op_span or node.span,
            label=f"left is {_a(left.type)}, right is {_a(right.type)}",
        )
        return ERROR

    def _member(self, node: ast.Binary, left: ast.Node, right: ast.Node) -> Any:
        if not isinstance(right.type, ListType):
            self.report(
                "T203",
                f"`{node.op}` needs a list on its right, found {right.type}",
                right.span,
                label=f"this is {_a(right.type)}",
                help='write a list like ["a", "b"]',
            )
            return ERROR
        if right.type.item is not None and not compatible(left.type, right.type.item):
            self.report(
                "T203",
                f"cannot look for {left.type} in {right.type}",
                node.op_span or node.span,
                label=f"left is {_a(left.type)}",
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
            self.report(
                "T208",
                f"unknown function `{node.name}`",
                span,
                label="not a function of the language",
                help=did_you_mean(node.name, sorted(BUILTINS))
                or "functions: " + ", ".join(sorted(BUILTINS)),
            )
            args = tuple(self.visit(a) for a in node.args)
            return replace(node, args=args, type=ERROR)
        if node.name == "exists" and len(node.args) == 1 and not isinstance(node.args[0], ast.Path):
            self.report("T211", "exists() takes a fact path", node.args[0].span, label="not a path")
            return replace(node, type=ERROR)
        if node.name == "outcome" and len(node.args) == 1:
            return self._outcome(node)
        args = tuple(self.visit(a) for a in node.args)
        n = len(args)
        if n < builtin.min_args or (builtin.max_args >= 0 and n > builtin.max_args):
            want = (
                f"{builtin.min_args}"
                if builtin.min_args == builtin.max_args
                else f"at least {builtin.min_args}"
                if builtin.max_args < 0
                else f"{builtin.min_args} to {builtin.max_args}"
            )
            self.report(
                "T209",
                f"{node.name}() takes {want} argument{'s' if want != '1' else ''}, given {n}",
                node.span,
                label=builtin.doc,
            )
            return replace(node, args=args, type=ERROR)
        result = builtin.typing([a.type for a in args])
        if isinstance(result, tuple):
            index, message = result
            self.report("T210", f"{node.name}(): {message}", args[index].span, label=builtin.doc)
            return replace(node, args=args, type=ERROR)
        return replace(node, args=args, type=result)

    def _outcome(self, node: ast.Call) -> ast.Node:
        """`outcome("rule-id")`: another rule's outcome, typed by the kind of that rule."""
        arg = node.args[0]
        if not (isinstance(arg, ast.Literal) and isinstance(arg.value, str)):
            self.report(
                "T213",
                "outcome() takes the id of a rule, in quotes",
                arg.span,
                label="not a rule id",
                help='e.g. outcome("c2-application-window") == "eligible"',
            )
            return replace(node, type=ERROR)
        kind = self.env.rules.get(arg.value)
        if kind is None:
            self.report(
                "T213",
                f"no rule `{arg.value}` to read the outcome of",
                arg.span,
                label="not a rule of this library",
                help=did_you_mean(arg.value, sorted(self.env.rules)),
            )
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
