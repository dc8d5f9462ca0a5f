"""Another rule's outcome, as `outcome("id")` reads it, from that rule's columns (engine.decide).

In: the compiled rule read (decided earlier in the plan, with the rules overriding it), and the
expression compiler of the rule reading it. Out: the value column (the outcome as shown, null
when it is not known) and its unknown mask in the reader's bit table, as the decision core's
`outcomes_read` hands it over: a rule not decided (its subject absent) is unknown for want of
its subject; an undetermined one for want of the facts its own missing list names (those of
the overrider or implementer it waits for, with its own after an implementer's), translated bit
by bit from the table of the rule whose checks were open; a list that is empty names the read
itself.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from clause.engine.columnar.exprs import Compiler, Unsupported
from clause.engine.columnar.frame import presence
from clause.engine.columnar.rules import CompiledRule
from clause.engine.decide.reasons import Outcome
from clause.engine.expr.runtime import outcome_path

_U64 = pl.UInt64
UNDETERMINED = Outcome.UNDETERMINED.value


def outcome_columns(
    read: CompiledRule, reader: Compiler, overriders: Mapping[str, CompiledRule]
) -> tuple[pl.Expr, pl.Expr]:
    """The value and unknown mask of `outcome(read.rule.id)` for the rule compiling with
    `reader`; `overriders` are the compiled rules overriding `read` (Unsupported if one
    is not compiled: both rules then go to the record path)."""
    out = pl.col(read.name("out"))
    here = pl.col(presence(read.rule.subject))
    own = _moved(read, reader)
    open_ = own
    source = pl.col(read.name("from"))
    for rid in sorted(overriders):
        other = overriders[rid]
        open_ = pl.when(source == other.index).then(_moved(other, reader)).otherwise(open_)
    # an implementer's list, then its own: the facts of both
    open_ = pl.when(pl.col(read.name("from2")).is_not_null()).then(open_ | own).otherwise(open_)
    itself = pl.lit(1 << reader.bit(outcome_path(read.rule.id)), dtype=_U64)
    open_ = pl.when(open_ == 0).then(itself).otherwise(open_)
    undetermined = out == UNDETERMINED
    value = pl.when(here & ~undetermined).then(out)
    mask = (
        pl.when(~here)
        .then(pl.lit(1 << reader.bit(read.rule.subject), dtype=_U64))
        .when(undetermined)
        .then(open_)
        .otherwise(pl.lit(0, dtype=_U64))
    )
    return value, mask


def _moved(source: CompiledRule, reader: Compiler) -> pl.Expr:
    """The union of `source`'s open check masks, moved into the reader's bit table."""
    union = pl.lit(0, dtype=_U64)
    for k in range(source.slots):
        union = union | pl.col(source.name(f"m{k}"))
    moved = pl.lit(0, dtype=_U64)
    for path, bit in sorted(source.compiler.bits.items(), key=lambda kv: kv[1]):
        there = pl.lit(1 << bit, dtype=_U64)
        here = pl.lit(1 << reader.bit(path), dtype=_U64)
        moved = moved | pl.when((union & there) != 0).then(here).otherwise(pl.lit(0, _U64))
    return moved


def require(compiled: Mapping[str, CompiledRule], rule_id: str) -> CompiledRule:
    found = compiled.get(rule_id)
    if found is None:
        raise Unsupported("outcome_record")
    return found
