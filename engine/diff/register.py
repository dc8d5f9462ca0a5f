"""The effect of a library change on a register: whose decisions change, and each fund's totals.

In: the library before and after, a register (CSV, JSON Lines or Parquet), a decision date and
optionally a budget and a file for the changed rows. Out: a RegisterEffect with the totals per
rule and fund under each state (the same totals two `clause eval` runs give) and the cases
whose outcome or amount changes. The register is read once, chunk by chunk, each chunk decided
under both states, so memory stays bounded whatever its size (but for the case ids seen, kept
to reject a repeated one as `clause eval` does).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from clause.engine.batch.chunk import ChunkWorker
from clause.engine.batch.ids import SeenIds
from clause.engine.batch.read import open_source
from clause.engine.batch.run import BatchOptions, make_job, spend_budget
from clause.engine.batch.totals import OUTCOMES, Tally, yuan_text
from clause.engine.batch.write import ResultRow
from clause.engine.decide import Budget
from clause.engine.library import Library

#: Changed rows kept in memory to show; all of them go to the `out` file when one is given.
SAMPLE = 20

Decided = tuple[str, Decimal | None]  # (outcome, amount)


@dataclass
class RegisterEffect:
    """Totals under each state and the cases whose decisions change."""

    source: str
    on: date
    before: Tally = field(default_factory=Tally)
    after: Tally = field(default_factory=Tally)
    funds: tuple[str, ...] = ()
    cases_changed: int = 0
    rows_changed: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.after.rows_read

    def rule_rows(self) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(rule, before, after): outcome counts and amounts per rule, every rule of either."""
        for rule in sorted(set(self.before.rules) | set(self.after.rules)):
            yield rule, _rule(self.before, rule), _rule(self.after, rule)

    def fund_rows(self) -> Iterator[tuple[str, str, str]]:
        """(fund, allocated before, allocated after)."""
        for fund in self.funds:
            before = self.before.funds.get(fund)
            after = self.after.funds.get(fund)
            yield (
                fund,
                yuan_text(before.allocated if before else Decimal(0)),
                yuan_text(after.allocated if after else Decimal(0)),
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.source,
            "date": self.on.isoformat(),
            "rows_read": self.rows_read,
            "rows_rejected": {
                "before": self.before.rows_rejected,
                "after": self.after.rows_rejected,
            },
            "cases_changed": self.cases_changed,
            "decisions_changed": self.rows_changed,
            "rules": [
                {"rule": rule, "before": before, "after": after}
                for rule, before, after in self.rule_rows()
            ],
            "funds": [
                {"fund": fund, "before": before, "after": after}
                for fund, before, after in self.fund_rows()
            ],
            "sample": self.sample,
        }


def _rule(tally: Tally, rule: str) -> dict[str, Any]:
    totals = tally.rules.get(rule)
    if totals is None:
        return {"outcomes": {}, "amount": "0.00"}
    outcomes = {o: totals.outcomes[o] for o in OUTCOMES if totals.outcomes[o]}
    return {"outcomes": outcomes, "amount": yuan_text(totals.amount)}


def compare_register(
    old: Library,
    new: Library,
    source: Path,
    options: BatchOptions,
    out: Path | None = None,
) -> RegisterEffect:
    """Decide every row of the register under both libraries and compare (see module doc).
    Raises DiagnosticError/InputError as `clause eval` does for an unusable register."""
    funds = tuple(dict.fromkeys([*old.funds, *new.funds]))
    effect = RegisterEffect(str(source), options.on, funds=funds)
    reader = open_source(source, options.encoding)
    sides = []
    try:
        for library in (old, new):
            job = replace(make_job(library, reader, options), budgeted=True, out_kind=None)
            budget = Budget(dict(options.budget)) if options.budget is not None else None
            sides.append((ChunkWorker(job, library), budget))
        seen = SeenIds()  # a repeated case id is rejected on both sides, as `clause eval` does
        with _open(out) as sink:
            for chunk in reader.chunks(options.chunk_size):
                (a, old_budget), (b, new_budget) = sides
                first = a.run(chunk)
                repeats = seen.repeats(first.ids)
                old_result = a.run(chunk, repeats) if repeats else first
                before = _decided(old_result, old_budget, effect.before, options)
                after = _decided(b.run(chunk, repeats), new_budget, effect.after, options)
                _compare(before, after, effect, sink)
    finally:
        reader.close()
    return effect


def _decided(
    result: Any, budget: Budget | None, tally: Tally, options: BatchOptions
) -> dict[str, dict[str, Decided]]:
    """One side's rows of a chunk, funded in input order, tallied, and keyed by case."""
    tally.merge(result.tally)
    by_case: dict[str, dict[str, Decided]] = {}
    for row in result.rows or ():
        spent: ResultRow = spend_budget(row, budget)
        if options.rule_ids is None or spent.rule in options.rule_ids:
            tally.add_funding(spent)
        by_case.setdefault(spent.case_id, {})[spent.rule] = (spent.outcome, spent.amount)
    return by_case


def _compare(
    before: Mapping[str, Mapping[str, Decided]],
    after: Mapping[str, Mapping[str, Decided]],
    effect: RegisterEffect,
    sink: IO[str] | None,
) -> None:
    for case_id in dict.fromkeys([*before, *after]):
        old, new = before.get(case_id, {}), after.get(case_id, {})
        changed = [
            (rule, old.get(rule), new.get(rule))
            for rule in sorted(set(old) | set(new))
            if old.get(rule) != new.get(rule)
        ]
        if not changed:
            continue
        effect.cases_changed += 1
        for rule, was, now in changed:
            effect.rows_changed += 1
            record = {"case_id": case_id, "rule": rule, "before": _side(was), "after": _side(now)}
            if sink is not None:
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            if len(effect.sample) < SAMPLE:
                effect.sample.append(record)


def _side(decided: Decided | None) -> dict[str, str | None] | None:
    if decided is None:
        return None
    outcome, amount = decided
    return {"outcome": str(outcome), "amount": None if amount is None else format(amount, "f")}


class _open:
    """The changed-rows file, written under a partial name and renamed when complete."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.partial") if path is not None else None
        self.stream: IO[str] | None = None

    def __enter__(self) -> IO[str] | None:
        if self.partial is not None:
            self.stream = self.partial.open("w", encoding="utf-8")
        return self.stream

    def __exit__(self, kind: object, *rest: object) -> None:
        if self.stream is None or self.partial is None or self.path is None:
            return
        self.stream.close()
        if kind is None:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)
