"""The library's front door: one call per user task, returning data for the CLI to render.

Nothing here prints. Errors in user input come back as DiagnosticError (file, line, column,
code) so the caller can show them and choose an exit code. The facade is split by job:
`files` (reading user data), `expr` (the expression playground), `check`, `decide` (one case),
`policy` (tests, coverage, listings) and `batch` (a whole register).
"""

from __future__ import annotations

from clause.engine.api.batch import BatchOptions, BatchProgress, BatchSummary, evaluate_register
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
from clause.engine.api.expr import ExprReport, NodeValue, evaluate_expression
from clause.engine.api.files import read_budget, read_data_file, read_facts_stdin
from clause.engine.api.policy import notice_coverage, rule_with_clause, run_policy_tests
from clause.engine.expr.values import EvalError, Unknown

__all__ = [
    "OUTCOMES",
    "BatchOptions",
    "BatchProgress",
    "BatchSummary",
    "CheckReport",
    "EvalError",
    "ExprReport",
    "FactsRejected",
    "NodeValue",
    "Unknown",
    "check",
    "check_selection",
    "decide_case",
    "evaluate_expression",
    "evaluate_register",
    "explain_case",
    "facts_from_data",
    "load_facts",
    "notice_coverage",
    "open_library",
    "open_package",
    "read_budget",
    "read_data_file",
    "read_facts_stdin",
    "rule_with_clause",
    "run_policy_tests",
]
