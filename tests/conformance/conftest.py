"""The two evaluation backends, as one parametrized fixture: every conformance case runs on both.

A backend is a function (typed tree, facts, params, decision date) -> (value, unknown paths).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pytest

from clause.engine.columnar import probe
from clause.engine.columnar.exprs import Unsupported
from clause.engine.expr import ast
from clause.engine.expr.compile import compile_expr
from clause.engine.expr.interpret import interpret
from clause.engine.expr.types import Field
from clause.engine.expr.values import Unknown

Backend = Callable[[ast.Node, Mapping[str, Any], Mapping[str, Any], "date | None", Field], Any]


def _interpreted(
    typed: ast.Node,
    facts: Mapping[str, Any],
    params: Mapping[str, Any],
    today: date | None,
    facts_type: Field,
) -> tuple[Any, tuple[str, ...]]:
    result = interpret(typed, facts, params, today)
    return result.value, result.unknown


def _compiled(
    typed: ast.Node,
    facts: Mapping[str, Any],
    params: Mapping[str, Any],
    today: date | None,
    facts_type: Field,
) -> tuple[Any, tuple[str, ...]]:
    value = compile_expr(typed)(facts, params, today)
    unknown = tuple(sorted(value.paths)) if type(value) is Unknown else ()
    return value, unknown


#: Cases the columnar backend handed to the record path, by reason (reported at the end).
COLUMNAR_FALLBACKS: dict[str, int] = {}


def _columnar(
    typed: ast.Node,
    facts: Mapping[str, Any],
    params: Mapping[str, Any],
    today: date | None,
    facts_type: Field,
) -> tuple[Any, tuple[str, ...]]:
    """The columnar compiler on a one-row frame; what it hands back goes to the record path,
    exactly as `clause eval --backend columnar` does, and is counted."""
    try:
        return probe.evaluate(typed, facts_type, facts, params, today)
    except Unsupported as why:
        COLUMNAR_FALLBACKS[str(why)] = COLUMNAR_FALLBACKS.get(str(why), 0) + 1
        return _compiled(typed, facts, params, today, facts_type)


_columnar.shows_digits = False  # type: ignore[attr-defined]

BACKENDS = {"interpret": _interpreted, "compiled": _compiled, "columnar": _columnar}


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn: the reference interpreter, the compiled fast path and the
    columnar compiler (with its fallback to the record path)."""
    return BACKENDS[request.param]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many corpus cases the columnar compiler handed to the record path, and why."""
    if COLUMNAR_FALLBACKS:
        total = sum(COLUMNAR_FALLBACKS.values())
        terminalreporter.write_line(f"columnar: {total} conformance cases on the record path:")
        for why, n in sorted(COLUMNAR_FALLBACKS.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"  {n:4d}  {why}")
