"""Totals of a batch run: decisions per rule and outcome, amounts, and money per fund.

In: result rows, added in whichever process decided them; parts merge exactly (counters and
decimals), so the totals do not depend on how the register was chunked. Out: BatchSummary,
its JSON form (`clause eval --format json`) and the reconciliation read = decided + rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

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


@dataclass
class RuleTotals:
    outcomes: Counter[str] = field(default_factory=Counter)
    amount: Decimal = ZERO  # eligible decisions with a known amount
    amount_unknown: int = 0  # eligible, amount not known (not configured, claim missing…)
    uncovered: Decimal = ZERO  # what no funding source could cover
    split_unknown: int = 0  # eligible with an amount, split between funds not known (quota)
    split_unknown_amount: Decimal = ZERO  # the sum of those amounts

    def merge(self, other: RuleTotals) -> None:
        self.outcomes.update(other.outcomes)
        self.amount += other.amount
        self.amount_unknown += other.amount_unknown
        self.uncovered += other.uncovered
        self.split_unknown += other.split_unknown
        self.split_unknown_amount += other.split_unknown_amount


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

    def add(self, row: ResultRow, times: int = 1) -> None:
        """Count `row` (`times` rows equal to it: the columnar path tallies by groups)."""
        totals = self.rules.get(row.rule)
        if totals is None:
            totals = self.rules[row.rule] = RuleTotals()
        totals.outcomes[row.outcome] += times
        if row.outcome == "eligible":
            if row.amount is None:
                totals.amount_unknown += times
            else:
                totals.amount += row.amount * times

    def add_funding(self, row: ResultRow, times: int = 1) -> None:
        if row.amount is None or not row.funding:
            return
        if any(share is None for _, share in row.funding):  # a quota fact is missing
            self.rules[row.rule].split_unknown += times
            self.rules[row.rule].split_unknown_amount += row.amount * times
            return
        left = row.amount
        for fund, share in row.funding:
            assert share is not None
            totals = self.funds.get(fund)
            if totals is None:
                totals = self.funds[fund] = FundTotals()
            totals.allocated += share * times
            totals.cases += times if share > 0 else 0
            if left > share:
                totals.passed_on += (left - share) * times
            left -= share
        if left > 0:
            self.rules[row.rule].uncovered += left * times

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
                }
                for rule, r in sorted(t.rules.items())
            ],
            "funds": [self.fund_json(fund) for fund in self.funds],
            **self._record_path(),
        }

    def _record_path(self) -> dict[str, Any]:
        """What the columnar backend could not decide itself, never silently: the rows it
        handed whole to the record path and the rules it does not compile (with why)."""
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
        value = value.quantize(ZERO)
    return format(value, "f")
