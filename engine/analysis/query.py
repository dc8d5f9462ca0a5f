"""Asking the solver: a formula in, sat with a model, unsat, or "not analysed" with the reason.

In: z3 formulas and the axioms of the fact space, a time limit. Out: `Verdict`. Also the
expression-level question "can this condition be true, and with which facts?", which the
property tests hold against the reference interpreter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import z3

from clause.engine.analysis.readback import facts_of, read_value
from clause.engine.analysis.space import Domain, FactSpace
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import Term, Unsupported, Z, conj, neg
from clause.engine.expr import ast
from clause.engine.expr.runtime import OUTCOME_PREFIX
from clause.engine.expr.types import TypeEnv
from clause.engine.messages import Msg, msg

#: Milliseconds the solver may spend on one question before the answer is "not analysed".
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Verdict:
    """The solver's answer: "sat" (with `model`), "unsat", or "unknown" (with `why`)."""

    status: str
    model: Any = None
    why: Msg | None = None

    @property
    def sat(self) -> bool:
        return self.status == "sat"

    @property
    def unsat(self) -> bool:
        return self.status == "unsat"


def check(
    formulas: Sequence[Z],
    axioms: Sequence[Z],
    prefer: Sequence[Z] = (),
    timeout_ms: int = TIMEOUT_MS,
) -> Verdict:
    """Whether the formulas can hold together under the axioms.

    `prefer` are constraints that make witnesses readable (dates near the notice, small
    numbers); they are tried first and dropped if they make the question unsat, so they never
    change the answer, only the model.
    """
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*axioms, *formulas)
    if prefer:
        solver.push()
        solver.add(*prefer)
        if solver.check() == z3.sat:
            return Verdict("sat", solver.model())
        solver.pop()
    result = solver.check()
    if result == z3.sat:
        return Verdict("sat", solver.model())
    if result == z3.unsat:
        return Verdict("unsat")
    return Verdict("unknown", why=msg("what.solver.gave_up", reason=solver.reason_unknown()))


def holds(term: Term) -> Z:
    """The term is known to be true and evaluating it raises no error."""
    return conj(neg(term.error), term.known, term.value)


@dataclass(frozen=True)
class Witness:
    """Facts, parameters and a decision date, as the evaluators take them."""

    facts: dict[str, Any]
    params: dict[str, Any]
    today: date | None


def witness_of(model: Any, space: FactSpace) -> Witness:
    """What a model of a free fact space says the facts, parameters and date are."""
    params: dict[str, Any] = {}
    today = None
    for path, slot in space.slots.items():
        if not z3.is_true(model.eval(slot.present, model_completion=True)):
            continue
        if path.startswith("param."):
            params[path.removeprefix("param.")] = read_value(
                model, slot.kind, slot.value, space.strings
            )
        elif path.startswith(OUTCOME_PREFIX):  # where the core puts another rule's outcome
            params[path] = read_value(model, slot.kind, slot.value, space.strings)
        elif path == "decision_date":
            today = read_value(model, slot.kind, slot.value, space.strings)
    return Witness(facts_of(space, model), params, today)


def satisfy(
    node: ast.Node,
    env: TypeEnv,
    schema: Mapping[str, Any],
    domain: Domain | None = None,
    timeout_ms: int = TIMEOUT_MS,
) -> tuple[Verdict, Term | None, FactSpace]:
    """Can the checked boolean expression be true (known, without error)? Facts, parameters
    and the decision date are all free and may be missing."""
    from clause.engine.analysis.smt import encode, free_scope

    space = FactSpace(env, schema, Strings(), domain)
    try:
        term = encode(node, free_scope(space))
    except Unsupported as err:
        return Verdict("unknown", why=err.what), None, space
    return check([holds(term)], space.axioms, timeout_ms=timeout_ms), term, space
