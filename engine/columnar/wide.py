"""The wide result layout: one row per case, a group of columns per rule, from the long frame.

In: the long frame of engine.columnar.encode (either path's rows), the output kind and the
rules shown (library order, after --rule). Out: what a sink writes. For every rule `R`, the
columns are `R.version`, `R.outcome`, `R.amount`, `R.amount_kind`, `R.funding` and `R.missing`,
with the same texts as the long layout (amounts in yuan with cents, funding and missing as JSON
text); a rule not decided for a case leaves its cells empty. JSON Lines writes one object per
case: `{"case_id": …, "rules": {R: {version, outcome, amount, amount_kind, funding, missing}}}`
with the rules decided for it. `--only` keeps the cases with at least one such outcome.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from clause.engine.columnar.encode import (
    Encoded,
    _controls,
    _csv_cell,
    _funding_text,
    _json_text,
)

FIELDS = ("version", "outcome", "amount", "amount_kind", "funding", "missing")


def header(rules: Sequence[str]) -> list[str]:
    return ["case_id", *(f"{rule}.{field}" for rule in rules for field in FIELDS)]


def parquet_schema(rules: Sequence[str]) -> Any:
    import pyarrow as pa

    fields = [("case_id", pa.string())]
    for rule in rules:
        for field in FIELDS:
            fields.append((f"{rule}.{field}", pa.int32() if field == "version" else pa.string()))
    return pa.schema(fields)


def encode_wide(
    long: pl.DataFrame, kind: str, rules: Sequence[str], only: frozenset[str] | None
) -> Encoded:
    if only is not None:
        keep = long.filter(pl.col("outcome").is_in(sorted(only))).get_column("row").unique()
        long = long.filter(pl.col("row").is_in(keep.implode()))
    if kind == "jsonl":
        return _jsonl(long)
    texts = _texts(long, kind)
    cases = long.select("row", "case_id").unique("row", maintain_order=True)
    for rule in rules:
        part = texts.filter(pl.col("rule") == rule).select(
            "row", *(pl.col(f).alias(f"{rule}.{f}") for f in FIELDS)
        )
        cases = cases.join(part, on="row", how="left", maintain_order="left")
    names = header(rules)
    if kind == "parquet":
        import pyarrow as pa

        schema = parquet_schema(rules)
        table = cases.select(names).to_arrow()
        columns = [table.column(i).cast(f.type) for i, f in enumerate(schema)]
        return pa.Table.from_arrays(columns, schema=schema)
    if not cases.height:
        return b""
    cells = [_csv_cell(pl.col(n).cast(pl.String).fill_null("")) for n in names]
    line = pl.concat_str(cells, separator=",") + "\n"
    return str(cases.lazy().select(line.str.join("")).collect().item()).encode("utf-8")


def _texts(long: pl.DataFrame, kind: str) -> pl.DataFrame:
    funding, count = _funding_text(long, _controls(long))
    empty = pl.lit(None, dtype=pl.String) if kind == "parquet" else pl.lit("")
    return long.select(
        "row",
        "rule",
        pl.col("version"),
        pl.col("outcome"),
        pl.col("amount"),
        pl.col("amount_kind"),
        pl.when(count > 0).then(funding).otherwise(empty).alias("funding"),
        pl.when(pl.col("missing") != "[]")
        .then(pl.col("missing"))
        .otherwise(empty)
        .alias("missing"),
    )


def _jsonl(long: pl.DataFrame) -> bytes:
    if not long.height:
        return b""
    controls = _controls(long)
    funding, _ = _funding_text(long, controls)
    null = pl.lit("null")
    item = pl.concat_str(
        [
            _json_text(pl.col("rule"), controls), pl.lit(': {"version": '),
            pl.col("version").cast(pl.String).fill_null(null),
            pl.lit(', "outcome": "'), pl.col("outcome"),
            pl.lit('", "amount": '), ('"' + pl.col("amount") + '"').fill_null(null),
            pl.lit(', "amount_kind": '), ('"' + pl.col("amount_kind") + '"').fill_null(null),
            pl.lit(', "funding": '), funding,
            pl.lit(', "missing": '), pl.col("missing"), pl.lit("}"),
        ]
    )  # fmt: skip
    per_case = (
        long.lazy()
        .with_columns(item.alias("?item"), _json_text(pl.col("case_id"), controls).alias("?id"))
        .group_by("row", maintain_order=True)
        .agg(pl.col("?id").first(), pl.col("?item").str.join(", "))
        .select('{"case_id": ' + pl.col("?id") + ', "rules": {' + pl.col("?item") + "}}\n")
        .select(pl.first().str.join(""))
        .collect()
        .item()
    )
    return str(per_case).encode("utf-8")


def csv_header(rules: Sequence[str]) -> bytes:
    """The CSV header line, quoted as Python's csv module would quote it."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header(rules))
    return out.getvalue().encode("utf-8")


_ = json
