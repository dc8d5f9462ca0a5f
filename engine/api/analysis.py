"""Static analysis and counterfactuals: `clause analyse` and `clause whynot` behind one door.

In: a library (or the paths of its packages), one case's facts and a date. Out: the why-not
answers for the case's refused or undetermined benefits, or the findings of the analysis of
the library's rules (engine.analysis); rendering is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from clause.engine.analysis.whynot import WhyNot, why_not
from clause.engine.api.decide import check_selection
from clause.engine.api.files import input_error
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library


def why_not_case(
    library: Library,
    facts: Mapping[str, Any],
    on: date,
    rule: str | None = None,
    max_changes: int = 3,
) -> list[WhyNot]:
    """What would have to change for each refused or undetermined benefit of the case (or for
    `rule` only) to be paid. Raises DiagnosticError (U003, U005) for a bad rule id."""
    check_selection(library, rule, None)
    found = library.rule(rule) if rule is not None else None
    if found is not None and found.kind != "benefit":
        message = f"--rule: `{rule}` is an obligation; whynot answers for benefits"
        raise DiagnosticError([input_error("U005", message, "<command line>")])
    return why_not(library, facts, on, rule, max_changes=max_changes)
