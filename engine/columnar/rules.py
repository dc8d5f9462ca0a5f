"""One rule's decision procedure compiled to Polars expressions (engine.decide.core, per column).

In: a Rule of a Library, its index, the register's columns and the decision date. Out: a
CompiledRule with expressions in three stages, each over the columns the previous added:
1. `select`: the version in force on the effective date (`?sel` = version index, or OUTSIDE,
   MISSING_EFFECTIVE, NO_VERSION) and that date, as `select_version` chooses it;
2. after parameters are joined by (effective date, locality) through Library.params_on:
   `decide`: the outcome before overrides, the unknown mask of every check in check order
   (for the missing list), the amount in cents and the funding chain's quotas.
Overrides, funding shares and missing lists are the library plan's (engine.columnar.plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from clause.engine.columnar.exprs import (
    LIMIT,
    SCALE,
    Col,
    Compiler,
    Unsupported,
    align,
    rescale,
    units,
)
from clause.engine.columnar.frame import presence
from clause.engine.decide.amounts import cents
from clause.engine.decide.reasons import Outcome
from clause.engine.expr import ast
from clause.engine.library import Library
from clause.engine.model import Amount, Condition, Money, Rule, Version

OUTSIDE, MISSING_EFFECTIVE, NO_VERSION = -1, -2, -3
Chain = Then | ChainedThen  # a when/then chain being built
_U64 = pl.UInt64


def col_name(index: int, part: str) -> str:
    return f"{index}:{part}"


def to_cents(value: pl.Expr, scale: int) -> pl.Expr:
    """A fixed-point number rounded half up (away from zero) to cents, as amounts.cents."""
    if scale <= 2:
        scaled: pl.Expr = value * 10 ** (2 - scale)
        return scaled
    step = 10 ** (scale - 2)
    magnitude = (value.abs() + step // 2) // step
    rounded: pl.Expr = pl.when(value < 0).then(-magnitude).otherwise(magnitude)
    return rounded


@dataclass
class CompiledRule:
    rule: Rule
    index: int
    compiler: Compiler
    params: tuple[str, ...]  # parameter ids the rule reads
    locality: str | None  # the column of the subject's locality, if any
    select: list[pl.Expr] = field(default_factory=list)
    decide: list[pl.Expr] = field(default_factory=list)
    slots: int = 0  # check masks per row, in check order
    sources: int = 0  # funding sources (most of any version)

    def name(self, part: str) -> str:
        return col_name(self.index, part)


class RuleCompiler:
    """Compiles one rule; raises Unsupported for anything it cannot express exactly."""

    def __init__(self, library: Library, rule: Rule, index: int, columns: set[str], on: date):
        self.library, self.rule, self.index, self.on = library, rule, index, on
        self.columns = columns
        params = _params_read(rule)
        self.param_columns = {p: col_name(index, f"param:{p}") for p in params}
        facts = library.env.facts
        self.compiler = Compiler(facts, on, columns, self.param_columns, _bounds(library, params))
        self.plain = Compiler(facts, on, columns, {})  # effective dates and quotas: no params
        self.plain.bits = self.compiler.bits  # one bit table per rule
        self.plain.risky = self.compiler.risky
        locality = f"{rule.subject}.locality"
        self.out = CompiledRule(
            rule, index, self.compiler, params, locality if locality in columns else None
        )

    def compile(self) -> CompiledRule:
        if presence(self.rule.subject) not in self.columns:
            raise Unsupported(f"the subject {self.rule.subject} is not an object of the facts")
        self._select()
        self._decide()
        return self.out

    # -- stage 1: the version in force -----------------------------------------------------

    def _select(self) -> None:
        rule, on = self.rule, self.on
        in_force = self.library.in_force(rule)
        chain: Chain | None = None
        effs: list[pl.Expr] = []
        unknown: list[pl.Expr] = []
        for i, version in enumerate(rule.versions):
            if version.effective_date is None:
                eff: pl.Expr = pl.lit(on, dtype=pl.Date)
                known: pl.Expr = pl.lit(True)
            else:
                col = self.plain.compile(version.effective_date.node)
                eff = col.value
                known = col.mask == 0 if col.mask is not None else pl.lit(True)
                if col.mask is not None:
                    unknown.append(col.mask)
            effs.append(eff)
            outside = known & ~_contains(in_force.start, in_force.end, eff)
            inside = known & _contains(version.window.start, version.window.end, eff)
            chain = _when(chain, outside, pl.lit(OUTSIDE))
            chain = _when(chain, inside, pl.lit(i))
        missing = pl.lit(0, dtype=_U64)
        for m in unknown:
            missing = missing | m
        assert chain is not None
        sel = chain.otherwise(
            pl.when(missing != 0).then(pl.lit(MISSING_EFFECTIVE)).otherwise(pl.lit(NO_VERSION))
        ).cast(pl.Int8)
        self.out.select.append(sel.alias(self.out.name("sel")))
        self.out.select.append(missing.alias(self.out.name("effmask")))
        # the effective date of the version chosen (or of the one found outside the document)
        eff_chain: Chain | None = None
        for i, eff in enumerate(effs):
            eff_chain = _when(eff_chain, sel == i, eff)
        assert eff_chain is not None
        self.out.select.append(eff_chain.otherwise(None).alias(self.out.name("eff")))

    # -- stage 2: checks, outcome, amount, quotas ------------------------------------------

    def _decide(self) -> None:
        out = self.out
        sel = pl.col(out.name("sel"))
        per_version = []
        for i, version in enumerate(self.rule.versions):
            code, masks = self._version(version)
            per_version.append((i, masks, code))
        out.slots = max([len(m) for _, m, _ in per_version] + [1])
        chain: Chain | None = None
        for i, _masks, code in per_version:
            chain = _when(chain, sel == i, code)
        chain = _when(chain, sel == OUTSIDE, pl.lit(Outcome.NOT_APPLICABLE.value))
        chain = _when(chain, sel == MISSING_EFFECTIVE, pl.lit(Outcome.UNDETERMINED.value))
        assert chain is not None
        out.decide.append(
            chain.otherwise(pl.lit(Outcome.NOT_APPLICABLE.value)).alias(out.name("pre"))
        )
        for k in range(out.slots):
            slot: Chain | None = None
            for i, masks, _ in per_version:
                slot = _when(slot, sel == i, masks[k] if k < len(masks) else pl.lit(0, _U64))
            first = pl.col(out.name("effmask")) if k == 0 else pl.lit(0, dtype=_U64)
            slot = _when(slot, sel == MISSING_EFFECTIVE, first)
            assert slot is not None
            out.decide.append(slot.otherwise(pl.lit(0, _U64)).alias(out.name(f"m{k}")))
        self._amounts()
        self._quotas()

    def _checks(self, conditions: tuple[Condition, ...]) -> list[Col]:
        cols = []
        for cond in conditions:
            col = self.compiler.compile(cond.expr.node)
            if col.kind != "bool":
                raise Unsupported("a condition that is not a boolean")
            cols.append(col)
        return cols

    def _version(self, version: Version) -> tuple[pl.Expr, list[pl.Expr]]:
        """The outcome before overrides under this version, and its checks' unknown masks."""
        if self.rule.kind == "obligation":
            return self._obligation(version)
        conds = self._checks(version.conditions)
        unless = self._checks(version.unless)
        failed = _any([c.value == False for c in conds])  # noqa: E712 - Kleene: null is not False
        excepted = _any([c.value == True for c in unless])  # noqa: E712
        masks = [_mask(c) for c in (*conds, *unless)]
        chain: Chain = pl.when(failed | excepted).then(pl.lit(Outcome.INELIGIBLE.value))
        if version.once:
            granted, granted_mask = self._once(version)
            chain = chain.when(granted).then(pl.lit(Outcome.INELIGIBLE.value))
            masks.append(granted_mask)
        open_ = _any([m != 0 for m in masks])
        code = (
            chain.when(open_)
            .then(pl.lit(Outcome.UNDETERMINED.value))
            .otherwise(pl.lit(Outcome.ELIGIBLE.value))
        )
        return code, masks

    def _obligation(self, version: Version) -> tuple[pl.Expr, list[pl.Expr]]:
        applies = self._checks(version.conditions)
        requires = self._checks(version.requires)
        off = _any([c.value == False for c in applies])  # noqa: E712
        broken = _any([c.value == False for c in requires])  # noqa: E712
        scope_known = ~_any([_mask(c) != 0 for c in applies])
        masks = [_mask(c) for c in (*applies, *requires)]
        code = (
            pl.when(off)
            .then(pl.lit(Outcome.NOT_APPLICABLE.value))
            .when(broken & scope_known)
            .then(pl.lit(Outcome.VIOLATION.value))
            .when(_any([m != 0 for m in masks]))
            .then(pl.lit(Outcome.UNDETERMINED.value))
            .otherwise(pl.lit(Outcome.COMPLIANT.value))
        )
        return code, masks

    def _once(self, version: Version) -> tuple[pl.Expr, pl.Expr]:
        """Whether the one-off benefit was granted on or before the decision date (true,
        false or null), and the mask of what is unknown, as core.earlier_grant decides."""
        program = version.once_program or self.rule.id
        path = f"{self.rule.subject}.grants"
        bit = pl.lit(1 << self.compiler.bit(path), dtype=_U64)
        if path not in self.columns:
            return pl.lit(None, dtype=pl.Boolean), bit
        grants = pl.col(path)
        item = pl.element().struct
        fields = dict(_struct_fields(self.library, self.rule.subject))
        if fields.get("program") != "string":
            raise Unsupported("a grant history without a text programme")
        when_ok = pl.lit(True)
        if fields.get("date") == "date":
            paid = item.field("date")
            when_ok = paid.is_null() | (paid <= pl.lit(self.on, dtype=pl.Date))
        hit = grants.list.eval((when_ok & (item.field("program") == program)).fill_null(False))
        granted = hit.list.any()
        vague = grants.list.eval(item.field("program").is_null()).list.any()
        unknown_program = pl.lit(1 << self.compiler.bit(f"{path}.program"), dtype=_U64)
        value = (
            pl.when(grants.is_null())
            .then(None)
            .when(granted)
            .then(True)
            .when(vague)
            .then(None)
            .otherwise(False)
        )
        mask = (
            pl.when(grants.is_null())
            .then(bit)
            .when(granted)
            .then(pl.lit(0, _U64))
            .when(vague)
            .then(unknown_program)
            .otherwise(pl.lit(0, _U64))
        )
        return value, mask

    def _amounts(self) -> None:
        out = self.out
        sel = pl.col(out.name("sel"))
        cents_chain: Chain | None = None
        kind_chain: Chain | None = None
        for i, version in enumerate(self.rule.versions):
            if version.amount is None:
                continue
            cents_chain = _when(cents_chain, sel == i, self._amount(version.amount))
            kind_chain = _when(kind_chain, sel == i, pl.lit(version.amount.kind))
        amount = cents_chain.otherwise(None) if cents_chain is not None else pl.lit(None)
        kind = kind_chain.otherwise(None) if kind_chain is not None else pl.lit(None)
        out.decide.append(amount.cast(pl.Int64).alias(out.name("cents")))
        out.decide.append(kind.cast(pl.String).alias(out.name("kind")))

    def _money(self, money: Money | None) -> Col | None:
        if money is None:
            return None
        if money.value is not None:
            n, scale = units(money.value)
            if abs(n) > LIMIT:
                raise Unsupported("an amount outside the fixed-point range")
            return Col(pl.lit(n, dtype=pl.Int64), None, "number", scale, abs(n))
        column = self.param_columns.get(money.param or "")
        if column is None:
            return None
        return Col(pl.col(column), None, "number", SCALE, self.compiler.param_bound(money.param))

    def _amount(self, amount: Amount) -> pl.Expr:
        form = amount.kind
        if form in ("fixed", "parameter", "per_other_regulation"):
            money = amount.value
            if money is not None and money.value is not None:
                return pl.lit(_static_cents(money.value), dtype=pl.Int64)
            value = self._money(money)
            return to_cents(value.value, value.scale) if value else pl.lit(None, pl.Int64)
        if form == "cap":
            cap = self._money(amount.value)
            if cap is None or amount.claimed is None:
                return pl.lit(None, dtype=pl.Int64)
            claimed = self._number(amount.claimed.node)
            claimed, cap = align(claimed, cap)
            paid = pl.max_horizontal(pl.min_horizontal(claimed.value, cap.value), pl.lit(0))
            known = claimed.value.is_not_null() & cap.value.is_not_null()
            return pl.when(known).then(to_cents(paid, cap.scale))
        if form == "per_unit":
            rate = self._money(amount.value)
            if rate is None or amount.count is None:
                return pl.lit(None, dtype=pl.Int64)
            count = self._number(amount.count.node)
            used = count
            if amount.max_count:
                top = rescale(Col(pl.lit(amount.max_count), None, "number", 0, amount.max_count),
                              count.scale)  # fmt: skip
                used = Col(pl.min_horizontal(count.value, top.value), None, "number",
                           count.scale, top.bound)  # fmt: skip
            if rate.bound * used.bound > LIMIT:
                raise Unsupported("a per-unit amount outside the fixed-point range")
            product = rate.value * pl.max_horizontal(used.value, pl.lit(0))
            known = count.value.is_not_null() & rate.value.is_not_null()
            return pl.when(known).then(to_cents(product, rate.scale + used.scale))
        if form == "percentage":
            if amount.of is None:
                return pl.lit(None, dtype=pl.Int64)
            base = self._number(amount.of.node)
            p, p_scale = units(amount.percent or Decimal(0))
            if base.bound * abs(p) > LIMIT:
                raise Unsupported("a percentage outside the fixed-point range")
            return to_cents(base.value * p, base.scale + p_scale + 2)
        raise Unsupported(f"amount form {form}")

    def _number(self, node: ast.Node) -> Col:
        col = self.compiler.compile(node)
        if col.kind != "number":
            raise Unsupported("an amount expression that is not a number")
        return col

    def _quotas(self) -> None:
        """Each funding source's quota at SCALE (null: none; `?q` flags an unknown one)."""
        out = self.out
        sel = pl.col(out.name("sel"))
        out.sources = max([len(v.funding) for v in self.rule.versions] + [0])
        for k in range(out.sources):
            quota: Chain | None = None
            unknown: Chain | None = None
            fund: Chain | None = None
            for i, version in enumerate(self.rule.versions):
                if k >= len(version.funding):
                    continue
                source = version.funding[k]
                fund = _when(fund, sel == i, pl.lit(source.fund))
                q = source.quota
                if q is None:
                    value, is_unknown = pl.lit(None, dtype=pl.Int64), pl.lit(False)
                elif isinstance(q, Decimal):
                    n, scale = units(q)
                    if scale > SCALE:
                        raise Unsupported("a quota finer than the fixed-point scale")
                    value, is_unknown = pl.lit(n * 10 ** (SCALE - scale)), pl.lit(False)
                else:
                    col = self.plain.compile(q.node)
                    if col.kind != "number" or col.scale > SCALE:
                        raise Unsupported("a quota that is not a number at the register's scale")
                    value = rescale(col, SCALE).value
                    is_unknown = value.is_null()
                quota = _when(quota, sel == i, value)
                unknown = _when(unknown, sel == i, is_unknown)
            assert quota is not None and unknown is not None and fund is not None
            out.decide.append(quota.otherwise(None).cast(pl.Int64).alias(out.name(f"q{k}")))
            out.decide.append(unknown.otherwise(False).alias(out.name(f"qu{k}")))
            out.decide.append(fund.otherwise(None).cast(pl.String).alias(out.name(f"f{k}")))


def _static_cents(value: Decimal) -> int:
    n, scale = units(cents(value))
    return int(n * 10 ** (2 - scale) if scale <= 2 else n // 10 ** (scale - 2))


def _when(chain: Chain | None, cond: pl.Expr, value: pl.Expr) -> Chain:
    """`chain` extended by one branch (a new when/then when it is None)."""
    if chain is None:
        return pl.when(cond).then(value)
    return chain.when(cond).then(value)


def _contains(start: date | None, end: date | None, day: pl.Expr) -> pl.Expr:
    ok = pl.lit(True)
    if start is not None:
        ok = ok & (day >= pl.lit(start, dtype=pl.Date))
    if end is not None:
        ok = ok & (day <= pl.lit(end, dtype=pl.Date))
    return ok


def _any(exprs: list[pl.Expr]) -> pl.Expr:
    if not exprs:
        return pl.lit(False)
    return pl.any_horizontal([e.fill_null(False) for e in exprs])


def _mask(col: Col) -> pl.Expr:
    return col.mask if col.mask is not None else pl.lit(0, dtype=_U64)


def _struct_fields(library: Library, subject: str) -> list[tuple[str, str]]:
    from clause.engine.columnar.frame import leaves

    for leaf in leaves(library.env.facts):
        if leaf.name == f"{subject}.grants" and leaf.kind == "records":
            return list(leaf.fields)
    return []


def _params_read(rule: Rule) -> tuple[str, ...]:
    found: set[str] = set()
    for version in rule.versions:
        nodes = [c.expr.node for c in (*version.conditions, *version.unless, *version.requires)]
        amount = version.amount
        if amount is not None:
            nodes += [e.node for e in (amount.claimed, amount.count, amount.of) if e is not None]
            if amount.value is not None and amount.value.param:
                found.add(amount.value.param)
        for node in nodes:
            for n in ast.walk(node):
                if isinstance(n, ast.Path) and n.root == "param":
                    found.add(".".join(n.keys))
    return tuple(sorted(found))


def _bounds(library: Library, params: tuple[str, ...]) -> dict[str, int]:
    """The largest magnitude each parameter takes, in fixed-point units (values it cannot
    carry make their rows risky at run time, so they do not count here)."""
    from clause.engine.columnar.frame import to_units

    out: dict[str, int] = {}
    for pid in params:
        param = library.parameters.get(pid)
        values = [v.value for v in param.values] if param is not None else []
        found = [
            abs(n) for v in values if isinstance(v, Decimal) and (n := to_units(v)) is not None
        ]
        out[pid] = max(found, default=0)
    return out
