"""Decided rows as one long frame, budgets, totals, and the bytes or Arrow table written.

In: a decided frame from the Plan (one row per case, columns per rule) or ResultRows from the
record path. Out: the long frame (one row per case and rule, in case then rule order), spent
along funding chains in input order (engine.batch.run.spend_budget itself, row by row, only
for eligible rows with a chain: a payable amount spends, one not known is settled by what is
left), tallied by groups of equal rows into engine.batch.totals.Tally, and
encoded exactly as engine.batch.write.Encoder encodes ResultRows: the same CSV quoting, the
same JSON text (json.dumps' separators, ensure_ascii off), the same Parquet schema.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from clause.engine.batch.totals import Tally
from clause.engine.batch.write import ResultRow
from clause.engine.columnar.frame import presence
from clause.engine.columnar.missing import missing_key, missing_of
from clause.engine.columnar.plan import Plan
from clause.engine.decide import Budget
from clause.engine.library import Library

Encoded = Any  # bytes for CSV and JSON Lines, a pyarrow Table for Parquet, None: no output


def schema(sources: int) -> dict[str, pl.DataType]:
    """The long frame: one row per case and rule; funding in `sources` slots (fund `fK`,
    share `sK`, quota `qK`, "NaN" when unknown); `chained` marks an eligible amount with a
    chain (what a budget spends, or settles when the amount is not known: then `lo` and `hi`
    are its least and most, `hi` null for no bound); `missing` is its JSON text. Money is
    decimal text as engine.batch.write writes it: the record path's amounts have no bound."""
    out: dict[str, pl.DataType] = {
        "row": pl.Int64(),
        "position": pl.Int32(),
        "case_id": pl.String(),
        "rule": pl.String(),
        "version": pl.Int32(),
        "outcome": pl.String(),
        "amount": pl.String(),
        "amount_kind": pl.String(),
        "chained": pl.Boolean(),
        "lo": pl.String(),
        "hi": pl.String(),
        "missing": pl.String(),
    }
    for k in range(sources):
        out[f"f{k}"], out[f"s{k}"], out[f"q{k}"] = pl.String(), pl.String(), pl.String()
    return out


def sources_of(library: Library) -> int:
    return max((len(v.funding) for r in library.rules_by_id for v in r.versions), default=0)


# -- the long frame --------------------------------------------------------------------------


def long_rows(rows: Sequence[ResultRow], numbers: Sequence[int], library: Library) -> pl.DataFrame:
    """ResultRows of the record path as a long frame; `numbers`: each one's register row."""
    position = {r.id: i for i, r in enumerate(library.rules_by_id)}
    sources = sources_of(library)
    columns = schema(sources)
    data: dict[str, list[Any]] = {name: [] for name in columns}
    for r, row in zip(rows, numbers, strict=True):
        data["row"].append(row)
        data["position"].append(position[r.rule])
        data["case_id"].append(r.case_id)
        data["rule"].append(r.rule)
        data["version"].append(r.version)
        data["outcome"].append(r.outcome)
        data["amount"].append(_text(r.amount))
        data["amount_kind"].append(r.amount_kind)
        data["chained"].append(bool(r.chain))
        data["lo"].append(_text(r.bounds[0]) if r.bounds else None)
        data["hi"].append(_text(r.bounds[1]) if r.bounds else None)
        data["missing"].append(json.dumps(list(r.missing), ensure_ascii=False))
        quotas = dict(enumerate(q for _, q in r.chain))
        for k in range(sources):
            fund, share = r.funding[k] if k < len(r.funding) else (None, None)
            data[f"f{k}"].append(fund)
            data[f"s{k}"].append(_text(share))
            data[f"q{k}"].append(_text(quotas.get(k)))
    return pl.DataFrame(data, schema=columns)


def _text(value: Decimal | None) -> str | None:
    """Money as engine.batch.write writes it; a quota as decimal text ("NaN": unknown)."""
    return None if value is None else format(value, "f")


def _money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def plan_rows(plan: Plan, decided: pl.DataFrame, case: str, row: str) -> pl.DataFrame:
    """The long frame of rows the plan decided (every rule compiled)."""
    sources = sources_of(plan.library)
    columns = schema(sources)
    parts = []
    for c in plan.rules:
        numbers = {i: v.number for i, v in enumerate(c.rule.versions)}
        version = pl.col(c.name("ver")).replace_strict(numbers, default=None)
        slots = []
        for k in range(sources):
            if k < c.sources:
                fund = pl.col(c.name(f"f{k}"))
                share = _money_text(pl.col(c.name(f"s{k}")))
                slots += [fund, share, _quota_text(c.name, k)]
            else:
                slots += [pl.lit(None, pl.String)] * 3
        names = [n for k in range(sources) for n in (f"f{k}", f"s{k}", f"q{k}")]
        # as result_row: an eligible amount (its kind set) with a chain; bounds if not known
        chained = pl.col(c.name("akind")).is_not_null() & (
            pl.col(c.name("f0")).is_not_null() if c.sources else pl.lit(False)
        )
        bounded = chained & pl.col(c.name("amount")).is_null()
        part = (
            decided.lazy()
            .filter(pl.col(presence(c.rule.subject)))
            .select(
                pl.col(row).cast(pl.Int64).alias("row"),
                pl.lit(c.index, dtype=pl.Int32).alias("position"),
                pl.col(case).alias("case_id"),
                pl.lit(c.rule.id).alias("rule"),
                version.cast(pl.Int32).alias("version"),
                pl.col(c.name("out")).alias("outcome"),
                _money_text(pl.col(c.name("amount"))).alias("amount"),
                pl.col(c.name("akind")).alias("amount_kind"),
                chained.alias("chained"),
                pl.when(bounded).then(_money_text(pl.col(c.name("lo")).fill_null(0))).alias("lo"),
                pl.when(bounded).then(_money_text(pl.col(c.name("hi")))).alias("hi"),
                missing_key(plan, c).alias("mkey"),
                *(e.cast(columns[n]).alias(n) for e, n in zip(slots, names, strict=True)),
            )
        )
        parts.append(part)
    long = pl.concat(parts, how="vertical").collect()
    return _with_missing(plan, long, columns)


def _quota_text(name: Any, k: int) -> pl.Expr:
    quota = pl.col(name(f"q{k}"))
    text = pl.when(quota.is_not_null()).then(pl.format("{}E-4", quota))
    return pl.when(pl.col(name(f"qu{k}"))).then(pl.lit("NaN")).otherwise(text)


def _with_missing(plan: Plan, long: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """Missing lists made once per distinct key (engine.columnar.missing), joined back as
    JSON text."""
    keys = long.get_column("mkey").drop_nulls().unique().to_list()
    memo: dict[str, tuple[str, ...]] = {}
    texts = [json.dumps(list(missing_of(plan, key, memo)), ensure_ascii=False) for key in keys]
    table = pl.DataFrame(
        {"mkey": keys, "missing": texts}, schema={"mkey": pl.String(), "missing": pl.String()}
    )
    joined = long.join(table, on="mkey", how="left", maintain_order="left")
    return joined.with_columns(pl.col("missing").fill_null("[]")).select(list(columns))


# -- budgets and totals ----------------------------------------------------------------------


def spend(long: pl.DataFrame, budget: Budget) -> pl.DataFrame:
    """Shares re-split along each chain in row order, by engine.batch.run.spend_budget itself:
    a payable amount spends `budget`, one not known is settled against what is left of it."""
    from clause.engine.batch.run import spend_budget  # run imports this module's users

    sources = sum(1 for n in long.columns if n.startswith("f") and n[1:].isdigit())
    chained = long.with_row_index("?i").filter(pl.col("chained"))
    if not chained.height:
        return long
    funds = [f"f{k}" for k in range(sources)]
    quotas = [f"q{k}" for k in range(sources)]
    spent: dict[str, list[Any]] = {"?i": [], **{f"?s{k}": [] for k in range(sources)}}
    picked = chained.select("?i", "amount", "lo", "hi", *funds, *quotas)
    for i, amount, lo, hi, *rest in picked.iter_rows():
        chain = tuple(
            (f, None if q is None else Decimal(q))
            for f, q in zip(rest[:sources], rest[sources:], strict=True)
            if f is not None
        )
        bounds = None if amount is not None else (Decimal(lo or 0), _money(hi))
        row = ResultRow("", "", None, "", _money(amount), None, (), (), chain, bounds)
        shares = [s for _, s in spend_budget(row, budget).funding]
        spent["?i"].append(i)
        for k in range(sources):
            spent[f"?s{k}"].append(_text(shares[k]) if k < len(shares) else None)
    table = pl.DataFrame(
        spent, schema={"?i": pl.UInt32(), **{f"?s{k}": pl.String() for k in range(sources)}}
    )
    out = long.with_row_index("?i").join(table, on="?i", how="left", maintain_order="left")
    return out.with_columns(
        pl.when(pl.col("chained")).then(pl.col(f"?s{k}")).otherwise(pl.col(f"s{k}")).alias(f"s{k}")
        for k in range(sources)
    ).select(long.columns)


def tally_of(long: pl.DataFrame, tally: Tally) -> None:
    """Counts and sums of the long frame by the Tally's own methods, called once per group of
    equal rows (`add`, `add_funding`) and once per group of cases with the same missing lists
    (`count_missing_case`, which counts each fact once per case, as `add_case` does)."""
    sources = sum(1 for n in long.columns if n.startswith("f") and n[1:].isdigit())
    slots = [n for k in range(sources) for n in (f"f{k}", f"s{k}")]
    groups = long.group_by("rule", "outcome", "amount", "missing", *slots).agg(pl.len())
    for rule, outcome, amount, missing, *rest in groups.iter_rows():
        n = rest[-1]
        funding = tuple(
            (rest[2 * k], _money(rest[2 * k + 1]))
            for k in range(sources)
            if rest[2 * k] is not None
        )
        row = ResultRow(
            "", rule, None, outcome,
            _money(amount), None, funding,
            tuple(json.loads(missing)),
        )  # fmt: skip
        tally.add(row, n)
        tally.add_funding(row, n)
    # cases grouped by the missing lists of their undetermined decisions: the Tally counts
    # each fact once per case (count_missing_case), a group of equal cases at a time
    blocked = (
        long.lazy()
        .filter((pl.col("outcome") == "undetermined") & (pl.col("missing") != "[]"))
        .group_by("row")
        .agg(pl.col("missing").unique().sort())
        .group_by("missing")
        .len()
        .collect()
    )
    for lists, cases in blocked.iter_rows():
        tally.count_missing_case([fact for text in lists for fact in json.loads(text)], cases)


# -- encoding --------------------------------------------------------------------------------


def _json_text(text: pl.Expr, controls: bool) -> pl.Expr:
    """json.dumps(text, ensure_ascii=False) of a text column."""
    out = text.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    if controls:
        for code in range(32):
            out = out.str.replace_all(chr(code), json.dumps(chr(code))[1:-1], literal=True)
    return '"' + out + '"'


def _money_text(cents: pl.Expr) -> pl.Expr:
    magnitude = cents.abs()
    units = (magnitude // 100).cast(pl.String)
    hundredths = (magnitude % 100).cast(pl.String).str.pad_start(2, "0")
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return sign + units + "." + hundredths


def _csv_cell(text: pl.Expr) -> pl.Expr:
    quoted = '"' + text.str.replace_all('"', '""', literal=True) + '"'
    return pl.when(text.str.contains('[,"\n]')).then(quoted).otherwise(text)


def _funding_text(long: pl.DataFrame, controls: bool) -> tuple[pl.Expr, pl.Expr]:
    """The JSON list of the known shares, and how many there are. Fund ids are few: their
    JSON is made once, by json.dumps, and looked up."""
    sources = sum(1 for n in long.columns if n.startswith("f") and n[1:].isdigit())
    items, known = [], []
    for k in range(sources):
        fund, share = pl.col(f"f{k}"), pl.col(f"s{k}")
        ids = long.get_column(f"f{k}").drop_nulls().unique().to_list()
        head = {f: '{"fund": ' + json.dumps(f, ensure_ascii=False) + ', "amount": "' for f in ids}
        has = fund.is_not_null() & share.is_not_null()
        prefix = fund.replace_strict(head, default=None, return_dtype=pl.String)
        items.append(pl.when(has).then(prefix + share + '"}'))
        known.append(has.cast(pl.Int32))
    if not items:
        return pl.lit("[]"), pl.lit(0)
    text = "[" + pl.concat_str(items, separator=", ", ignore_nulls=True) + "]"
    return text, pl.sum_horizontal(known)


def _controls(long: pl.DataFrame) -> bool:
    """Whether any text needs JSON's control-character escapes (rare: a slower replace)."""
    found = long.select(
        pl.col("case_id").str.contains("[\x00-\x1f]").any()
        | pl.col("missing").str.contains("\\\\u00").any()
    ).item()
    return bool(found)


def encode(long: pl.DataFrame, kind: str) -> Encoded:
    if kind == "parquet":
        return _arrow(long)
    if not long.height:
        return b""
    controls = _controls(long)
    funding, count = _funding_text(long, controls)
    money = pl.col("amount")
    version = pl.col("version").cast(pl.String)
    if kind == "csv" and not _has_cr(long):
        return _csv_by_writer(long, funding, count, money, version)
    if kind == "csv":
        line = pl.concat_str(
            [
                _csv_cell(pl.col("case_id")),
                _csv_cell(pl.col("rule")),
                version.fill_null(""),
                pl.col("outcome"),
                money.fill_null(""),
                pl.col("amount_kind").fill_null(""),
                _csv_cell(pl.when(count > 0).then(funding).otherwise(pl.lit(""))),
                _csv_cell(
                    pl.when(pl.col("missing") != "[]").then(pl.col("missing")).otherwise(pl.lit(""))
                ),
            ],
            separator=",",
        )
    else:
        null = pl.lit("null")
        line = pl.concat_str(
            [
                pl.lit('{"case_id": '), _json_text(pl.col("case_id"), controls),
                pl.lit(', "rule": '), _json_text(pl.col("rule"), controls),
                pl.lit(', "version": '), version.fill_null(null),
                pl.lit(', "outcome": "'), pl.col("outcome"),
                pl.lit('", "amount": '), ('"' + money + '"').fill_null(null),
                pl.lit(', "amount_kind": '), ('"' + pl.col("amount_kind") + '"').fill_null(null),
                pl.lit(', "funding": '), funding,
                pl.lit(', "missing": '), pl.col("missing"),
                pl.lit("}"),
            ]
        )  # fmt: skip
    text = long.lazy().select((line + "\n").str.join("")).collect().item()
    return str(text).encode("utf-8")


def _has_cr(long: pl.DataFrame) -> bool:
    """Polars' CSV writer quotes a carriage return, Python's csv module does not."""
    found = long.select(pl.col("case_id").str.contains("\r", literal=True).any()).item()
    return bool(found) or any("\r" in r for r in long.get_column("rule").unique().to_list())


def _csv_by_writer(
    long: pl.DataFrame, funding: pl.Expr, count: pl.Expr, money: pl.Expr, version: pl.Expr
) -> bytes:
    """CSV lines by Polars' writer: quoting only cells with a comma, a quote or a line break,
    as Python's csv module does (empty cells are nulls, written as nothing by both)."""
    frame = (
        long.lazy()
        .select(
            pl.col("case_id"),
            pl.col("rule"),
            version.alias("version"),
            pl.col("outcome"),
            money.alias("amount"),
            pl.col("amount_kind"),
            pl.when(count > 0).then(funding).alias("funding"),
            pl.when(pl.col("missing") != "[]").then(pl.col("missing")).alias("missing"),
        )
        .collect()
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, quote_style="necessary")
    return buffer.getvalue()


def _arrow(long: pl.DataFrame) -> Any:
    """The Parquet columns, list columns built by Arrow from offsets (not per row)."""
    import pyarrow as pa

    from clause.engine.batch.write import parquet_schema

    schema = parquet_schema()
    sources = sum(1 for n in long.columns if n.startswith("f") and n[1:].isdigit())
    flat = (
        long.lazy()
        .select(
            "case_id",
            "rule",
            "version",
            "outcome",
            "amount",
            "amount_kind",
        )
        .collect()
        .to_arrow()
    )
    arrays = [flat.column(i).cast(schema.field(i).type).combine_chunks() for i in range(6)]
    arrays.append(_shares(long, sources, schema.field("funding").type))
    arrays.append(_missing_lists(long, schema.field("missing").type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _shares(long: pl.DataFrame, sources: int, arrow_type: Any) -> Any:
    import pyarrow as pa

    if not sources:
        return pa.array([[] for _ in range(long.height)], arrow_type)
    stacked = (
        pl.concat(
            [
                long.lazy()
                .with_row_index("?r")
                .select(
                    "?r",
                    pl.lit(k).alias("?k"),
                    pl.col(f"f{k}").alias("fund"),
                    pl.col(f"s{k}").alias("amount"),
                )
                .filter(pl.col("fund").is_not_null() & pl.col("amount").is_not_null())
                for k in range(sources)
            ]
        )
        .sort("?r", "?k")
        .collect()
    )
    counts = stacked.group_by("?r").len().sort("?r")
    per_row = pl.DataFrame({"?r": pl.arange(0, long.height, eager=True).cast(pl.UInt32)})
    lengths = per_row.join(counts, on="?r", how="left").get_column("len").fill_null(0)
    offsets = pa.array([0, *lengths.cum_sum().to_list()], pa.int32())
    items = stacked.select("fund", "amount").to_arrow()
    struct = pa.StructArray.from_arrays(
        [items.column(0).cast(pa.string()).combine_chunks(),
         items.column(1).cast(pa.string()).combine_chunks()],
        fields=list(arrow_type.value_type),
    )  # fmt: skip
    return pa.ListArray.from_arrays(offsets, struct, type=arrow_type)


def _missing_lists(long: pl.DataFrame, arrow_type: Any) -> Any:

    texts = long.get_column("missing")
    distinct = texts.unique().to_list()
    lists = pl.DataFrame(
        {"missing": distinct, "?list": [json.loads(t) for t in distinct]},
        schema={"missing": pl.String(), "?list": pl.List(pl.String())},
    )
    joined = long.select("missing").join(lists, on="missing", how="left", maintain_order="left")
    return joined.get_column("?list").to_arrow().cast(arrow_type)
