"""A library's decision procedure over a frame of cases: every rule, overrides, funding.

In: a Library, the decision date and the columns of a register (engine.columnar.frame).
Out: a Plan that turns a DataFrame of cases into one with, per compiled rule, the final
outcome, version, amount in cents, amount kind, funding shares and quotas, and the check masks
its missing list is ranked from (by engine.decide.core.rank_missing itself, once per distinct
combination). Rules the compiler cannot express, and the rules tied to them by overrides or
`outcome()` reads, are listed in `fallback` with the reason: the caller decides them on the
record path. `?risk` marks rows the record path must decide whole (a possible run-time error,
a number or a parameter the fixed-point columns cannot carry).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl

from clause.engine.columnar.exprs import SCALE, Unsupported
from clause.engine.columnar.forms import to_cents
from clause.engine.columnar.frame import EXACT, to_units
from clause.engine.columnar.overrides import overridden
from clause.engine.columnar.rules import CompiledRule, RuleCompiler
from clause.engine.decide.checks import rank_missing
from clause.engine.decide.reasons import Outcome
from clause.engine.library import Library
from clause.engine.messages import Text, msg

RISK = "?risk"
AMOUNT_BOUND = 10**15  # cents
ELIGIBLE, UNDETERMINED = Outcome.ELIGIBLE.value, Outcome.UNDETERMINED.value


class Plan:
    """The compiled library for one decision date and one register layout."""

    def __init__(self, library: Library, on: date, columns: Sequence[str]) -> None:
        self.library, self.on = library, on
        available = set(columns)
        self.fallback: dict[str, Text] = {}  # rule id -> why it runs on the record path
        index = {r.id: i for i, r in enumerate(library.rules_by_id)}
        compiled: dict[str, CompiledRule] = {}
        for rule in library.plan.order:  # a rule after those it reads and those overriding it
            try:
                rc = RuleCompiler(library, rule, index[rule.id], available, on, compiled)
                compiled[rule.id] = rc.compile()
            except Unsupported as why:
                self.fallback[rule.id] = why.reason
        self.rules = sorted(compiled.values(), key=lambda c: c.index)
        self._close_over_dependencies()
        self.by_id = {c.rule.id: c for c in self.rules}
        self.levels = self._levels()

    def _levels(self) -> list[list[CompiledRule]]:
        """The rules in stages: a rule after every rule whose outcome it reads (decided, with
        overrides, a stage before) and with or after the rules overriding it (whose own
        outcomes are decided in the stage, before any override is applied). Without
        `outcome()` reads there is one stage."""
        plan = self.library.plan
        level: dict[str, int] = {}
        for rule in plan.order:
            if rule.id not in self.by_id:
                continue
            after = [level[r] + 1 for r in plan.reads.get(rule.id, ()) if r in level]
            after += [level[o] for o in plan.overridden_by.get(rule.id, ()) if o in level]
            level[rule.id] = max(after, default=0)
        stages: list[list[CompiledRule]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
        for c in self.rules:
            stages[level[c.rule.id]].append(c)
        return stages

    def _close_over_dependencies(self) -> None:
        """A rule tied to a record-path rule, by an override or an `outcome()` read either way,
        goes there too: the record path decides those rules together, in the core's order
        (engine.dependencies), so each sees the other's decision."""
        plan = self.library.plan
        linked: dict[str, set[str]] = {r.id: set() for r in self.library.rules_by_id}
        for rid, others in (*plan.reads.items(), *plan.overridden_by.items()):
            for other in others:
                linked[rid].add(other)
                linked[other].add(rid)
        waiting = sorted(self.fallback)
        while waiting:
            rid = waiting.pop(0)
            for other in sorted(linked[rid]):
                if other not in self.fallback:
                    self.fallback[other] = msg("columnar.tied", rule=rid)
                    waiting.append(other)
        self.rules = [c for c in self.rules if c.rule.id not in self.fallback]

    # -- running -----------------------------------------------------------------------------

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with every compiled rule's columns and `?risk`, stage by stage."""
        frame = self._places(frame)
        for stage in self.levels:
            # lazily: Polars then computes a subexpression shared by several rules once
            frame = frame.lazy().with_columns([e for c in stage for e in c.select]).collect()
            frame = self._join_params(frame, stage)
            frame = (
                frame.lazy()
                .with_columns([e for c in stage for e in c.decide])
                .with_columns([e for c in stage for e in self._overrides(c)])
                .collect()
            )
        risky = [e for c in self.rules for e in c.compiler.risky]
        risk = ~pl.col(EXACT)
        if risky:
            risk = risk | pl.any_horizontal(risky)
        inexact = [pl.col(c.name("inexact")).fill_null(False) for c in self.rules if c.params]
        # amounts past 10**15 cents would overflow the funding split's finer units
        inexact += [
            (pl.col(c.name(part)).abs() > AMOUNT_BOUND).fill_null(False)
            for c in self.rules
            for part in ("cents", "lo", "hi")
        ]
        if inexact:
            risk = risk | pl.any_horizontal(inexact)
        return (
            frame.lazy()
            .with_columns(risk.alias(RISK))
            .with_columns([e for c in self.rules for e in self._funding(c)])
            .collect()
        )

    def _places(self, frame: pl.DataFrame) -> pl.DataFrame:
        """For each rule whose document governs some places only, whether it governs each
        case's subject: 1, 0, or -1 when the place facts do not say (`place`). The library
        decides (Library.jurisdiction_of), once per distinct combination of place facts."""
        by_entity: dict[str, list[CompiledRule]] = {}
        for c in self.rules:
            if c.place is not None:
                by_entity.setdefault(c.rule.subject, []).append(c)
        for entity, users in sorted(by_entity.items()):
            names = [n for n, _ in self.library.place_fields.get(entity, ())]
            cells = [
                pl.col(f"{entity}.{n}") if f"{entity}.{n}" in frame.columns else pl.lit(None)
                for n in names
            ]
            keys = [f"?place:{n}" for n in names]
            frame = frame.with_columns(
                cell.cast(pl.String).alias(k) for cell, k in zip(cells, keys, strict=True)
            )
            table: dict[str, list[Any]] = {k: [] for k in keys}
            table.update({c.name("place"): [] for c in users})
            for combination in frame.select(keys).unique().rows():
                subject = {n: v for n, v in zip(names, combination, strict=True) if v is not None}
                for k, value in zip(keys, combination, strict=True):
                    table[k].append(value)
                for c in users:
                    inside, _ = self.library.jurisdiction_of(c.rule, subject)
                    table[c.name("place")].append(-1 if inside is None else int(inside))
            schema: dict[str, pl.DataType] = {k: pl.String() for k in keys}
            schema.update({c.name("place"): pl.Int8() for c in users})
            found = pl.DataFrame(table, schema=schema)
            frame = frame.join(
                found, on=keys, how="left", nulls_equal=True, maintain_order="left"
            ).drop(keys)
        return frame

    def _locality(self, c: CompiledRule) -> pl.Expr:
        return pl.col(c.locality) if c.locality else pl.lit(None, dtype=pl.String)

    def _join_params(self, frame: pl.DataFrame, stage: list[CompiledRule]) -> pl.DataFrame:
        users = [c for c in stage if c.params]
        if not users:
            return frame
        keys = pl.concat(
            [
                frame.filter(pl.col(c.name("sel")) >= 0).select(
                    pl.col(c.name("eff")).alias("eff"), self._locality(c).alias("loc")
                )
                for c in users
            ]
        ).unique()
        wanted = sorted({p for c in users for p in c.params})
        table = _params_table(self.library, keys.rows(), wanted)
        for c in users:
            renamed = table.select(
                pl.col("eff").alias(c.name("eff")),
                pl.col("loc").alias(c.name("loc")),
                *(pl.col(f"param:{p}").alias(c.name(f"param:{p}")) for p in c.params),
                pl.any_horizontal([pl.col(f"inexact:{p}") for p in c.params]).alias(
                    c.name("inexact")
                ),
            )
            frame = frame.with_columns(self._locality(c).alias(c.name("loc"))).join(
                renamed,
                on=[c.name("eff"), c.name("loc")],
                how="left",
                nulls_equal=True,
                maintain_order="left",
            )
        return frame

    def _overrides(self, c: CompiledRule) -> list[pl.Expr]:
        """The outcome shown and where the missing list comes from (engine.columnar.overrides)."""
        return overridden(c, self.rules)

    def _funding(self, c: CompiledRule) -> list[pl.Expr]:
        """Final amount (null unless eligible, as Decision.paid) and each source's share, as
        engine.decide.funding.fund gives them: a payable amount whose quotas are all known
        is allocated along the chain; an eligible amount that is not known, or one with a
        quota unknown, is split over the range it may take (`split`); anything else has no
        share known."""
        eligible = pl.col(c.name("out")) == ELIGIBLE
        paid: pl.Expr = pl.when(eligible).then(pl.col(c.name("cents")))
        exprs = [
            paid.alias(c.name("amount")),
            pl.when(eligible).then(pl.col(c.name("kind"))).alias(c.name("akind")),
        ]
        if not c.sources:
            return exprs
        unknown = pl.any_horizontal([pl.col(c.name(f"qu{k}")) for k in range(c.sources)])
        allocated = _allocate(c, paid)
        lo = pl.when(paid.is_not_null()).then(paid).otherwise(pl.col(c.name("lo")))
        hi = pl.when(paid.is_not_null()).then(paid).otherwise(pl.col(c.name("hi")))
        ranged = _split(c, lo * 100, hi * 100)  # in units of SCALE
        payable = paid.is_not_null() & ~unknown
        open_ = eligible & pl.col(c.name("kind")).is_not_null() & (paid.is_null() | unknown)
        for k in range(c.sources):
            share = pl.when(payable).then(allocated[k]).when(open_).then(ranged[k])
            exprs.append(share.cast(pl.Int64).alias(c.name(f"s{k}")))
        return exprs

    # -- missing lists -----------------------------------------------------------------------

    def missing(self, c: CompiledRule, masks: Sequence[int]) -> tuple[str, ...]:
        """The missing list for one combination of check masks, ranked by the core."""
        paths = [c.compiler.paths_of(m) for m in masks if m]
        return rank_missing(paths)


def _allocate(c: CompiledRule, paid: pl.Expr) -> list[pl.Expr]:
    """Shares in cents of a payable amount along a chain of known quotas (funding.allocate:
    each source up to its quota, rounded to cents; a later one covers the rest)."""
    left = paid
    out: list[pl.Expr] = []
    for k in range(c.sources):
        quota = pl.col(c.name(f"q{k}"))
        capped = to_cents(pl.max_horizontal(quota, pl.lit(0)), SCALE)
        want = pl.when(quota.is_null()).then(left).otherwise(pl.min_horizontal(left, capped))
        got = pl.when(left <= 0).then(pl.lit(0)).otherwise(want).cast(pl.Int64)
        out.append(got)
        left = left - got
    return out


def _split(c: CompiledRule, lo: pl.Expr, hi: pl.Expr) -> list[pl.Expr]:
    """Shares in cents of an amount known only to lie in [lo, hi] (units of SCALE; hi null:
    no bound), along quotas possibly unknown, as funding.split: each source pays
    min(rest, quota), so its least and most are exact, and it is known when they meet."""
    rest_lo, rest_hi = lo, hi
    out: list[pl.Expr] = []
    for k in range(c.sources):
        quota = pl.col(c.name(f"q{k}"))
        unknown = pl.col(c.name(f"qu{k}"))
        q = pl.max_horizontal(quota, pl.lit(0))
        low = (
            pl.when(unknown)
            .then(pl.lit(0))
            .when(quota.is_null())
            .then(rest_lo)
            .otherwise(pl.min_horizontal(rest_lo, q))
        )
        high = (
            pl.when(unknown | quota.is_null())
            .then(rest_hi)
            .when(rest_hi.is_null())
            .then(q)
            .otherwise(pl.min_horizontal(rest_hi, q))
        )
        out.append(pl.when(high.is_not_null() & (low == high)).then(to_cents(low, SCALE)))
        next_lo = (
            pl.when(unknown | quota.is_null())
            .then(pl.lit(0))
            .otherwise(pl.max_horizontal(rest_lo - q, pl.lit(0)))
        )
        next_hi = (
            pl.when(unknown)
            .then(rest_hi)
            .when(quota.is_null())
            .then(pl.lit(0))
            .when(rest_hi.is_null())
            .then(None)
            .otherwise(pl.max_horizontal(rest_hi - q, pl.lit(0)))
        )
        rest_lo, rest_hi = next_lo, next_hi
    return out


def _params_table(
    library: Library, keys: Sequence[tuple[Any, Any]], wanted: Sequence[str]
) -> pl.DataFrame:
    """Parameter values per (effective date, locality), from Library.params_on."""
    data: dict[str, list[Any]] = {"eff": [], "loc": []}
    for p in wanted:
        data[f"param:{p}"] = []
        data[f"inexact:{p}"] = []
    for day, locality in keys:
        data["eff"].append(day)
        data["loc"].append(locality)
        values: Mapping[str, Any] = library.params_on(day, locality) if day is not None else {}
        for p in wanted:
            value = values.get(p)
            n = to_units(value) if value is not None and not isinstance(value, str) else None
            data[f"param:{p}"].append(n)
            data[f"inexact:{p}"].append(value is not None and n is None)
    schema: dict[str, pl.DataType] = {"eff": pl.Date(), "loc": pl.String()}
    for p in wanted:
        schema[f"param:{p}"] = pl.Int64()
        schema[f"inexact:{p}"] = pl.Boolean()
    return pl.DataFrame(data, schema=schema)
