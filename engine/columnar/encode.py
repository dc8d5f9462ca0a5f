"""Decided rows as one long frame, budgets, totals, and the bytes or Arrow table written.

In: a decided frame from the Plan (one row per case, columns per rule) or ResultRows from the
record path. Out: the long frame (one row per case and rule, in case then rule order), spent
along funding chains in input order (engine.decide.allocate itself, row by row, only for rows
with a payable chain), tallied by groups of equal rows into engine.batch.totals.Tally, and
encoded exactly as engine.batch.write.Encoder encodes ResultRows: the same CSV quoting, the
same JSON text (json.dumps' separators, ensure_ascii off), the same Parquet schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from clause.engine.batch.totals import Tally
from clause.engine.batch.write import ResultRow
from clause.engine.columnar.frame import presence
from clause.engine.columnar.plan import Plan
from clause.engine.decide import Budget, allocate
from clause.engine.library import Library

Encoded = Any  # bytes for CSV and JSON Lines, a pyarrow Table for Parquet, None: no output

SHARE = pl.Struct({"fund": pl.String(), "amount": pl.Int64()})
QUOTA = pl.Struct({"fund": pl.String(), "quota": pl.String()})
SCHEMA: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "position": pl.Int32(),
    "case_id": pl.String(),
    "rule": pl.String(),
    "version": pl.Int32(),
    "outcome": pl.String(),
    "amount": pl.Int64(),
    "amount_kind": pl.String(),
    "funding": pl.List(SHARE),
    "chain": pl.List(QUOTA),
    "missing": pl.List(pl.String()),
}


# -- the long frame --------------------------------------------------------------------------


def long_rows(rows: Sequence[ResultRow], numbers: Sequence[int], library: Library) -> pl.DataFrame:
    """ResultRows of the record path as a long frame; `numbers`: each one's register row."""
    position = {r.id: i for i, r in enumerate(library.rules_by_id)}
    data: dict[str, list[Any]] = {name: [] for name in SCHEMA}
    for r, row in zip(rows, numbers, strict=True):
        data["row"].append(row)
        data["position"].append(position[r.rule])
        data["case_id"].append(r.case_id)
        data["rule"].append(r.rule)
        data["version"].append(r.version)
        data["outcome"].append(r.outcome)
        data["amount"].append(_cents(r.amount))
        data["amount_kind"].append(r.amount_kind)
        data["funding"].append([{"fund": f, "amount": _cents(a)} for f, a in r.funding])
        data["chain"].append([{"fund": f, "quota": _text(q)} for f, q in r.chain])
        data["missing"].append(list(r.missing))
    return pl.DataFrame(data, schema=SCHEMA)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int(value.scaleb(2))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def plan_rows(plan: Plan, decided: pl.DataFrame, case: str, row: str) -> pl.DataFrame:
    """The long frame of rows the plan decided (every rule compiled)."""
    parts = []
    for c in plan.rules:
        numbers = {i: v.number for i, v in enumerate(c.rule.versions)}
        sel = pl.col(c.name("sel"))
        version = pl.when(sel >= 0).then(sel.replace_strict(numbers, default=None))
        shares = [
            pl.when(pl.col(c.name(f"f{k}")).is_not_null()).then(
                pl.struct(fund=pl.col(c.name(f"f{k}")), amount=pl.col(c.name(f"s{k}")))
            )
            for k in range(c.sources)
        ]
        quotas = [
            pl.when(pl.col(c.name(f"f{k}")).is_not_null()).then(
                pl.struct(fund=pl.col(c.name(f"f{k}")), quota=_quota_text(c.name, k))
            )
            for k in range(c.sources)
        ]
        empty_shares = pl.lit([], dtype=pl.List(SHARE))
        funding = pl.concat_list(shares).list.drop_nulls() if shares else empty_shares
        chain = pl.concat_list(quotas).list.drop_nulls() if quotas else pl.lit([], pl.List(QUOTA))
        payable = pl.col(c.name("amount")).is_not_null()
        part = decided.filter(pl.col(presence(c.rule.subject))).select(
            pl.col(row).cast(pl.Int64).alias("row"),
            pl.lit(c.index, dtype=pl.Int32).alias("position"),
            pl.col(case).alias("case_id"),
            pl.lit(c.rule.id).alias("rule"),
            version.cast(pl.Int32).alias("version"),
            pl.col(c.name("out")).alias("outcome"),
            pl.col(c.name("amount")).alias("amount"),
            pl.col(c.name("akind")).alias("amount_kind"),
            funding.alias("funding"),
            pl.when(payable).then(chain).otherwise(pl.lit([], pl.List(QUOTA))).alias("chain"),
            _missing_key(plan, c.index).alias("mkey"),
        )
        parts.append(part)
    long = pl.concat(parts, how="vertical")
    return _with_missing(plan, long)


def _quota_text(name: Any, k: int) -> pl.Expr:
    quota = pl.col(name(f"q{k}"))
    text = pl.when(quota.is_not_null()).then(pl.format("{}E-4", quota))
    return pl.when(pl.col(name(f"qu{k}"))).then(pl.lit("NaN")).otherwise(text)


def _missing_key(plan: Plan, index: int) -> pl.Expr:
    """A text key naming the masks a missing list is ranked from (null: no list)."""
    c = next(r for r in plan.rules if r.index == index)
    source = pl.col(c.name("from"))
    needed = (pl.col(c.name("pre")) == "undetermined") | (source != index)
    sources = [c] + [o for o in plan.rules if any(c.rule.id in v.overrides for v in o.rule.versions)]
    chain: Any = None
    for s in sources:
        masks = [pl.col(s.name(f"m{k}")).cast(pl.String) for k in range(s.slots)]
        key = pl.concat_str([pl.lit(str(s.index)), *masks], separator=",")
        chain = (pl.when(source == s.index) if chain is None else chain.when(source == s.index)).then(key)
    return pl.when(needed).then(chain.otherwise(None))


def _with_missing(plan: Plan, long: pl.DataFrame) -> pl.DataFrame:
    keys = long.get_column("mkey").drop_nulls().unique().to_list()
    by_index = {c.index: c for c in plan.rules}
    lists = []
    for key in keys:
        index, *masks = (int(x) for x in key.split(","))
        lists.append(list(plan.missing(by_index[index], masks)))
    table = pl.DataFrame(
        {"mkey": keys, "missing": lists},
        schema={"mkey": pl.String(), "missing": pl.List(pl.String())},
    )
    joined = long.join(table, on="mkey", how="left", maintain_order="left")
    empty = pl.lit([], dtype=pl.List(pl.String()))
    return joined.with_columns(pl.col("missing").fill_null(empty)).select(list(SCHEMA))


# -- budgets and totals ----------------------------------------------------------------------


def spend(long: pl.DataFrame, budget: Budget) -> pl.DataFrame:
    """Shares re-allocated along each payable chain, spending `budget` in row order."""
    payable = long.with_row_index("?i").filter(pl.col("chain").list.len() > 0)
    if not payable.height:
        return long
    index, funding = [], []
    for i, amount, chain in payable.select("?i", "amount", "chain").iter_rows():
        pairs = [(q["fund"], None if q["quota"] is None else Decimal(q["quota"])) for q in chain]
        shares = allocate(Decimal(amount).scaleb(-2), pairs, budget)
        index.append(i)
        funding.append([{"fund": f, "amount": _cents(s)} for (f, _), s in zip(pairs, shares, strict=True)])
    spent = pl.DataFrame(
        {"?i": index, "?spent": funding},
        schema={"?i": pl.UInt32(), "?spent": pl.List(SHARE)},
    )
    out = long.with_row_index("?i").join(spent, on="?i", how="left", maintain_order="left")
    return out.with_columns(pl.coalesce("?spent", "funding").alias("funding")).select(list(SCHEMA))


def tally_of(long: pl.DataFrame, tally: Tally) -> None:
    """Counts and sums of the long frame, by groups of equal rows (the Tally's own rules)."""
    key = pl.col("funding").list.eval(
        pl.element().struct.field("fund") + "=" + pl.element().struct.field("amount").cast(pl.String).fill_null("?")
    ).list.join("|")
    groups = long.group_by("rule", "outcome", "amount", key.alias("?f")).agg(
        pl.len().alias("n"), pl.col("funding").first()
    )
    for rule, outcome, amount, _, n, funding in groups.sort("rule", "outcome", "amount", "?f").iter_rows():
        row = ResultRow(
            "",
            rule,
            None,
            outcome,
            None if amount is None else Decimal(amount).scaleb(-2),
            None,
            tuple((s["fund"], None if s["amount"] is None else Decimal(s["amount"]).scaleb(-2))
                  for s in funding),
            (),
        )  # fmt: skip
        tally.add(row, n)
        tally.add_funding(row, n)


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


def _parts(long: pl.DataFrame) -> pl.DataFrame:
    controls = bool(
        long.select(pl.col("case_id").str.contains("[\x00-\x1f]").any()).item()
        or long.select(pl.col("missing").list.eval(pl.element().str.contains("[\x00-\x1f]")).list.any().any()).item()
    )
    share = pl.element().struct
    items = pl.col("funding").list.eval(
        pl.when(share.field("amount").is_not_null()).then(
            '{"fund": ' + _json_text(share.field("fund"), controls) + ', "amount": "'
            + _money_text(share.field("amount")) + '"}'
        )
    ).list.drop_nulls()  # fmt: skip
    missing = pl.col("missing").list.eval(_json_text(pl.element(), controls))
    return long.select(
        _json_text(pl.col("case_id"), controls).alias("j_case"),
        pl.col("case_id"),
        pl.col("rule"),
        _json_text(pl.col("rule"), controls).alias("j_rule"),
        pl.col("version").cast(pl.String).alias("version"),
        pl.col("outcome"),
        _money_text(pl.col("amount")).alias("amount"),
        pl.col("amount_kind"),
        items.list.len().alias("n_funding"),
        ("[" + items.list.join(", ") + "]").alias("funding"),
        pl.col("missing").list.len().alias("n_missing"),
        ("[" + missing.list.join(", ") + "]").alias("missing"),
    )


def encode(long: pl.DataFrame, kind: str) -> Encoded:
    if kind == "parquet":
        return _arrow(long)
    if not long.height:
        return b""
    p = _parts(long)
    if kind == "csv":
        line = pl.concat_str(
            [
                _csv_cell(pl.col("case_id")),
                _csv_cell(pl.col("rule")),
                pl.col("version").fill_null(""),
                pl.col("outcome"),
                pl.col("amount").fill_null(""),
                pl.col("amount_kind").fill_null(""),
                _csv_cell(pl.when(pl.col("n_funding") > 0).then(pl.col("funding")).otherwise(pl.lit(""))),
                _csv_cell(pl.when(pl.col("n_missing") > 0).then(pl.col("missing")).otherwise(pl.lit(""))),
            ],
            separator=",",
        )
    else:
        null = pl.lit("null")
        line = pl.concat_str(
            [
                pl.lit('{"case_id": '), pl.col("j_case"),
                pl.lit(', "rule": '), pl.col("j_rule"),
                pl.lit(', "version": '), pl.col("version").fill_null(null),
                pl.lit(', "outcome": "'), pl.col("outcome"),
                pl.lit('", "amount": '), ('"' + pl.col("amount") + '"').fill_null(null),
                pl.lit(', "amount_kind": '), ('"' + pl.col("amount_kind") + '"').fill_null(null),
                pl.lit(', "funding": '), pl.col("funding"),
                pl.lit(', "missing": '), pl.col("missing"),
                pl.lit("}"),
            ]
        )  # fmt: skip
    text = p.select((line + "\n").str.join("")).item()
    return str(text).encode("utf-8")


def _arrow(long: pl.DataFrame) -> Any:
    import pyarrow as pa

    from clause.engine.batch.write import parquet_schema

    share = pl.element().struct
    frame = long.select(
        "case_id",
        "rule",
        "version",
        "outcome",
        _money_text(pl.col("amount")).alias("amount"),
        "amount_kind",
        pl.col("funding").list.eval(
            pl.when(share.field("amount").is_not_null()).then(
                pl.struct(fund=share.field("fund"), amount=_money_text(share.field("amount")))
            )
        ).list.drop_nulls().alias("funding"),
        "missing",
    )
    table = frame.to_arrow()
    return pa.Table.from_arrays(
        [table.column(i).cast(f.type) for i, f in enumerate(parquet_schema())],
        schema=parquet_schema(),
    )
