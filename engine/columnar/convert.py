"""Register columns to typed fact columns, a whole batch at a time, without Python per cell.

In: a batch of the register as a DataFrame (CSV: every column text; Parquet: typed or text
columns) and the facts plan of engine.batch.facts. Out: the columnar layout (engine.columnar.
frame) plus `?case` (the case id) and `?suspect`. A row is suspect when any of its cells is not
in the plain form this module converts with certainty (numbers `-12.5` of at most 4 decimals,
ISO dates, the exact boolean words, enum values, JSON cells of known fields in schema order...)
or breaks a check of the facts schema: a suspect row is converted by the record path's own
code, which either gives the same facts or rejects it with the same reason. So rejects and
facts are those of the record path by construction; this module only has to be sure of what
it does not flag.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from clause.engine.batch.facts import CASE_ID, FALSE_TEXTS, TRUE_TEXTS, FactsPlan, Shape
from clause.engine.columnar.exprs import SCALE
from clause.engine.columnar.frame import EXACT, Leaf, leaves, presence, to_units
from clause.engine.expr.types import Field

SUSPECT = "?suspect"
CASE = "?case"
ROW = "?row"

_NUMBER = r"^[-+]?[0-9]{1,10}(\.[0-9]{0,4})?$"  # |x| < 1e10 and at most SCALE decimals
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_JSON_TEXT = r'"[^"\\\x00-\x1f{}]*"'
_JSON_VALUE = {
    "string": _JSON_TEXT,
    "date": r'"[0-9]{4}-[0-9]{2}-[0-9]{2}"',
    "bool": r"(?:true|false)",
    "number": r"-?(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,4})?",
}
_ODD_SPACE = "[\x1c-\x1f]"  # Python's str.strip() removes these, Rust's trim does not


def convert(
    raw: pl.DataFrame,
    plan: FactsPlan,
    facts: Field,
    rows: pl.Expr,
    text: bool,
    trim: bool = True,
) -> pl.DataFrame:
    """The typed frame of a batch; `rows` gives each row's number in the register (the case
    id by default); `text`: a CSV batch of plain lines (an empty case id is an error, not the
    row number; no cell holds the separators Python trims and Arrow does not); `trim`: False
    when no cell starts or ends with white space (the trimming is then skipped)."""
    by_leaf: dict[str, str] = {}
    shapes: dict[str, Shape] = {}
    for name in raw.columns:
        shape = plan.resolve(name.strip()) if name.strip() != CASE_ID else None
        if shape is not None:
            by_leaf[shape.path] = name
            shapes[shape.path] = shape
    exprs: list[pl.Expr] = []
    suspects: list[pl.Expr] = []
    layout = leaves(facts)
    for leaf in layout:
        source = by_leaf.get(leaf.name)
        if source is None:
            exprs.append(pl.lit(None, dtype=leaf.dtype).alias(leaf.name))
            continue
        value, suspect = _column(
            pl.col(source), raw.schema[source], leaf, shapes[leaf.name], trim, not text
        )
        exprs.append(value.alias(leaf.name))
        suspects.append(suspect.fill_null(True))
    exprs.append(_case_id(raw, rows, text))
    exprs.append(rows.cast(pl.Int64).alias(ROW))
    # lazily, so that common subexpressions (a stripped cell used by several checks) run once
    frame = raw.lazy().select(
        [*exprs, pl.any_horizontal(suspects or [pl.lit(False)]).alias(SUSPECT)]
    )
    entities = {e: f for e, f in facts.children.items() if f.type is None and not f.is_array}
    filled = [
        pl.any_horizontal([pl.col(x.name).is_not_null() for x in layout if x.keys[0] == e]
                          or [pl.lit(False)]).alias(presence(e))
        for e in entities
    ]  # fmt: skip
    frame = frame.with_columns(filled)
    anything = pl.any_horizontal([pl.col(presence(e)) for e in entities] or [pl.lit(False)])
    broken = ~anything | _required(plan.root, layout) | pl.col(CASE).is_null()
    return frame.with_columns(
        (pl.col(SUSPECT) | broken).alias(SUSPECT),
        pl.lit(True).alias(EXACT),
    ).collect()


def _case_id(raw: pl.DataFrame, rows: pl.Expr, text: bool) -> pl.Expr:
    """The case id as engine.batch.facts.case_id_of gives it; null (suspect) where unsure."""
    number = rows.cast(pl.String)
    names = [n for n in raw.columns if n.strip() == CASE_ID]
    if not names:
        return number.alias(CASE)
    cell = pl.col(names[0])
    dtype = raw.schema[names[0]]
    if dtype.is_integer() and not text:
        return pl.when(cell.is_null()).then(number).otherwise(cell.cast(pl.String)).alias(CASE)
    if dtype != pl.String:
        return pl.lit(None, dtype=pl.String).alias(CASE)  # other types: the record path decides
    stripped = cell.str.strip_chars()
    odd = cell.str.contains(_ODD_SPACE)
    value: pl.Expr = pl.when((stripped != "") & ~odd).then(stripped)
    if not text:
        value = pl.when(cell.is_null()).then(number).otherwise(value)
    return value.alias(CASE)


def _column(
    cell: pl.Expr, dtype: pl.DataType, leaf: Leaf, shape: Shape, trim: bool, odd: bool
) -> tuple[pl.Expr, pl.Expr]:
    """The typed value of one register column and whether each row is suspect because of it;
    `trim`: cells may need trimming; `odd`: cells may hold what Python trims and Rust not."""
    if dtype == pl.String:
        text = cell.str.strip_chars() if trim else cell
        present = text.is_not_null() & (text != "")
        value, ok = _from_text(text, leaf, shape)
        if odd:
            ok = ok & ~cell.str.contains(_ODD_SPACE)
        return pl.when(present).then(value), present & ~ok
    return _from_typed(cell, dtype, leaf, shape)


def _from_text(text: pl.Expr, leaf: Leaf, shape: Shape) -> tuple[pl.Expr, pl.Expr]:
    kind = leaf.kind
    if kind == "bool":
        lower = text.str.to_lowercase()
        truth = lower.is_in(pl.Series(TRUE_TEXTS).implode())
        falsity = lower.is_in(pl.Series(FALSE_TEXTS).implode())
        return truth, truth | falsity
    if kind == "number":
        ok = text.str.contains(_NUMBER)
        value = _units(text)
        return value, ok & _number_ok(value, shape)
    if kind == "date":
        value = text.str.to_date("%Y-%m-%d", strict=False)
        return value, text.str.contains(_DATE) & value.is_not_null() & (value.dt.year() >= 1)
    if kind == "string":
        values = getattr(shape.field.type, "values", None)
        if values is not None:
            return text, text.is_in(pl.Series(list(values), dtype=pl.String).implode())
        return text, pl.lit(True)
    if kind == "records":
        return _records(text, leaf, shape)
    return pl.lit(None, dtype=leaf.dtype), pl.lit(False)  # lists of values: record path


def _units(text: pl.Expr) -> pl.Expr:
    """`-12.5` -> -125000 (units of 10**-SCALE); rows not matching _NUMBER may give anything,
    but are suspect."""
    return text.str.to_decimal(scale=SCALE).to_physical().cast(pl.Int64, strict=False)


def _number_ok(value: pl.Expr, shape: Shape) -> pl.Expr:
    ok = value.is_not_null()
    if shape.integer:
        ok = ok & (value % 10**SCALE == 0)
    for bound, below in ((shape.minimum, True), (shape.maximum, False)):
        if bound is None:
            continue
        units = to_units(bound)
        if units is None:
            return pl.lit(False)  # a bound the columns cannot hold: let the record path check
        ok = ok & (value >= units if below else value <= units)
    return ok


def _records(text: pl.Expr, leaf: Leaf, shape: Shape) -> tuple[pl.Expr, pl.Expr]:
    """A JSON cell of records whose keys come in schema order with plain values."""
    fields = leaf.fields
    if not fields or len(fields) > 8:
        return pl.lit(None, dtype=leaf.dtype), pl.lit(False)
    pair = "|".join(f'"{name}": {_JSON_VALUE[kind]}' for name, kind in fields)
    item = f"\\{{(?:(?:{pair})(?:, (?:{pair}))*)?\\}}"
    ok = text.str.contains(f"^\\[(?:{item}(?:, {item})*)?\\]$")
    for name, _ in fields:  # a key twice in one record: the record path decides
        ok = ok & ~text.str.contains(f'\\{{[^}}]*"{name}": [^}}]*"{name}": ')
    raw_type = pl.List(pl.Struct({n: pl.String() if k == "date" else _scalar(k)
                                  for n, k in fields}))  # fmt: skip
    decoded = pl.when(ok).then(text).str.json_decode(raw_type)
    fixed = []
    for name, kind in fields:
        value = pl.element().struct.field(name)
        if kind == "date":
            value = value.str.to_date("%Y-%m-%d", strict=False)
        elif kind == "number":
            value = (value * 10**SCALE).round(0).cast(pl.Int64)
        fixed.append(value.alias(name))
    value = decoded.list.eval(pl.struct(fixed)).cast(leaf.dtype)
    raw_dates = [n for n, k in fields if k == "date"]
    bad_dates = decoded.list.eval(
        pl.any_horizontal(
            [pl.element().struct.field(n).is_not_null()
             & pl.element().struct.field(n).str.to_date("%Y-%m-%d", strict=False).is_null()
             for n in raw_dates] or [pl.lit(False)]
        )
    ).list.any()  # fmt: skip
    bad = value.list.eval(_record_problems(fields, shape)).list.any()
    return value, ok & ~(bad | bad_dates).fill_null(True)


def _record_problems(fields: Sequence[tuple[str, str]], shape: Shape) -> pl.Expr:
    """Items breaking the schema's checks: enum values, numbers' bounds, required fields."""
    problems: list[pl.Expr] = []
    for name, kind in fields:
        value = pl.element().struct.field(name)
        child = shape.children.get(name)
        if child is None:
            continue
        if kind == "number":
            problems.append(value.is_not_null() & ~_number_ok(value, child))
        if kind == "date":
            problems.append(value.is_not_null() & (value.dt.year() < 1))
        values = getattr(child.field.type, "values", None)
        if values is not None:
            problems.append(value.is_not_null() & ~value.is_in(pl.Series(list(values)).implode()))
    for name in shape.required:
        problems.append(pl.element().struct.field(name).is_null())
    return pl.any_horizontal(problems or [pl.lit(False)])


def _scalar(kind: str) -> pl.DataType:
    return {"bool": pl.Boolean(), "number": pl.Float64(), "string": pl.String(),
            "date": pl.Date()}[kind]  # fmt: skip


def _from_typed(
    cell: pl.Expr, dtype: pl.DataType, leaf: Leaf, shape: Shape
) -> tuple[pl.Expr, pl.Expr]:
    """A typed Parquet column: used when its type is the fact's, else the record path."""
    present = cell.is_not_null()
    kind = leaf.kind
    if kind == "bool" and dtype == pl.Boolean:
        return cell, pl.lit(False)
    if kind == "date" and dtype == pl.Date:
        return cell, present & (cell.dt.year() < 1)
    if kind == "number" and dtype.is_integer():
        value = cell.cast(pl.Int64, strict=False) * 10**SCALE
        fits = cell.cast(pl.Int64, strict=False).abs() < 10**10
        return value, present & ~(fits & _number_ok(value, shape)).fill_null(False)
    if kind == "number" and dtype.is_float():
        units = (cell * 10**SCALE).round(0)
        value = units.cast(pl.Int64, strict=False)
        exact = (units / 10**SCALE == cell) & (cell.abs() < 1e10)
        return value, present & ~(exact & _number_ok(value, shape)).fill_null(False)
    if kind == "string" and dtype == pl.String:
        values = getattr(shape.field.type, "values", None)
        if values is None:
            return cell, pl.lit(False)
        return cell, present & ~cell.is_in(pl.Series(list(values), dtype=pl.String).implode())
    if kind == "records" and dtype == leaf.dtype:
        bad = cell.list.eval(_record_problems(leaf.fields, shape)).list.any()
        return cell, present & bad.fill_null(True)
    return pl.lit(None, dtype=leaf.dtype), present


def _required(root: Shape, layout: list[Leaf]) -> pl.Expr:
    """Rows breaking a `required` of the schema (outside arrays): an object present without
    one of its required fields."""
    problems: list[pl.Expr] = []

    def walk(shape: Shape, keys: tuple[str, ...]) -> None:
        for name, child in shape.children.items():
            if child.is_leaf or child.field.is_array:
                continue
            walk(child, (*keys, name))
        if not shape.required:
            return
        under = [pl.col(x.name).is_not_null() for x in layout if x.keys[: len(keys)] == keys]
        if not under:
            return
        here = pl.any_horizontal(under) if keys else pl.lit(True)
        for name in shape.required:
            inside = [pl.col(x.name).is_not_null() for x in layout
                      if x.keys[: len(keys) + 1] == (*keys, name)]  # fmt: skip
            has = pl.any_horizontal(inside) if inside else pl.lit(False)
            problems.append(here & ~has)

    walk(root, ())
    return pl.any_horizontal(problems) if problems else pl.lit(False)
