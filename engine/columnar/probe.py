"""One expression on one case through the columnar compiler, for the conformance corpus.

In: a checked tree, the facts type tree, normalised facts, parameters and a date. Out: the
value and the sorted unknown paths, as the reference interpreter gives them (the outcomes of
other rules, read with `outcome("id")`, are columns of their own beside the parameters, as the
decision core hands them over); Unsupported when
the columnar path would hand the case to the record path (a construct it does not compile, a
number it cannot carry, a row at risk of a run-time error).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from clause.engine.columnar.exprs import Col, Compiler, Unsupported
from clause.engine.columnar.frame import EXACT, frame_of, to_units
from clause.engine.expr import ast
from clause.engine.expr.runtime import OUTCOME_PREFIX
from clause.engine.expr.types import Field, flatten_params
from clause.engine.expr.values import Unknown


def evaluate(
    node: ast.Node,
    facts_type: Field,
    facts: Mapping[str, Any],
    params: Mapping[str, Any],
    on: date | None,
) -> tuple[Any, tuple[str, ...]]:
    frame = frame_of(facts_type, [facts])
    flat = flatten_params({k: v for k, v in params.items() if not k.startswith(OUTCOME_PREFIX)})
    columns: dict[str, str] = {}
    outcomes: dict[str, tuple[pl.Expr, pl.Expr | None]] = {}
    for k, rule_id in enumerate(sorted(_outcomes_read(node))):
        name = f"outcome:{k}"
        value = params.get(OUTCOME_PREFIX + rule_id)  # absent: not decided, so unknown
        frame = frame.with_columns(pl.lit(value, dtype=pl.String).alias(name))
        outcomes[rule_id] = (pl.col(name), None)
    for i, (pid, value) in enumerate(sorted(flat.items())):
        name = f"param:{i}"
        columns[pid] = name
        if isinstance(value, Decimal):
            units = to_units(value)
            if units is None:
                raise Unsupported("param_value")
            value = units
        if isinstance(value, list | tuple):
            continue  # list parameters are not compiled: the path stays unknown
        frame = frame.with_columns(pl.lit(value).alias(name))
    compiler = Compiler(facts_type, on, set(frame.columns), columns)
    compiler.outcomes = outcomes
    col = compiler.compile(node)
    risk = pl.any_horizontal(compiler.risky) if compiler.risky else pl.lit(False)
    mask = col.mask if col.mask is not None else pl.lit(0, dtype=pl.UInt64)
    checked = frame.select(risk.alias("risk"), pl.col(EXACT)).row(0, named=True)
    if checked["risk"] or not checked[EXACT]:
        raise Unsupported("row")
    row = frame.select(col.value.alias("value"), mask.alias("mask")).row(0, named=True)
    if row["mask"]:
        paths = compiler.paths_of(row["mask"])
        return Unknown(paths), tuple(sorted(paths))
    return decode(col, row["value"]), ()


def _outcomes_read(node: ast.Node) -> set[str]:
    """The rule ids the expression reads with `outcome("id")`."""
    return {
        str(n.args[0].value)
        for n in ast.walk(node)
        if isinstance(n, ast.Call)
        and n.name == "outcome"
        and n.args
        and isinstance(n.args[0], ast.Literal)
    }


def decode(col: Col, value: Any) -> Any:
    if col.kind == "number":
        return Decimal(value).scaleb(-col.scale)
    if col.kind == "list":
        item = Col(pl.lit(None), None, col.item, col.scale)
        return tuple(decode(item, v) for v in value)
    return value
