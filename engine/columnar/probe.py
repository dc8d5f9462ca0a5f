"""One expression on one case through the columnar compiler, for the conformance corpus.

In: a checked tree, the facts type tree, normalised facts, parameters and a date. Out: the
value and the sorted unknown paths, as the reference interpreter gives them; Unsupported when
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
    flat = flatten_params(params)
    columns: dict[str, str] = {}
    for i, (pid, value) in enumerate(sorted(flat.items())):
        name = f"param:{i}"
        columns[pid] = name
        if isinstance(value, Decimal):
            units = to_units(value)
            if units is None:
                raise Unsupported("a parameter the columns cannot carry")
            value = units
        if isinstance(value, list | tuple):
            continue  # list parameters are not compiled: the path stays unknown
        frame = frame.with_columns(pl.lit(value).alias(name))
    compiler = Compiler(facts_type, on, set(frame.columns), columns)
    col = compiler.compile(node)
    risk = pl.any_horizontal(compiler.risky) if compiler.risky else pl.lit(False)
    mask = col.mask if col.mask is not None else pl.lit(0, dtype=pl.UInt64)
    checked = frame.select(risk.alias("risk"), pl.col(EXACT)).row(0, named=True)
    if checked["risk"] or not checked[EXACT]:
        raise Unsupported("the row goes to the record path")
    row = frame.select(col.value.alias("value"), mask.alias("mask")).row(0, named=True)
    if row["mask"]:
        paths = compiler.paths_of(row["mask"])
        return Unknown(paths), tuple(sorted(paths))
    return decode(col, row["value"]), ()


def decode(col: Col, value: Any) -> Any:
    if col.kind == "number":
        return Decimal(value).scaleb(-col.scale)
    if col.kind == "list":
        item = Col(pl.lit(None), None, col.item, col.scale)
        return tuple(decode(item, v) for v in value)
    return value
