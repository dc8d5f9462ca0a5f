"""Deciding one case: the package opened, the facts read and checked, decided and explained.

In: a package path, a facts file (or stdin text), a date and options. Out: the explanation
data behind every format of `clause explain`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.api.files import input_error, read_data_file, read_facts_stdin
from clause.engine.decide.core import Budget, decide
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.explain.build import explain
from clause.engine.facts import FactsError, normalize_facts, schema_problems
from clause.engine.load.loader import load_yaml
from clause.engine.load.package import find_packages, load_package


def open_package(path: Path | None) -> Any:
    """Load the package at `path` (a package folder, or a folder holding exactly one).

    Raises DiagnosticError when there is none, several, or the package has errors: decisions
    are never made from a package that does not pass `clause check`.
    """
    where = path or Path("policies")
    if not where.exists():
        raise DiagnosticError([input_error("L001", f"no such package folder: {where}", str(where))])
    roots, _ = find_packages([where])
    if len(roots) != 1:
        found = ", ".join(str(r) for r in roots) or "none"
        raise DiagnosticError(
            [
                input_error(
                    "U002",
                    f"expected one policy package under {where}, found {len(roots)} ({found}); "
                    "choose one with --package",
                    str(where),
                )
            ]
        )
    result = load_package(roots[0])
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors or result.package is None:
        raise DiagnosticError(errors or [input_error("R016", "package incomplete", str(where))])
    return result.package


def load_facts(source: Path | str, package: Any) -> dict[str, Any]:
    """Read a facts file (YAML or JSON; "-" for stdin text passed as str) and check it against
    the package's facts schema. Errors name the file, line, column and JSON path (F001)."""
    if isinstance(source, Path):
        if source.suffix.lower() == ".json":
            data, loaded = read_data_file(source), None
        else:
            loaded = load_yaml(source, file=str(source))
            data = loaded.data
        name = str(source)
    else:
        data, loaded, name = read_facts_stdin(source), None, "<stdin>"
    if not isinstance(data, dict):
        raise DiagnosticError([input_error("F001", "facts must be a mapping of entities", name)])
    try:
        facts = normalize_facts(data, package.env.facts)
    except FactsError as err:
        raise DiagnosticError([_facts_error(err.pointer, err.message, name, loaded)]) from None
    problems = schema_problems(facts, package.facts_schema)
    if problems:
        raise DiagnosticError(
            [_facts_error(pointer, message, name, loaded) for pointer, message in problems]
        )
    return facts


def _facts_error(pointer: str, message: str, name: str, loaded: Any) -> Diagnostic:
    text = f"{pointer or '/'}: {message}"
    if loaded is not None:
        return loaded.diagnostic("F001", text, pointer.rstrip("/"))
    return input_error("F001", text, name)


def explain_case(
    package: Any,
    facts: Mapping[str, Any],
    on: date,
    rule: str | None = None,
    lang: str = "en",
    budget: Mapping[str, Decimal] | None = None,
    only: set[str] | None = None,
) -> dict[str, Any]:
    """Decide one case and explain it: the data behind `clause explain` in every format.

    `only` keeps the decisions with these outcomes (all rules are still decided, so overrides
    and funding are the same as without it)."""
    if rule is not None and package.rule(rule) is None:
        known = ", ".join(r.id for r in package.rules)
        raise DiagnosticError(
            [input_error("U003", f"--rule: no rule `{rule}`; rules: {known}", "<command line>")]
        )
    decisions = decide(
        package,
        facts,
        on,
        rule_ids={rule} if rule else None,
        trace=True,
        budget=Budget(dict(budget)) if budget is not None else None,
    )
    if only:
        unknown = sorted(only - set(OUTCOMES))
        if unknown:
            message = f"unknown outcome {unknown[0]!r}; outcomes: {', '.join(OUTCOMES)}"
            raise DiagnosticError([input_error("U004", f"--only: {message}", "<command line>")])
        decisions = [d for d in decisions if d.outcome in only]
    return explain(package, decisions, on, facts, lang)


OUTCOMES = ("eligible", "ineligible", "not_applicable", "undetermined", "compliant", "violation")
