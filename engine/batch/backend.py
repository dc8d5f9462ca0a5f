"""Backends decide a chunk of cases for batch evaluation: (case id, facts) in, result rows out.

The batch pipeline (engine.batch.run) reads, converts, allocates budgets and writes; a backend
only decides. `record` runs the decision core (`engine.decide.decide`) with the null sink, case
by case. Any other backend (a columnar one, say) implements `Backend`, registers in
`engine.batch.chunk.BACKENDS`, and is held to `record` by the differential tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import DecimalException
from typing import Any, Protocol

from clause.engine.batch.facts import RowError
from clause.engine.batch.write import ResultRow
from clause.engine.decide import Decision, Outcome, decide
from clause.engine.decide.funding import bounds_of
from clause.engine.expr.values import EvalError
from clause.engine.library import Library
from clause.engine.messages import msg

Case = tuple[str, Mapping[str, Any]]  # (case id, normalised facts)


@dataclass(frozen=True)
class BackendConfig:
    """What every backend is told: the decision date, and whether to keep each funding
    source's quota on the rows so the pipeline can allocate budgets in input order."""

    on: date
    chains: bool = False


class Backend(Protocol):
    """Decides cases. Results come back in the order of `cases`: for each case every rule
    decided, sorted by rule id, or the RowError that stopped it (an error in an expression).
    Selecting rules for output happens after, in the pipeline."""

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
            out.append(RowError("", msg("row.eval", code=err.code, reason=err.reason, where=where)))
        except DecimalException:
            out.append(RowError("", msg("row.too_large")))
    return out


class RecordBackend:
    """The decision core per case, with the null sink: compiled closures, no trace records."""

    def __init__(self, library: Library, config: BackendConfig) -> None:
        self.library, self.config = library, config

    def decide(self, cases: Sequence[Case]) -> list[list[ResultRow] | RowError]:
        return decide_each(cases, self._case)

    def _case(self, case_id: str, facts: Mapping[str, Any]) -> list[ResultRow]:
        decisions = decide(self.library, facts, self.config.on)
        return [result_row(case_id, d, self.config.chains) for d in decisions]


def result_row(case_id: str, d: Decision, chains: bool = False) -> ResultRow:
    """A decision as one output row; with `chains`, the (fund, quota) chain of a payable
    amount, for the budget to be spent in input order."""
    amount = d.amount
    version = d.version
    funding = d.funding
    chain: tuple[tuple[str, Any], ...] = ()
    bounds = None
    if chains and funding and d.outcome is Outcome.ELIGIBLE and amount is not None:
        chain = tuple((s.fund, s.quota) for s in funding)
        bounds = bounds_of(amount) if amount.amount is None else None
    return ResultRow(
        case_id,
        d.rule.id,
        None if version is None else version.number,
        d.outcome,  # a StrEnum: written as its value
        None if amount is None else amount.amount,
        None if amount is None else amount.kind,
        tuple((s.fund, s.amount) for s in funding) if funding else (),
        d.missing,
        chain,
        bounds,
    )
