"""The clause expression language: parse, type-check, then evaluate by interpreter or compiled code.

Typical use:
    >>> from engine.expr import parse_expr, check_expr, TypeEnv, compile_expr
    >>> node = parse_expr("1 + 2 * 3")
    >>> checked = check_expr(node, TypeEnv.empty())
    >>> compile_expr(checked)({}, {}, None)
    Decimal('7')
"""

from clause.engine.expr.ast import Node
from clause.engine.expr.check import check_expr
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import Evaluation, interpret
from clause.engine.expr.syntax import parse_expr
from clause.engine.expr.types import TypeEnv
from clause.engine.expr.values import Unknown

__all__ = [
    "Evaluation",
    "Node",
    "TypeEnv",
    "Unknown",
    "check_expr",
    "compile_expr",
    "interpret",
    "parse_expr",
]
