"""Totals of a batch run: decisions per rule and outcome, amounts, money per rule and fund,
the facts that leave cases undetermined, and rejected rows by reason.

In: result rows, a case at a time, added in whichever process decided them; parts merge
exactly (counters and decimals), so the totals do not depend on how the register was chunked.
Out: BatchSummary, its JSON form (`clause eval --format json`), what the run manifest and the
dashboard show, and the reconciliation read = decided + rejected. Everything here is bounded
by the number of rules, funds and fact paths, never by the register's length.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from typing import Any, ParamSpec, TypeVar

from clause.engine.batch.write import ResultRow
from clause.engine.messages import Text

# every outcome, in the order totals show them: the deciding ones first
OUTCOMES = (
    "eligible",
    "ineligible",
    "compliant",
    "violation",
    "exception_needed",
    "not_applicable",
    "undetermined",
)
ZERO = Decimal("0.00")
#: sums and products of money, exact whatever their size: a total never depends on the order
#: rows are added in (the columnar path adds groups of equal rows, the record path row by row)
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _exact(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """`method` run with money arithmetic exact (EXACT)."""

    @functools.wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(EXACT):
            return method(*args, **kwargs)

    return run


@dataclass
class RuleTotals:
    outcomes: Counter[str] = field(default_factory=Counter)
    amount: Decimal = ZERO  # eligible decisions with a known amount
    amount_unknown: int = 0  # eligible, amount not known (not configured, claim missing…)
    uncovered: Decimal = ZERO  # what no funding source could cover
    split_unknown: int = 0  # eligible with an amount, split between funds not known (quota)
    split_unknown_amount: Decimal = ZERO  # the sum of those amounts
    funds: dict[str, Decimal] = field(default_factory=dict)  # allocated, per fund
    # undetermined decisions by the facts they lack (as listed, most decisive first); a rule
    # reads a handful of facts, so there are few distinct lists however many rows
    missing_lists: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def merge(self, other: RuleTotals) -> None:
        self.outcomes.update(other.outcomes)
        self.amount += other.amount
        self.amount_unknown += other.amount_unknown
        self.uncovered += other.uncovered
        self.split_unknown += other.split_unknown
        self.split_unknown_amount += other.split_unknown_amount
        for fund, amount in other.funds.items():
            self.funds[fund] = self.funds.get(fund, ZERO) + amount
        self.missing_lists.update(other.missing_lists)

    @property
    def missing(self) -> Counter[str]:
        """Undetermined decisions listing each fact."""
        out: Counter[str] = Counter()
        for facts, count in self.missing_lists.items():
            for fact in facts:
                out[fact] += count
        return out

    @property
    def missing_alone(self) -> Counter[str]:
        """Undetermined decisions for which the fact is the only one missing."""
        return Counter({f[0]: n for f, n in self.missing_lists.items() if len(f) == 1})


@dataclass
class FundTotals:
    allocated: Decimal = ZERO
    passed_on: Decimal = ZERO  # shortfall this source passed to the next one (or uncovered)
    cases: int = 0

    def merge(self, other: FundTotals) -> None:
        self.allocated += other.allocated
        self.passed_on += other.passed_on
        self.cases += other.cases


@dataclass
class Tally:
    """Counts and sums of a part of the register; parts merge exactly (decimals, counters)."""

    rows_read: int = 0
    rows_decided: int = 0
    rows_rejected: int = 0
    rules: dict[str, RuleTotals] = field(default_factory=dict)
    funds: dict[str, FundTotals] = field(default_factory=dict)
    rejected_by: Counter[str] = field(default_factory=Counter)  # fact path (or "row")
    record_path: int = 0  # rows the columnar backend handed to the record path (decided whole)
    malformed_records: int = 0  # CSV records that ran over several lines and were rejected
    lines_in_malformed: int = 0  # the lines those records took between them
    duplicate_ids: int = 0  # rows rejected because an earlier row had their case id
    # the first rejected row (in input order) of each key of rejected_by: (row, line, reason)
    rejected_first: dict[str, tuple[int, int | None, Text]] = field(default_factory=dict)
    missing_cases: Counter[str] = field(default_factory=Counter)  # cases a missing fact blocks

    # How a backend tallies (engine.batch.chunk does it for the record path): per decided case,
    # `add_case(rows)` with the rows of the rules shown (or `add(row)` per rule and then
    # `count_missing_case(facts)` with the facts missing from any of the case's undetermined
    # decisions); `add_funding(row)` per row once its shares are final; `reject(...)` per row
    # that could not be decided. `times` counts that many equal rows or cases at once, for a
    # backend that tallies groups. A backend that never calls `count_missing_case` still gets
    # the per-decision figures; `missing_ranked` then says the per-case ones are not known.

    def add_case(self, rows: Sequence[ResultRow], times: int = 1) -> None:
        """The decided rules of one case (`times` equal cases): each row counted, and each fact
        missing from any of its undetermined decisions counted once for the case."""
        blocked: list[str] = []
        for row in rows:
            missing = self.add(row, times)
            if missing:
                blocked.extend(missing)
        if blocked:
            self.count_missing_case(blocked, times)

    def count_missing_case(self, facts: Sequence[str], times: int = 1) -> None:
        """A case (`times` cases) left undetermined somewhere for lack of `facts`: each fact
        counted once per case, however many of its decisions list it."""
        cases = self.missing_cases
        for fact in set(facts) if len(facts) > 1 else facts:
            cases[fact] += times

    @_exact
    def add(self, row: ResultRow, times: int = 1) -> tuple[str, ...]:
        """Count one decided rule (`times` equal rows); return the facts it lacks when
        undetermined, else (). Per-case counts of missing facts are count_missing_case's."""
        totals = self.rules.get(row.rule)
        if totals is None:
            totals = self.rules[row.rule] = RuleTotals()
        outcome = row.outcome
        totals.outcomes[outcome] += times
        if outcome == "eligible":
            if row.amount is None:
                totals.amount_unknown += times
            else:
                totals.amount += row.amount * times
        elif outcome == "undetermined" and row.missing:
            totals.missing_lists[row.missing] += times
            return row.missing
        return ()

    def reject(self, key: str, row: int, line: int | None, reason: Text) -> None:
        """A row that could not be decided, counted under `key` (a fact path, or "row"); the
        first of each key (by row) is kept with its reason, a catalog message where there is
        one, so the dashboard can show it in the page's language."""
        self.rows_rejected += 1
        self.rejected_by[key] += 1
        first = self.rejected_first.get(key)
        if first is None or row < first[0]:
            self.rejected_first[key] = (row, line, reason)

    @_exact
    def add_funding(self, row: ResultRow, times: int = 1) -> None:
        """The funding of one decided rule (`times` equal rows), once its shares are final."""
        if row.amount is None or not row.funding:
            return
        rule = self.rules[row.rule]
        if any(share is None for _, share in row.funding):  # a quota fact is missing
            rule.split_unknown += times
            rule.split_unknown_amount += row.amount * times
            return
        left = row.amount
        for fund, share in row.funding:
            assert share is not None
            totals = self.funds.get(fund)
            if totals is None:
                totals = self.funds[fund] = FundTotals()
            totals.allocated += share * times
            rule.funds[fund] = rule.funds.get(fund, ZERO) + share * times
            totals.cases += times if share > 0 else 0
            if left > share:
                totals.passed_on += (left - share) * times
            left -= share
        if left > 0:
            rule.uncovered += left * times

    @_exact
    def merge(self, other: Tally) -> None:
        self.rows_read += other.rows_read
        self.rows_decided += other.rows_decided
        self.rows_rejected += other.rows_rejected
        for rule, totals in other.rules.items():
            self.rules.setdefault(rule, RuleTotals()).merge(totals)
        for fund, ftotals in other.funds.items():
            self.funds.setdefault(fund, FundTotals()).merge(ftotals)
        self.rejected_by.update(other.rejected_by)
        self.record_path += other.record_path
        self.malformed_records += other.malformed_records
        self.lines_in_malformed += other.lines_in_malformed
        self.duplicate_ids += other.duplicate_ids
        for key, first in other.rejected_first.items():
            mine = self.rejected_first.get(key)
            if mine is None or first[0] < mine[0]:
                self.rejected_first[key] = first
        self.missing_cases.update(other.missing_cases)

    def missing_ranked(self) -> list[tuple[str, int | None, int, int]]:
        """(fact, cases it leaves undetermined, undetermined decisions listing it, decisions it
        alone blocks), the fact blocking most cases first: the data to collect first. Cases
        are None when the rows were not tallied a case at a time (add_case)."""
        decisions: Counter[str] = Counter()
        alone: Counter[str] = Counter()
        for totals in self.rules.values():
            decisions.update(totals.missing)
            alone.update(totals.missing_alone)
        cases = self.missing_cases
        per_case = bool(cases) or not decisions
        order = sorted(decisions.keys() | cases.keys(), key=lambda p: (-cases[p], -decisions[p], p))
        return [(p, cases[p] if per_case else None, decisions[p], alone[p]) for p in order]


@dataclass(frozen=True)
class BatchSummary:
    """The result of a run: what was read, written and rejected, totals per rule and fund."""

    input: str
    output: str | None
    rejects: str
    on: date
    tally: Tally
    funds: tuple[str, ...]  # every fund of the package, in funds.yaml order
    budget: Mapping[str, Decimal] | None = None
    remaining: Mapping[str, Decimal] | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    backend: str = "record"
    record_rules: Mapping[str, Text] = field(default_factory=dict)  # columnar: rule -> why not
    manifest: str | None = None  # the run manifest written (engine.batch.filed)
    report: str | None = None  # the dashboard written (--report)

    @property
    def reconciled(self) -> bool:
        t = self.tally
        return t.rows_read == t.rows_decided + t.rows_rejected

    def to_json(self) -> dict[str, Any]:
        t = self.tally
        return {
            "input": self.input,
            "output": self.output,
            "rejects": self.rejects,
            **({"manifest": self.manifest} if self.manifest is not None else {}),
            **({"report": self.report} if self.report is not None else {}),
            "date": self.on.isoformat(),
            "rows_read": t.rows_read,
            "rows_decided": t.rows_decided,
            "rows_rejected": t.rows_rejected,
            "reconciled": self.reconciled,
            "rejected_by": dict(sorted(t.rejected_by.items())),
            "malformed_records": t.malformed_records,
            "lines_in_malformed": t.lines_in_malformed,
            "duplicate_ids": t.duplicate_ids,
            "rules": [
                {
                    "rule": rule,
                    "outcomes": {o: r.outcomes[o] for o in OUTCOMES if r.outcomes[o]},
                    "amount": yuan_text(r.amount),
                    "amount_unknown": r.amount_unknown,
                    "uncovered": yuan_text(r.uncovered),
                    "split_unknown": r.split_unknown,
                    "split_unknown_amount": yuan_text(r.split_unknown_amount),
                    "funds": {f: yuan_text(r.funds[f]) for f in self.funds if f in r.funds},
                    "missing": dict(sorted(r.missing.items(), key=lambda kv: (-kv[1], kv[0]))),
                }
                for rule, r in sorted(t.rules.items())
            ],
            "funds": [self.fund_json(fund) for fund in self.funds],
            "missing": [
                {"fact": fact, "cases": cases, "decisions": decisions, "alone": alone}
                for fact, cases, decisions, alone in t.missing_ranked()
            ],
            **self.record_path_json(),
        }

    def record_path_json(self) -> dict[str, Any]:
        """What the columnar backend could not decide itself, never silently: the rows it
        handed whole to the record path and the rules it does not compile (with why). The
        summary and the run manifest both show it."""
        if self.backend != "columnar":
            return {}
        return {
            "record_path": {
                "rows": self.tally.record_path,
                "rules": {rule: str(why) for rule, why in sorted(self.record_rules.items())},
            }
        }

    def fund_json(self, fund: str) -> dict[str, Any]:
        totals = self.tally.funds.get(fund, FundTotals())
        out: dict[str, Any] = {
            "fund": fund,
            "allocated": yuan_text(totals.allocated),
            "cases": totals.cases,
            "passed_on": yuan_text(totals.passed_on),
        }
        if self.budget is not None and fund in self.budget:
            out["quota"] = yuan_text(self.budget[fund])
            out["remaining"] = yuan_text((self.remaining or {}).get(fund, ZERO))
        return out


def yuan_text(value: Decimal) -> str:
    """Yuan with at least the cents: 400 -> 400.00, 0.125 stays 0.125."""
    if value.as_tuple().exponent > -2:  # type: ignore[operator]
        value = value.quantize(ZERO, context=EXACT)  # every digit kept, past 28 too
    return format(value, "f")
