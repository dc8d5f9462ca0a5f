"""One rule's decision procedure compiled to Polars expressions (engine.decide.core, per column).

In: a Rule of a Library, its index, the register's columns and the decision date. Out: a
CompiledRule with expressions in two stages, each over the columns the previous added:
1. `select`: the version in force on the effective date (`sel` = version index, or OUTSIDE,
   MISSING_EFFECTIVE, NO_VERSION, EVENT_NOT_HAPPENED), the version a row names (`ver`) and
   that date, as engine.decide.versions chooses them (events, dates, windows);
2. after parameters are joined by (effective date, locality) through Library.params_on:
   `decide`: the outcome before overrides (in-principle checks, periodic grant limits), the
   unknown mask of every open check in the core's order (for the missing list), the amount in
   cents with its bounds when unknown, and the funding chain's quotas (engine.columnar.forms).
Overrides, funding shares and missing lists are the library plan's (engine.columnar.plan).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from clause.engine.columnar.exprs import Col, Compiler, Unsupported
from clause.engine.columnar.forms import amount_of, earlier_grant, quota_of
from clause.engine.columnar.frame import presence
from clause.engine.decide.reasons import Outcome
from clause.engine.expr import ast
from clause.engine.library import Library
from clause.engine.model import Condition, Rule, Version

OUTSIDE, MISSING_EFFECTIVE, NO_VERSION, EVENT_NOT_HAPPENED = -1, -2, -3, -4
#: the rule's document does not govern the subject's place, or may not (engine.library)
ELSEWHERE, PLACE_UNKNOWN = -5, -6
OUT = pl.lit(OUTSIDE)
Chain = Then | ChainedThen  # a when/then chain being built
_U64 = pl.UInt64


def col_name(index: int, part: str) -> str:
    return f"{index}:{part}"


@dataclass
class CompiledRule:
    rule: Rule
    index: int
    compiler: Compiler
    params: tuple[str, ...]  # parameter ids the rule reads
    locality: str | None  # the column of the subject's locality, if any
    place: str | None = None  # the place fact that would settle the jurisdiction, if it can fail
    select: list[pl.Expr] = field(default_factory=list)
    decide: list[pl.Expr] = field(default_factory=list)
    slots: int = 0  # check masks per row, in check order
    sources: int = 0  # funding sources (most of any version)

    def name(self, part: str) -> str:
        return col_name(self.index, part)


class RuleCompiler:
    """Compiles one rule; raises Unsupported for anything it cannot express exactly."""

    def __init__(
        self,
        library: Library,
        rule: Rule,
        index: int,
        columns: set[str],
        on: date,
        compiled: Mapping[str, CompiledRule] | None = None,
    ) -> None:
        """`compiled`: the rules compiled so far (every rule this one reads is, when the
        rules are compiled in the library's decision order)."""
        self.library, self.rule, self.index, self.on = library, rule, index, on
        self.columns = columns
        params = _params_read(rule)
        self.param_columns = {p: col_name(index, f"param:{p}") for p in params}
        facts = library.env.facts
        self.compiler = Compiler(facts, on, columns, self.param_columns, _bounds(library, params))
        # effective dates and events read no parameter, only other rules' outcomes; quotas
        # read neither (engine.decide.versions, engine.decide.funding)
        self.plain = Compiler(facts, on, columns, {})
        self.bare = Compiler(facts, on, columns, {})
        for other in (self.plain, self.bare):
            other.bits = self.compiler.bits  # one bit table per rule
            other.risky = self.compiler.risky
        self._outcomes(compiled or {})
        locality = f"{rule.subject}.locality"
        self.out = CompiledRule(
            rule, index, self.compiler, params, locality if locality in columns else None
        )

    def _outcomes(self, compiled: Mapping[str, CompiledRule]) -> None:
        """The outcome columns of the rules this one reads, for `outcome("id")`."""
        from clause.engine.columnar.reads import outcome_columns, require

        plan = self.library.plan
        for rid in sorted(plan.reads.get(self.rule.id, ())):
            read = require(compiled, rid)
            overriders = {o: require(compiled, o) for o in plan.overridden_by.get(rid, ())}
            source = outcome_columns(read, self.compiler, overriders)
            self.compiler.outcomes[rid] = self.plain.outcomes[rid] = source

    def compile(self) -> CompiledRule:
        if presence(self.rule.subject) not in self.columns:
            raise Unsupported("subject", subject=self.rule.subject)
        if self.library.place_fields:
            inside, needed = self.library.jurisdiction_of(self.rule, {})
            if inside is not True:  # the document governs some places only: a column says
                self.out.place = needed[0]
        self._select()
        self._decide()
        return self.out

    def risk(self, expr: pl.Expr) -> None:
        self.compiler.risk(expr)

    def grant_fields(self) -> list[tuple[str, str]]:
        return _struct_fields(self.library, self.rule.subject)

    # -- stage 1: the version in force -----------------------------------------------------

    def _select(self) -> None:
        """The version chosen as select_version chooses it: in order, a version whose event
        did not happen is skipped, one whose date is unknown too; the first date known is
        outside the document (OUTSIDE) or inside this version's window (its index). Else
        MISSING_EFFECTIVE (with the unknown event and date of each version as its masks, in
        order), EVENT_NOT_HAPPENED (the first version skipped for its event) or NO_VERSION."""
        rule, on = self.rule, self.on
        in_force = self.library.in_force(rule)
        chain: Chain | None = None
        effs: list[pl.Expr] = []
        skipped: list[pl.Expr] = []
        self.date_masks: list[pl.Expr] = []
        for i, version in enumerate(rule.versions):
            event = self.plain.compile(version.event.expr.node) if version.event else None
            skip = (event.value == False).fill_null(False) if event else pl.lit(False)  # noqa: E712
            if version.effective_date is None:
                eff: pl.Expr = pl.lit(on, dtype=pl.Date)
                known: pl.Expr = pl.lit(True)
                date_mask = pl.lit(0, dtype=_U64)
            else:
                col = self.plain.compile(version.effective_date.node)
                eff = col.value
                date_mask = col.mask if col.mask is not None else pl.lit(0, dtype=_U64)
                known = date_mask == 0
            open_date = ~skip & ~known
            event_mask = _mask(event) if event is not None else pl.lit(0, dtype=_U64)
            self.date_masks.append(pl.when(open_date).then(event_mask).otherwise(pl.lit(0, _U64)))
            self.date_masks.append(pl.when(open_date).then(date_mask).otherwise(pl.lit(0, _U64)))
            effs.append(eff)
            skipped.append(skip)
            live = ~skip & known
            chain = _when(chain, live & ~_contains(in_force.start, in_force.end, eff), OUT)
            chain = _when(chain, live & _contains(version.window.start, version.window.end, eff),
                          pl.lit(i))  # fmt: skip
        missing = _any([m != 0 for m in self.date_masks])
        first_skipped: Chain | None = None
        for i, skip in enumerate(skipped):
            first_skipped = _when(first_skipped, skip, pl.lit(i))
        assert chain is not None and first_skipped is not None
        sel = chain.otherwise(
            pl.when(missing)
            .then(pl.lit(MISSING_EFFECTIVE))
            .when(_any(skipped))
            .then(pl.lit(EVENT_NOT_HAPPENED))
            .otherwise(pl.lit(NO_VERSION))
        )
        if self.out.place is not None:  # decided before any version: engine.decide.core
            where = pl.col(self.out.name("place"))
            sel = (
                pl.when(where == 0)
                .then(pl.lit(ELSEWHERE))
                .when(where < 0)
                .then(pl.lit(PLACE_UNKNOWN))
                .otherwise(sel)
            )
        sel = sel.cast(pl.Int8)
        name = self.out.name
        self.out.select.append(sel.alias(name("sel")))
        # the version a result row names: the one chosen, or the one whose event did not happen
        shown = pl.when(sel >= 0).then(sel).when(sel == EVENT_NOT_HAPPENED)
        self.out.select.append(shown.then(first_skipped.otherwise(None)).alias(name("ver")))
        eff_chain: Chain | None = None
        for i, eff in enumerate(effs):
            eff_chain = _when(eff_chain, sel == i, eff)
        assert eff_chain is not None
        self.out.select.append(eff_chain.otherwise(None).alias(name("eff")))
        for k, mask in enumerate(self.date_masks):
            self.out.select.append(mask.alias(name(f"d{k}")))

    # -- stage 2: checks, outcome, amount, quotas ------------------------------------------

    def _decide(self) -> None:
        out = self.out
        sel = pl.col(out.name("sel"))
        per_version = []
        for i, version in enumerate(self.rule.versions):
            code, masks = self._version(version)
            per_version.append((i, masks, code))
        dates = len(self.date_masks)
        out.slots = max([len(m) for _, m, _ in per_version] + [dates, 1])
        chain: Chain | None = None
        for i, _masks, code in per_version:
            chain = _when(chain, sel == i, code)
        chain = _when(chain, sel == OUTSIDE, pl.lit(Outcome.NOT_APPLICABLE.value))
        chain = _when(chain, sel == MISSING_EFFECTIVE, pl.lit(Outcome.UNDETERMINED.value))
        refused = Outcome.NOT_APPLICABLE if self.rule.kind == "obligation" else Outcome.INELIGIBLE
        chain = _when(chain, sel == EVENT_NOT_HAPPENED, pl.lit(refused.value))
        chain = _when(chain, sel == PLACE_UNKNOWN, pl.lit(Outcome.UNDETERMINED.value))
        assert chain is not None
        out.decide.append(
            chain.otherwise(pl.lit(Outcome.NOT_APPLICABLE.value)).alias(out.name("pre"))
        )
        for k in range(out.slots):
            slot: Chain | None = None
            for i, masks, _ in per_version:
                slot = _when(slot, sel == i, masks[k] if k < len(masks) else pl.lit(0, _U64))
            date = pl.col(out.name(f"d{k}")) if k < dates else pl.lit(0, dtype=_U64)
            slot = _when(slot, sel == MISSING_EFFECTIVE, date)
            if out.place is not None and k == 0:
                place = pl.lit(1 << self.compiler.bit(out.place), dtype=_U64)
                slot = _when(slot, sel == PLACE_UNKNOWN, place)
            assert slot is not None
            out.decide.append(slot.otherwise(pl.lit(0, _U64)).alias(out.name(f"m{k}")))
        self._amounts()
        self._quotas()

    def _checks(self, conditions: tuple[Condition, ...]) -> list[Col]:
        cols = []
        for cond in conditions:
            col = self.compiler.compile(cond.expr.node)
            if col.kind != "bool":
                raise Unsupported("condition")
            cols.append(col)
        return cols

    def _event(self, version: Version) -> list[Col]:
        """The event again, with the parameters in force: the core checks it so once the
        version is chosen (unknown there, it leaves the rule open)."""
        if version.event is None:
            return []
        return self._checks((version.event,))

    def _version(self, version: Version) -> tuple[pl.Expr, list[pl.Expr]]:
        """The outcome before overrides under this version, and its checks' unknown masks in
        the order the core lists open checks."""
        if self.rule.kind == "obligation":
            return self._obligation(version)
        conds = self._checks(version.conditions)
        event = self._event(version)
        unless = self._checks(version.unless)
        failed = _false(conds, version.conditions, principle=False)
        excepted = _any([c.value == True for c in unless])  # noqa: E712
        masks = [_mask(c) for c in (*conds, *event, *unless)]
        chain: Chain = pl.when(failed | excepted).then(pl.lit(Outcome.INELIGIBLE.value))
        if version.once_limits:
            granted, granted_mask = earlier_grant(self, version.once_limits)
            chain = chain.when(granted.fill_null(False)).then(pl.lit(Outcome.INELIGIBLE.value))
            masks.append(granted_mask)
        open_ = _any([m != 0 for m in masks])
        chain = chain.when(open_).then(pl.lit(Outcome.UNDETERMINED.value))
        deviates = _false(conds, version.conditions, principle=True)
        chain = chain.when(deviates).then(pl.lit(Outcome.EXCEPTION_NEEDED.value))
        return chain.otherwise(pl.lit(Outcome.ELIGIBLE.value)), masks

    def _obligation(self, version: Version) -> tuple[pl.Expr, list[pl.Expr]]:
        applies = [*self._event(version), *self._checks(version.conditions)]
        requires = self._checks(version.requires)
        off = _any([c.value == False for c in applies])  # noqa: E712
        broken = _false(requires, version.requires, principle=False)
        scope_known = ~_any([_mask(c) != 0 for c in applies])
        masks = [_mask(c) for c in (*applies, *requires)]
        deviates = _false(requires, version.requires, principle=True)
        code = (
            pl.when(off)
            .then(pl.lit(Outcome.NOT_APPLICABLE.value))
            .when(broken & scope_known)
            .then(pl.lit(Outcome.VIOLATION.value))
            .when(_any([m != 0 for m in masks]))
            .then(pl.lit(Outcome.UNDETERMINED.value))
            .when(deviates)
            .then(pl.lit(Outcome.EXCEPTION_NEEDED.value))
            .otherwise(pl.lit(Outcome.COMPLIANT.value))
        )
        return code, masks

    def _amounts(self) -> None:
        """The amount in cents of the version chosen, its kind, and its bounds when unknown."""
        out = self.out
        sel = pl.col(out.name("sel"))
        chains: list[Chain | None] = [None, None, None, None]
        for i, version in enumerate(self.rule.versions):
            if version.amount is None:
                continue
            cols = amount_of(self, version.amount)
            for k, value in enumerate((cols.cents, cols.lo, cols.hi)):
                chains[k] = _when(chains[k], sel == i, value)
            chains[3] = _when(chains[3], sel == i, pl.lit(version.amount.kind))
        names = ("cents", "lo", "hi", "kind")
        types = (pl.Int64, pl.Int64, pl.Int64, pl.String)
        for chain, part, dtype in zip(chains, names, types, strict=True):
            value = chain.otherwise(None) if chain is not None else pl.lit(None)
            out.decide.append(value.cast(dtype).alias(out.name(part)))

    def _quotas(self) -> None:
        """Each funding source's quota at SCALE (null: none; `?qu` flags an unknown one)."""
        out = self.out
        ver = pl.col(out.name("ver"))
        out.sources = max([len(v.funding) for v in self.rule.versions] + [0])
        for k in range(out.sources):
            quota: Chain | None = None
            unknown: Chain | None = None
            fund: Chain | None = None
            for i, version in enumerate(self.rule.versions):
                if k >= len(version.funding):
                    continue
                source = version.funding[k]
                fund = _when(fund, ver == i, pl.lit(source.fund))
                value, is_unknown = quota_of(self, source)
                quota = _when(quota, ver == i, value)
                unknown = _when(unknown, ver == i, is_unknown)
            assert quota is not None and unknown is not None and fund is not None
            out.decide.append(quota.otherwise(None).cast(pl.Int64).alias(out.name(f"q{k}")))
            out.decide.append(unknown.otherwise(False).alias(out.name(f"qu{k}")))
            out.decide.append(fund.otherwise(None).cast(pl.String).alias(out.name(f"f{k}")))


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


def _false(cols: list[Col], conditions: tuple[Condition, ...], *, principle: bool) -> pl.Expr:
    """Whether a check that is (or is not) held in principle is false (Kleene: null is not)."""
    return _any(
        [c.value == False for c, cond in zip(cols, conditions, strict=True)  # noqa: E712
         if cond.in_principle is principle]
    )  # fmt: skip


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
        checks = (*version.conditions, *version.unless, *version.requires)
        nodes = [c.expr.node for c in (*checks, *((version.event,) if version.event else ()))]
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
