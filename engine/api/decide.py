"""Deciding one case: the library opened, the facts read and checked, decided and explained.

In: a package path, a facts file (or stdin text), a date and options. Out: the decisions, or
the typed Explanation behind every format of `clause explain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.api.files import (
    COMMAND_LINE,
    input_error,
    input_finding,
    kind_of,
    read_data_file,
    read_facts_stdin,
    read_limited,
)
from clause.engine.decide import Budget, Decision, Outcome, TraceSink, decide, select
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.explain.build import explain
from clause.engine.explain.model import Explanation
from clause.engine.facts import FactsError, normalize_facts, schema_problems
from clause.engine.library import Library
from clause.engine.load.loader import Loaded, load_yaml
from clause.engine.load.package import find_packages, load_package
from clause.engine.messages import Text, msg
from clause.engine.model import Package


def open_package(path: Path | None) -> Package:
    """Load the package at `path` (a package folder, or a folder holding exactly one).

    Raises DiagnosticError when there is none, several, or the package has errors: decisions
    are never made from a package that does not pass `clause check`.
    """
    where = path or Path("policies")
    if not where.exists():
        raise DiagnosticError([input_finding("L001/package", str(where), path=str(where))])
    roots, _ = find_packages([where])
    if len(roots) != 1:
        found = ", ".join(str(r) for r in roots) or "-"
        raise DiagnosticError(
            [input_finding("U002", str(where), where=str(where), count=len(roots), found=found)]
        )
    result = load_package(roots[0])
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors or result.package is None:
        raise DiagnosticError(errors or [input_finding("R016/incomplete", str(where))])
    return result.package


def load_facts(source: Path | str | bytes, library: Library | Package) -> dict[str, Any]:
    """Read a facts file (YAML or JSON; standard input's bytes or text) and check it against
    the facts schema of the library (or package). Errors name the file, line, column and
    JSON path (F001, F004)."""
    if isinstance(source, Path):
        if source.suffix.lower() == ".json":
            data, loaded = read_data_file(source), None
        else:
            loaded = load_yaml(read_limited(source), file=str(source))
            data = loaded.data
        name = str(source)
    else:
        data, loaded, name = read_facts_stdin(source), None, "<stdin>"
    if not isinstance(data, dict):
        raise DiagnosticError([input_finding("F001/mapping", name, found=kind_of(data))])
    try:
        facts = normalize_facts(data, library.env.facts)
    except FactsError as err:
        code = "F004" if err.reason_key() == "F004" else "F001"
        raise DiagnosticError([_facts_error(code, err.pointer, err.reason, name, loaded)]) from None
    problems = schema_problems(facts, library.facts_schema)
    if problems:
        raise DiagnosticError(
            [_facts_error("F001", pointer, text, name, loaded) for pointer, text in problems]
        )
    return facts


def _facts_error(
    code: str, pointer: str, reason: Text, name: str, loaded: Loaded | None
) -> Diagnostic:
    text = msg("F001", pointer=pointer or "/", reason=reason)
    if loaded is not None:
        return loaded.diagnostic(code, text, pointer.rstrip("/"), key=code == "F004")
    return input_error(code, text, name)


def open_library(path: Path | None) -> Library:
    """The library decisions are made under: the package at `path` (see open_package)."""
    return Library.of([open_package(path)])


OUTCOMES = tuple(o.value for o in Outcome)


def check_selection(
    library: Library, rule: str | None = None, only: set[str] | None = None
) -> None:
    """Raise a usage error (U003, U004) for a rule id or an outcome that does not exist."""
    if rule is not None and library.rule(rule) is None:
        known = ", ".join(r.id for r in library.rules_by_id)
        option = msg("option.rule")
        raise DiagnosticError(
            [input_finding("U003", COMMAND_LINE, option=option, rule=rule, known=known)]
        )
    unknown = sorted((only or set()) - set(OUTCOMES))
    if unknown:
        known = ", ".join(OUTCOMES)
        raise DiagnosticError(
            [input_finding("U004/outcome", COMMAND_LINE, outcome=unknown[0], known=known)]
        )


def decide_case(
    library: Library,
    facts: Mapping[str, Any],
    on: date,
    budget: Mapping[str, Decimal] | None = None,
) -> list[Decision]:
    """Every rule decided for one case, traced (what explanations and tests read)."""
    quota = Budget(dict(budget)) if budget is not None else None
    return decide(library, facts, on, sink=TraceSink(), budget=quota)


def explain_case(
    library: Library,
    facts: Mapping[str, Any],
    on: date,
    rule: str | None = None,
    budget: Mapping[str, Decimal] | None = None,
    only: set[str] | None = None,
) -> Explanation:
    """Decide one case and explain it: what every format of `clause explain` renders.

    Every rule is decided; `rule` and `only` then choose which decisions to show, so they
    never change an outcome, an amount or a funding share."""
    check_selection(library, rule, only)
    decisions = decide_case(library, facts, on, budget)
    shown = select(decisions, {rule} if rule else None, only or None)
    return explain(library, shown, on, facts)
