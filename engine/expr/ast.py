"""Expression syntax tree: one frozen dataclass per construct, every node with its span.

The type checker returns a copy of the tree with `type` filled in and paths made canonical;
both evaluators work only on such checked trees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from clause.engine.source import Span

#: Binary operators, by the spelling used in the language.
ARITH_OPS = ("+", "-", "*", "/")
COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
MEMBER_OPS = ("in", "not in")
LOGIC_OPS = ("and", "or")


@dataclass(frozen=True, slots=True)
class Node:
    span: Span
    type: Any = None  # an engine.expr.types.Type once checked

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: bool | Decimal | str | date = False


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...] = ()

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Path(Node):
    """A dotted name as written; `root` and `keys` are set by the checker.

    root is "fact" (keys index the facts), "param" (keys index the parameters, without the
    leading `param`) or "decision_date".
    """

    segments: tuple[str, ...] = ()
    root: str = ""
    keys: tuple[str, ...] = ()

    @property
    def dotted(self) -> str:
        """The canonical path, as reported in `unknown` lists (English names)."""
        if self.root == "param":
            return ".".join(("param", *self.keys))
        if self.root == "fact":
            return ".".join(self.keys)
        if self.root == "decision_date":  # whichever spelling was written (决定日期)
            return "decision_date"
        return ".".join(self.segments)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str = ""  # "not" or "-"
    operand: Node | None = None

    def children(self) -> tuple[Node, ...]:
        return (self.operand,) if self.operand is not None else ()


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str = ""
    left: Node | None = None
    right: Node | None = None
    op_span: Span | None = None

    def children(self) -> tuple[Node, ...]:
        return tuple(n for n in (self.left, self.right) if n is not None)


@dataclass(frozen=True, slots=True)
class If(Node):
    cond: Node | None = None
    then: Node | None = None
    orelse: Node | None = None

    def children(self) -> tuple[Node, ...]:
        return tuple(n for n in (self.cond, self.then, self.orelse) if n is not None)


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str = ""
    args: tuple[Node, ...] = ()
    name_span: Span | None = None

    def children(self) -> tuple[Node, ...]:
        return self.args


def walk(node: Node) -> list[Node]:
    """All nodes in evaluation order (children before parents), without recursion."""
    out: list[Node] = []
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            out.append(current)
            continue
        stack.append((current, True))
        stack.extend((child, False) for child in reversed(current.children()))
    return out


def unparse(node: Node) -> str:
    """Source text for a tree, fully parenthesised; parsing it gives the same tree back."""
    if isinstance(node, Literal):
        return _literal_text(node.value)
    if isinstance(node, ListLit):
        return "[" + ", ".join(unparse(i) for i in node.items) + "]"
    if isinstance(node, Path):
        return ".".join(node.segments)
    if isinstance(node, Unary):
        assert node.operand is not None
        sep = " " if node.op == "not" else ""
        return f"({node.op}{sep}{unparse(node.operand)})"
    if isinstance(node, Binary):
        assert node.left is not None and node.right is not None
        return f"({unparse(node.left)} {node.op} {unparse(node.right)})"
    if isinstance(node, If):
        assert node.cond is not None and node.then is not None and node.orelse is not None
        return f"(if {unparse(node.cond)} then {unparse(node.then)} else {unparse(node.orelse)})"
    if isinstance(node, Call):
        return f"{node.name}(" + ", ".join(unparse(a) for a in node.args) + ")"
    raise TypeError(f"not an expression node: {node!r}")


def _literal_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if not text.startswith("-") else f"(-{text[1:]})"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    raise TypeError(f"not a literal: {value!r}")
