"""A library's decision procedure over a frame of cases: every rule, overrides, funding.

In: a Library, the decision date and the columns of a register (engine.columnar.frame).
Out: a Plan that turns a DataFrame of cases into one with, per compiled rule, the final
outcome, version, amount in cents, amount kind, funding shares and quotas, and the check masks
its missing list is ranked from (by engine.decide.core.rank_missing itself, once per distinct
combination). Rules the compiler cannot express, and the rules tied to them by overrides, are
listed in `fallback` with the reason: the caller decides them on the record path. `?risk`
marks rows the record path must decide whole (a possible run-time error, a number or a
parameter the fixed-point columns cannot carry).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl

from clause.engine.columnar.exprs import SCALE, Unsupported
from clause.engine.columnar.frame import EXACT, presence, to_units
from clause.engine.columnar.rules import CompiledRule, RuleCompiler, to_cents
from clause.engine.decide.core import rank_missing
from clause.engine.decide.reasons import Outcome
from clause.engine.library import Library

RISK = "?risk"
ELIGIBLE, UNDETERMINED = Outcome.ELIGIBLE.value, Outcome.UNDETERMINED.value


class Plan:
    """The compiled library for one decision date and one register layout."""

    def __init__(self, library: Library, on: date, columns: Sequence[str]) -> None:
        self.library, self.on = library, on
        available = set(columns)
        self.rules: list[CompiledRule] = []
        self.fallback: dict[str, str] = {}  # rule id -> why it runs on the record path
        for index, rule in enumerate(library.rules_by_id):
            try:
                self.rules.append(RuleCompiler(library, rule, index, available, on).compile())
            except Unsupported as why:
                self.fallback[rule.id] = str(why)
        self._close_over_overrides()
        self.by_id = {c.rule.id: c for c in self.rules}

    def _close_over_overrides(self) -> None:
        """A rule overriding, or overridden by, a record-path rule goes there too: overrides
        need both decisions in one place."""
        changed = True
        while changed:
            changed = False
            for c in list(self.rules):
                linked = {t for v in c.rule.versions for t in v.overrides}
                linked |= {
                    r.rule.id
                    for r in self.rules
                    if any(c.rule.id in v.overrides for v in r.rule.versions)
                }
                linked |= {
                    r.id
                    for r in self.library.rules_by_id
                    if r.id in self.fallback and any(c.rule.id in v.overrides for v in r.versions)
                }
                hit = next((t for t in sorted(linked) if t in self.fallback), None)
                if hit is not None:
                    self.fallback[c.rule.id] = f"overrides tie it to {hit}, on the record path"
                    self.rules.remove(c)
                    changed = True

    # -- running -----------------------------------------------------------------------------

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame with every compiled rule's columns and `?risk`."""
        # lazily: Polars then computes a subexpression shared by several rules once
        frame = frame.lazy().with_columns([e for c in self.rules for e in c.select]).collect()
        frame = self._join_params(frame)
        risky = [e for c in self.rules for e in c.compiler.risky]
        risk = ~pl.col(EXACT)
        if risky:
            risk = risk | pl.any_horizontal(risky)
        inexact = [pl.col(c.name("inexact")).fill_null(False) for c in self.rules if c.params]
        if inexact:
            risk = risk | pl.any_horizontal(inexact)
        return (
            frame.lazy()
            .with_columns([e for c in self.rules for e in c.decide])
            .with_columns(risk.alias(RISK))
            .with_columns([e for c in self.rules for e in self._overrides(c)])
            .with_columns([e for c in self.rules for e in self._funding(c)])
            .collect()
        )

    def _locality(self, c: CompiledRule) -> pl.Expr:
        return pl.col(c.locality) if c.locality else pl.lit(None, dtype=pl.String)

    def _join_params(self, frame: pl.DataFrame) -> pl.DataFrame:
        users = [c for c in self.rules if c.params]
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
        """The final outcome (`out`), and which rule's missing list an undetermined-by-override
        decision shows (`from`), as core.apply_overrides decides."""
        pre = pl.col(c.name("pre"))
        here = pl.col(presence(c.rule.subject))
        superseded: list[pl.Expr] = []
        pending: list[tuple[pl.Expr, int]] = []
        for other in self.rules:
            versions = [i for i, v in enumerate(other.rule.versions) if c.rule.id in v.overrides]
            if not versions:
                continue
            chosen = pl.col(other.name("sel")).is_in(versions) & pl.col(
                presence(other.rule.subject)
            )
            opre = pl.col(other.name("pre"))
            superseded.append(chosen & (opre == ELIGIBLE) & here)
            pending.append((chosen & (opre == UNDETERMINED) & here, other.index))
        if not superseded:
            return [pre.alias(c.name("out")), pl.lit(c.index).alias(c.name("from"))]
        gone = pl.any_horizontal(superseded)
        maybe = pl.any_horizontal([p for p, _ in pending]) & (pre == ELIGIBLE)
        out = (
            pl.when(gone)
            .then(pl.lit(Outcome.NOT_APPLICABLE.value))
            .when(maybe)
            .then(pl.lit(UNDETERMINED))
            .otherwise(pre)
        )
        chain: Any = None
        for cond, index in pending:  # the first pending overrider in id order, as setdefault
            hit = ~gone & maybe & cond
            chain = (pl.when(hit) if chain is None else chain.when(hit)).then(pl.lit(index))
        source = chain.otherwise(pl.lit(c.index))
        return [out.alias(c.name("out")), source.alias(c.name("from"))]

    def _funding(self, c: CompiledRule) -> list[pl.Expr]:
        """Final amount (null unless eligible, as Decision.paid) and each source's share."""
        eligible = pl.col(c.name("out")) == ELIGIBLE
        paid: pl.Expr = pl.when(eligible).then(pl.col(c.name("cents")))
        exprs = [
            paid.alias(c.name("amount")),
            pl.when(eligible).then(pl.col(c.name("kind"))).alias(c.name("akind")),
        ]
        if not c.sources:
            return exprs
        unknown = pl.any_horizontal([pl.col(c.name(f"qu{k}")) for k in range(c.sources)])
        left = paid
        for k in range(c.sources):
            quota = pl.col(c.name(f"q{k}"))
            capped = to_cents(pl.max_horizontal(quota, pl.lit(0)), SCALE)
            want: pl.Expr = (
                pl.when(quota.is_null()).then(left).otherwise(pl.min_horizontal(left, capped))
            )
            share: pl.Expr = pl.when(left <= 0).then(pl.lit(0)).otherwise(want)
            got = pl.when(unknown | paid.is_null()).then(None).otherwise(share).cast(pl.Int64)
            exprs.append(got.alias(c.name(f"s{k}")))
            left = left - got
        return exprs

    # -- missing lists -----------------------------------------------------------------------

    def missing(self, c: CompiledRule, masks: Sequence[int]) -> tuple[str, ...]:
        """The missing list for one combination of check masks, ranked by the core."""
        paths = [c.compiler.paths_of(m) for m in masks if m]
        return rank_missing(paths)


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
