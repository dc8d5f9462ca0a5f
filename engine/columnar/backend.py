"""The columnar backend: a chunk of cases decided as one Polars frame, held to `decide`.

In: (case id, normalised facts) pairs, as every Backend gets them. Out: result rows equal to
RecordBackend's, row for row. Cases go through the compiled Plan; what it cannot decide
exactly goes to the record path, counted in `stats` and never silently: whole rows marked
`?risk` (a possible run-time error, a number or parameter the columns cannot carry) and, for
every row, the rules listed in `plan.fallback` (decided by the core on a library of just those
rules: the plan sends the rules tied by overrides or `outcome()` reads there together, so each
sees the others' decisions as the whole library would give them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl

from clause.engine.batch.backend import Backend, BackendConfig, Case, RecordBackend
from clause.engine.batch.facts import RowError
from clause.engine.batch.write import ResultRow
from clause.engine.columnar.exprs import SCALE
from clause.engine.columnar.frame import EXACT, frame_of, leaves, presence
from clause.engine.columnar.missing import key_of, missing_of
from clause.engine.columnar.plan import RISK, Plan
from clause.engine.columnar.rules import CompiledRule
from clause.engine.decide.amounts import ZERO
from clause.engine.decide.funding import QUOTA_UNKNOWN
from clause.engine.library import Library


def layout_columns(library: Library) -> list[str]:
    """The columns a frame of this library's facts has (engine.columnar.frame)."""
    facts = library.env.facts
    names = [leaf.name for leaf in leaves(facts)]
    names += [presence(e) for e, f in facts.children.items() if f.type is None and not f.is_array]
    return [*names, EXACT]


class ColumnarBackend:
    """Decides chunks as frames; `stats` counts what went to the record path and why."""

    def __init__(self, library: Library, config: BackendConfig) -> None:
        self.library, self.config = library, config
        self.plan = Plan(library, config.on, layout_columns(library))
        self.record = RecordBackend(library, config)
        self.partial: Backend | None = None
        if self.plan.fallback:
            rules = tuple(r for r in library.rules_by_id if r.id in self.plan.fallback)
            self.partial = RecordBackend(replace(library, rules_by_id=rules), config)
        self.stats: Counter[str] = Counter()
        self.on_record_path = 0  # rows of the last chunk decided whole by the record path
        self._missing: dict[str, tuple[str, ...]] = {}

    def decide(self, cases: Sequence[Case]) -> list[list[ResultRow] | RowError]:
        if not cases:
            return []
        frame = frame_of(self.library.env.facts, [facts for _, facts in cases])
        decided = self.plan.run(frame)
        columns = [pl.col(RISK)]
        for c in self.plan.rules:
            columns += [pl.col(n).alias(f"{c.index}/{n}") for n in _outputs(c)]
        rows = decided.select(columns).rows()
        risky = [case for case, row in zip(cases, rows, strict=True) if row[0]]
        decided_whole = self.record.decide(risky)
        self.on_record_path = sum(not isinstance(r, RowError) for r in decided_whole)
        by_record = iter(decided_whole)
        others = iter(self.partial.decide(cases) if self.partial is not None else ())
        self.stats["rows on the record path (whole)"] += len(risky)
        if self.partial is not None:
            self.stats["rows with rules on the record path"] += len(cases)
        out: list[list[ResultRow] | RowError] = []
        for (case_id, _), row in zip(cases, rows, strict=True):
            extra = next(others) if self.partial is not None else []
            if row[0]:
                out.append(next(by_record))
                continue
            if isinstance(extra, RowError):
                out.append(extra)
                continue
            mine = self._rows(case_id, row)
            out.append(sorted([*mine, *extra], key=lambda r: r.rule) if extra else mine)
        return out

    def _rows(self, case_id: str, row: tuple[Any, ...]) -> list[ResultRow]:
        parts: list[tuple[CompiledRule, Sequence[Any]]] = []
        masks: dict[int, Sequence[int]] = {}
        at = 1
        for c in self.plan.rules:
            width = len(_outputs(c))
            values = row[at : at + width]
            at += width
            parts.append((c, values))
            masks[c.index] = values[8 : 8 + c.slots]
        return [self._row(case_id, c, v, masks) for c, v in parts if v[0]]

    def _row(
        self,
        case_id: str,
        c: CompiledRule,
        values: Sequence[Any],
        masks: Mapping[int, Sequence[int]],
    ) -> ResultRow:
        _, ver, outcome, source, second, amount, kind, pre = values[:8]
        funds = values[8 + c.slots : -2]
        missing: tuple[str, ...] = ()
        # its own list (kept when superseded), or that of the rule it waits for (engine.
        # columnar.missing)
        if pre == "undetermined" or source != c.index or second is not None:
            missing = missing_of(self.plan, key_of(source, second, masks), self._missing)
        funding: list[tuple[str, Decimal | None]] = []
        chain: list[tuple[str, Decimal | None]] = []
        for k in range(c.sources):
            fund, share, quota, unknown = funds[4 * k : 4 * k + 4]
            if fund is None:
                continue
            funding.append((fund, _cents(share)))
            q = QUOTA_UNKNOWN if unknown else (None if quota is None else _units(quota))
            chain.append((fund, q))
        paid = _cents(amount)
        # as result_row: an eligible amount with a chain carries it, and its bounds when it is
        # not known, for the pipeline to settle against a budget (engine.batch.run)
        chained = self.config.chains and bool(chain) and kind is not None
        lo, hi = values[-2:]
        bounds = (_cents(lo) or ZERO, _cents(hi)) if chained and paid is None else None
        return ResultRow(
            case_id,
            c.rule.id,
            c.rule.versions[ver].number if ver is not None else None,
            outcome,
            paid,
            kind,
            tuple(funding),
            missing,
            tuple(chain) if chained else (),
            bounds,
        )


def _outputs(c: CompiledRule) -> list[str]:
    names = [presence(c.rule.subject), c.name("ver"), c.name("out"), c.name("from")]
    names += [c.name("from2")]
    names += [c.name("amount"), c.name("akind"), c.name("pre")]
    names += [c.name(f"m{k}") for k in range(c.slots)]
    for k in range(c.sources):
        names += [c.name(f"f{k}"), c.name(f"s{k}"), c.name(f"q{k}"), c.name(f"qu{k}")]
    return [*names, c.name("lo"), c.name("hi")]


def _cents(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


def _units(value: int) -> Decimal:
    return Decimal(value).scaleb(-SCALE)
