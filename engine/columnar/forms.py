"""A rule version's amount, grant limits and quotas as Polars expressions (engine.decide).

In: the RuleCompiler of one rule (its expression compilers, parameter columns and the
register's columns). Out, for one version:
- `amount_of`: the amount in cents, null when it is not known, and for that case the least
  and the most it can be (`lo`, `hi` in cents; `hi` null: no bound), as engine.decide.amounts
  gives them (the floor of a floor form, the cap of a cap, the cap of a per-unit count);
- `earlier_grant`: whether any of the version's `once` limits was reached (true, false, null)
  and the unknown mask when not known, as engine.decide.grants decides each limit;
- `quota_of`: a funding source's quota at SCALE, and whether it is unknown.
What cannot be expressed exactly raises Unsupported: the rule then runs on the record path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from clause.engine.columnar.calls import add_months
from clause.engine.columnar.exprs import LIMIT, SCALE, Col, Unsupported, align, rescale, units
from clause.engine.decide.amounts import cents
from clause.engine.expr import ast
from clause.engine.model import Amount, FundingSource, Money, OnceLimit, Period

if TYPE_CHECKING:
    from clause.engine.columnar.rules import RuleCompiler

_U64 = pl.UInt64
_NONE = pl.lit(None, dtype=pl.Int64)


def to_cents(value: pl.Expr, scale: int) -> pl.Expr:
    """A fixed-point number rounded half up (away from zero) to cents, as amounts.cents."""
    if scale <= 2:
        scaled: pl.Expr = value * 10 ** (2 - scale)
        return scaled
    step = 10 ** (scale - 2)
    magnitude = (value.abs() + step // 2) // step
    rounded: pl.Expr = pl.when(value < 0).then(-magnitude).otherwise(magnitude)
    return rounded


@dataclass(frozen=True)
class AmountCols:
    """An amount in cents (null: not known) and, when it is not known, its bounds in cents."""

    cents: pl.Expr
    lo: pl.Expr
    hi: pl.Expr


def static_cents(value: Decimal) -> int:
    n, scale = units(cents(value))
    return int(n * 10 ** (2 - scale) if scale <= 2 else n // 10 ** (scale - 2))


def _number(rc: RuleCompiler, node: ast.Node) -> Col:
    col = rc.compiler.compile(node)
    if col.kind != "number":
        raise Unsupported("amount_expr")
    return col


def money(rc: RuleCompiler, value: Money | None) -> Col | None:
    """A literal, or a parameter's column (at `percent` % of it); None: no money at all."""
    if value is None:
        return None
    if value.value is not None:
        n, scale = units(value.value)
        if abs(n) > LIMIT:
            raise Unsupported("amount_range")
        return Col(pl.lit(n, dtype=pl.Int64), None, "number", scale, abs(n))
    column = rc.param_columns.get(value.param or "")
    if column is None:
        return None
    bound = rc.compiler.param_bound(value.param)
    param = Col(pl.col(column), None, "number", SCALE, bound)
    if value.percent is None:
        return param
    p, p_scale = units(value.percent)
    if bound * abs(p) > LIMIT or SCALE + p_scale + 2 > 12:
        raise Unsupported("param_percent")
    # value × percent / 100: exact as a number of a scale two places finer
    return Col(param.value * p, None, "number", SCALE + p_scale + 2, bound * abs(p))


def _known(col: Col | None) -> pl.Expr:
    return col.value.is_not_null() if col is not None else pl.lit(False)


def amount_of(rc: RuleCompiler, amount: Amount) -> AmountCols:
    """The amount of one form, with the bounds the funding split uses when it is not known."""
    form = amount.kind
    zero = pl.lit(0, dtype=pl.Int64)
    if form in ("fixed", "parameter", "per_other_regulation"):
        value = amount.value
        if value is not None and value.value is not None:
            return AmountCols(pl.lit(static_cents(value.value), dtype=pl.Int64), zero, _NONE)
        col = money(rc, value)
        paid = to_cents(col.value, col.scale) if col is not None else _NONE
        return AmountCols(paid, zero, _NONE)
    if form in ("cap", "floor"):
        return _bounded(rc, amount, form == "cap")
    if form == "per_unit":
        return _per_unit(rc, amount)
    if form == "percentage":
        if amount.of is None:
            return AmountCols(_NONE, zero, _NONE)
        base = _number(rc, amount.of.node)
        p, p_scale = units(amount.percent or Decimal(0))
        if base.bound * abs(p) > LIMIT:
            raise Unsupported("percent_range")
        return AmountCols(to_cents(base.value * p, base.scale + p_scale + 2), zero, _NONE)
    if form == "computed":
        if amount.claimed is None:
            return AmountCols(_NONE, zero, _NONE)
        computed = _number(rc, amount.claimed.node)
        paid = to_cents(pl.max_horizontal(computed.value, pl.lit(0)), computed.scale)
        return AmountCols(pl.when(computed.value.is_not_null()).then(paid), zero, _NONE)
    raise Unsupported("amount_form", form=form)


def _bounded(rc: RuleCompiler, amount: Amount, is_cap: bool) -> AmountCols:
    """不超过 (cap): the claim, at most the cap; 不低于 (floor): at least the floor. A claim not
    known leaves the amount unknown, between 0 and the cap, or at least the floor."""
    zero = pl.lit(0, dtype=pl.Int64)
    bound = money(rc, amount.value)
    if bound is None:
        return AmountCols(_NONE, zero, _NONE)
    limit = to_cents(bound.value, bound.scale)
    lo, hi = (zero, limit) if is_cap else (pl.when(bound.value.is_not_null()).then(limit), _NONE)
    if amount.claimed is None:
        return AmountCols(_NONE, lo.fill_null(0), hi)
    claimed = _number(rc, amount.claimed.node)
    claimed, bound = align(claimed, bound)
    if is_cap:
        paid = pl.max_horizontal(pl.min_horizontal(claimed.value, bound.value), pl.lit(0))
    else:
        paid = pl.max_horizontal(claimed.value, bound.value, pl.lit(0))
    known = claimed.value.is_not_null() & bound.value.is_not_null()
    return AmountCols(pl.when(known).then(to_cents(paid, bound.scale)), lo.fill_null(0), hi)


def _per_unit(rc: RuleCompiler, amount: Amount) -> AmountCols:
    """A rate × a count of units, at most `max_count`; a count not known is at most the rate
    × `max_count` (no bound without one)."""
    zero = pl.lit(0, dtype=pl.Int64)
    rate = money(rc, amount.value)
    if rate is None:
        return AmountCols(_NONE, zero, _NONE)
    hi = _NONE
    if amount.max_count:
        n = amount.max_count
        if rate.bound * n > LIMIT:
            raise Unsupported("per_unit_range")
        hi = pl.when(rate.value.is_not_null()).then(to_cents(rate.value * n, rate.scale))
    if amount.count is None:
        return AmountCols(_NONE, zero, hi)
    count = _number(rc, amount.count.node)
    used = count
    if amount.max_count:
        top = rescale(Col(pl.lit(amount.max_count), None, "number", 0, amount.max_count),
                      count.scale)  # fmt: skip
        used = Col(pl.min_horizontal(count.value, top.value), None, "number",
                   count.scale, top.bound)  # fmt: skip
    if rate.bound * used.bound > LIMIT or rate.scale + used.scale > 12:
        raise Unsupported("per_unit_range")
    product = rate.value * pl.max_horizontal(used.value, pl.lit(0))
    known = count.value.is_not_null() & rate.value.is_not_null()
    return AmountCols(pl.when(known).then(to_cents(product, rate.scale + used.scale)), zero, hi)


# -- grant history ---------------------------------------------------------------------------


def earlier_grant(rc: RuleCompiler, limits: tuple[OnceLimit, ...]) -> tuple[pl.Expr, pl.Expr]:
    """Whether a grant under any of `limits` was made (true, false, null) and the mask of
    what is unknown: true when any limit is reached, else unknown when any limit is."""
    path = f"{rc.rule.subject}.grants"
    bit = pl.lit(1 << rc.compiler.bit(path), dtype=_U64)
    if path not in rc.columns:
        return pl.lit(None, dtype=pl.Boolean), bit
    fields = dict(rc.grant_fields())
    if fields.get("program") != "string":
        raise Unsupported("grant_program")
    grants = pl.col(path)
    hits: list[pl.Expr] = []
    unknown = pl.lit(0, dtype=_U64)
    for limit in limits:
        hit, vague = _limit(rc, limit, fields.get("date") == "date")
        hits.append(hit)
        unknown = unknown | vague
    granted = pl.any_horizontal(hits)
    value = (
        pl.when(grants.is_null())
        .then(None)
        .when(granted)
        .then(True)
        .when(unknown != 0)
        .then(None)
        .otherwise(False)
    )
    mask = (
        pl.when(grants.is_null()).then(bit).when(granted).then(pl.lit(0, _U64)).otherwise(unknown)
    )
    return value, mask


def _limit(rc: RuleCompiler, limit: OnceLimit, dated: bool) -> tuple[pl.Expr, pl.Expr]:
    """One limit over the grant records (a list column): whether a record counts, and the
    unknown mask of the records that might (engine.decide.grants)."""
    path = f"{rc.rule.subject}.grants"
    programs = list(limit.programs or (rc.rule.id,))
    item = pl.element().struct
    program = item.field("program")
    paid = item.field("date") if dated else pl.lit(None, dtype=pl.Date)
    later = paid.is_not_null() & (paid > pl.lit(rc.on, dtype=pl.Date))
    counted = program.is_not_null() & ~later & program.is_in(programs)
    grants = pl.col(path)
    period = limit.period
    if period is None:
        found = grants.list.eval(counted.fill_null(False)).list.any()
    elif period.kind == "during" and period.window is not None:
        inside = paid.is_not_null() & _within(paid, period.window.start, period.window.end)
        found = grants.list.eval((counted & inside).fill_null(False)).list.any()
    else:
        days = grants.list.eval(pl.when(counted & paid.is_not_null()).then(paid.cast(pl.Int64)))
        lo, hi = _period_days(rc, period, days)
        # lo <= d <= hi exactly when (d - lo) * (d - hi) <= 0 (the bounds are never crossed)
        found = ((days - lo) * (days - hi)).list.eval(pl.element() <= 0).list.any()
    vague_program = grants.list.eval(program.is_null()).list.any()
    bit_program = pl.lit(1 << rc.compiler.bit(f"{path}.program"), dtype=_U64)
    mask = pl.when(vague_program).then(bit_program).otherwise(pl.lit(0, _U64))
    if period is not None:
        vague_date = grants.list.eval((counted & paid.is_null()).fill_null(False)).list.any()
        bit_date = pl.lit(1 << rc.compiler.bit(f"{path}.date"), dtype=_U64)
        mask = mask | pl.when(vague_date).then(bit_date).otherwise(pl.lit(0, _U64))
    return found.fill_null(False), mask


def _within(day: pl.Expr, start: date | None, end: date | None) -> pl.Expr:
    ok = pl.lit(True)
    if start is not None:
        ok = ok & (day >= pl.lit(start, dtype=pl.Date))
    if end is not None:
        ok = ok & (day <= pl.lit(end, dtype=pl.Date))
    return ok


def _period_days(rc: RuleCompiler, period: Period, days: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The first and last day (as day numbers) a grant may be paid on to fall in `period`
    around the rule's effective date, as grants.in_period decides.

    Per calendar year: that year. Per N months: in_period holds when add_months(paid, N) >
    day and add_months(day, N) > paid; add_months is monotone in its date, so the first
    holds for every date after the last one it fails on: add_months(day, -N), or the end of
    that month when `day` is the last of its own (several days of a long month land on the
    end of a short one). Dates near the ends of the calendar, where the reference's
    add_months may fail, send the row to the record path."""
    day = pl.col(rc.out.name("eff"))
    if period.kind == "year":
        year = day.dt.year()
        first, last = pl.date(year, 1, 1), pl.date(year, 12, 31)
        return first.cast(pl.Int64), last.cast(pl.Int64)
    if period.kind != "months" or period.months is None:
        raise Unsupported("period", kind=period.kind)
    months = period.months
    before, risk_before = add_months(day, pl.lit(-months, dtype=pl.Int64))
    after, risk_after = add_months(day, pl.lit(months, dtype=pl.Int64))
    month_end = day == day.dt.month_end()
    last_failing = pl.when(month_end).then(before.dt.month_end()).otherwise(before)
    years = months // 12 + 1
    paid_years = days.list.max().cast(pl.Date).dt.year()  # the latest counted grant
    risk = risk_before | risk_after | (paid_years.fill_null(1) > 9999 - years)
    rc.risk(risk & pl.col(rc.out.name("sel")).ge(0))
    first = last_failing.cast(pl.Int64) + 1
    last = after.cast(pl.Int64) - 1
    return first, last


# -- quotas ------------------------------------------------------------------------------------


def quota_of(rc: RuleCompiler, source: FundingSource) -> tuple[pl.Expr, pl.Expr]:
    """A source's quota at SCALE (null: no quota) and whether it is unknown (its fact missing)."""
    q = source.quota
    if q is None:
        return pl.lit(None, dtype=pl.Int64), pl.lit(False)
    if isinstance(q, Decimal):
        n, scale = units(q)
        if scale > SCALE:
            raise Unsupported("quota_scale")
        return pl.lit(n * 10 ** (SCALE - scale), dtype=pl.Int64), pl.lit(False)
    col = rc.bare.compile(q.node)
    if col.kind != "number" or col.scale > SCALE:
        raise Unsupported("quota")
    value = rescale(col, SCALE).value
    return value, value.is_null()
