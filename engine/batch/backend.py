"""Backends decide a chunk of cases for batch evaluation: (case id, facts) in, result rows out.

The batch pipeline (engine.batch) reads, converts, allocates budgets and writes; a backend only
decides. `compiled` runs `engine.evaluate.decide` on the compiled closures, case by case: the
reference for every other backend. `plan` (engine.batch_plan) is the same decisions without
trace records, and the default. A columnar backend (the typed AST compiled to a dataframe or
SQL engine) implements `Backend`, registers in `engine.batch_chunk.BACKENDS`, and is tested
against `compiled` as `plan` is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import DecimalException
from typing import Any, Protocol

from clause.engine.batch.facts import RowError
from clause.engine.batch.write import ResultRow
from clause.engine.decide.core import Decision, decide, funding_quota
from clause.engine.expr.values import EvalError
from clause.engine.model import Package

Case = tuple[str, Mapping[str, Any]]  # (case id, normalised facts)


@dataclass(frozen=True)
class BackendConfig:
    """What every backend is told: the decision date, the rules wanted, and whether to record
    each funding source's quota so the pipeline can allocate budgets in input order."""

    on: date
    rule_ids: frozenset[str] | None = None
    chains: bool = False


class Backend(Protocol):
    """Decides cases. Results come back in the order of `cases`: for each case its decided
    rules, sorted by rule id, or the RowError that stopped it (an error in an expression)."""

    def decide(self, cases: Sequence[Case]) -> list[list[ResultRow] | RowError]: ...


def decide_each(
    cases: Sequence[Case], decide_case: Callable[[str, Mapping[str, Any]], list[ResultRow]]
) -> list[list[ResultRow] | RowError]:
    """Run `decide_case` on every case; an expression error rejects that row, not the chunk."""
    out: list[list[ResultRow] | RowError] = []
    for case_id, facts in cases:
        try:
            out.append(decide_case(case_id, facts))
        except EvalError as err:
            where = f" ({err.span.file}:{err.span.line}:{err.span.col})" if err.span else ""
            out.append(RowError("", f"{err.code} {err.message}{where}"))
        except DecimalException:
            out.append(RowError("", "E302 a number in this row is too large to compute with"))
    return out


class CompiledBackend:
    """One `decide(trace=False)` per case: compiled closures, no trace, no budget."""

    def __init__(self, package: Package, config: BackendConfig) -> None:
        self.package, self.config = package, config
        self.rule_ids = set(config.rule_ids) if config.rule_ids is not None else None

    def decide(self, cases: Sequence[Case]) -> list[list[ResultRow] | RowError]:
        return decide_each(cases, self._case)

    def _case(self, case_id: str, facts: Mapping[str, Any]) -> list[ResultRow]:
        decisions = decide(self.package, facts, self.config.on, self.rule_ids, trace=False)
        return [self._row(case_id, d, facts) for d in decisions]

    def _row(self, case_id: str, d: Decision, facts: Mapping[str, Any]) -> ResultRow:
        amount = d.amount.amount if d.amount is not None else None
        chain: tuple[tuple[str, Any], ...] = ()
        if self.config.chains and amount is not None and d.version is not None and d.funding:
            on = self.config.on  # quotas read the decision date, as decide() does
            chain = tuple((s.fund, funding_quota(s, facts, on)) for s in d.version.funding)
        return ResultRow(
            case_id,
            d.rule.id,
            d.version.number if d.version is not None else None,
            d.outcome,
            amount,
            d.amount.kind if d.amount is not None else None,
            tuple((s.fund, s.amount) for s in d.funding),
            d.missing,
            chain,
        )
