"""The two evaluation backends, as one parametrized fixture: every conformance case runs on both.

A backend is a function (typed tree, facts, params, decision date) -> (value, unknown paths).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest

from clause.engine.expr import ast
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import interpret
from clause.engine.expr.values import Unknown

Backend = Callable[[ast.Node, Mapping[str, Any], Mapping[str, Any], "date | None"], Any]


def _interpreted(
    typed: ast.Node, facts: Mapping[str, Any], params: Mapping[str, Any], today: date | None
) -> tuple[Any, tuple[str, ...]]:
    result = interpret(typed, facts, params, today)
    return result.value, result.unknown


def _compiled(
    typed: ast.Node, facts: Mapping[str, Any], params: Mapping[str, Any], today: date | None
) -> tuple[Any, tuple[str, ...]]:
    value = compile_expr(typed)(facts, params, today)
    unknown = tuple(sorted(value.paths)) if type(value) is Unknown else ()
    return value, unknown


BACKENDS = {"interpret": _interpreted, "compiled": _compiled}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn: the reference interpreter and the compiled fast path."""
    return BACKENDS[request.param]
