"""The library's front door: one call per user task, returning data for the CLI to render.

Nothing here prints. Errors in user input come back as DiagnosticError (file, line, column,
code) so the caller can show them and choose an exit code. The facade is split by job:
`files` (reading user data), `expr` (the expression playground), `check`, `decide` (one case),
`policy` (tests, coverage, listings) and `batch` (a whole register).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (see __getattr__)
    from clause.engine.api.batch import (
        BatchOptions,
        BatchProgress,
        BatchSummary,
        RunRecord,
        evaluate_register,
    )
    from clause.engine.api.check import CheckReport, check
    from clause.engine.api.decide import (
        OUTCOMES,
        FactsRejected,
        check_selection,
        decide_case,
        explain_case,
        facts_from_data,
        load_facts,
        open_library,
        open_package,
    )
    from clause.engine.api.diff import LibraryDiff, diff
    from clause.engine.api.expr import ExprReport, NodeValue, evaluate_expression
    from clause.engine.api.files import parse_date, read_budget, read_data_file, read_facts_stdin
    from clause.engine.api.policy import notice_coverage, rule_with_clause, run_policy_tests
    from clause.engine.expr.values import EvalError, Unknown

#: Where each name of the facade lives. Importing `clause.engine.api` costs nothing; a name
#: loads its module when first used, so `clause expr` never loads the batch or Arrow code.
#: (`check` is also the name of its module: once the module is imported, `api.check` is the
#: module, so import the function as `from clause.engine.api.check import check`.)
_HOMES = {
    "BatchOptions": "batch",
    "BatchProgress": "batch",
    "BatchSummary": "batch",
    "RunRecord": "batch",
    "evaluate_register": "batch",
    "CheckReport": "check",
    "check": "check",
    "OUTCOMES": "decide",
    "check_selection": "decide",
    "decide_case": "decide",
    "explain_case": "decide",
    "FactsRejected": "decide",
    "facts_from_data": "decide",
    "load_facts": "decide",
    "open_library": "decide",
    "open_package": "decide",
    "ExprReport": "expr",
    "NodeValue": "expr",
    "evaluate_expression": "expr",
    "LibraryDiff": "diff",
    "diff": "diff",
    "parse_date": "files",
    "read_budget": "files",
    "read_data_file": "files",
    "read_facts_stdin": "files",
    "notice_coverage": "policy",
    "rule_with_clause": "policy",
    "run_policy_tests": "policy",
}


def __getattr__(name: str) -> Any:
    if name in ("EvalError", "Unknown"):
        return getattr(importlib.import_module("clause.engine.expr.values"), name)
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # `check` and `diff` are module names too: the function wins
    return value


__all__ = [
    "OUTCOMES",
    "BatchOptions",
    "BatchProgress",
    "BatchSummary",
    "CheckReport",
    "EvalError",
    "ExprReport",
    "FactsRejected",
    "LibraryDiff",
    "NodeValue",
    "RunRecord",
    "Unknown",
    "check",
    "check_selection",
    "decide_case",
    "diff",
    "evaluate_expression",
    "evaluate_register",
    "explain_case",
    "facts_from_data",
    "load_facts",
    "notice_coverage",
    "open_library",
    "open_package",
    "parse_date",
    "read_budget",
    "read_data_file",
    "read_facts_stdin",
    "rule_with_clause",
    "run_policy_tests",
]
