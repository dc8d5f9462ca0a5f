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

from clause.engine.api.files import input_error, read_data_file, read_facts_stdin
from clause.engine.decide import Budget, Decision, Outcome, TraceSink, decide, select
from clause.engine.diagnostics import Diagnostic, DiagnosticError
from clause.engine.explain.build import explain
from clause.engine.explain.model import Explanation
from clause.engine.facts import FactsError, normalize_facts, schema_problems
from clause.engine.library import Library
from clause.engine.load.loader import Loaded, load_yaml
from clause.engine.load.package import find_packages, load_package
from clause.engine.model import Package


def open_package(path: Path | None, *, shown_as: str | None = None) -> Package:
    """Load the package at `path` (a package folder, or a folder holding exactly one).

    Raises DiagnosticError when there is none, several, or the package has errors: decisions
    are never made from a package that does not pass `clause check`. `shown_as` is the name
    `path` is shown under in spans (a stored rule set rebuilt elsewhere, see load_package).
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
    root = roots[0]
    shown = None
    if shown_as is not None:
        shown = str(Path(shown_as) / root.resolve().relative_to(where.resolve()))
    result = load_package(root, shown_as=shown)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if errors or result.package is None:
        raise DiagnosticError(errors or [input_error("R016", "package incomplete", str(where))])
    return result.package


class FactsRejected(DiagnosticError):
    """Facts that do not fit the facts schema; `problems` holds (JSON pointer, message) pairs
    so that a caller other than the command line (the service) can point into its own input."""

    def __init__(self, diagnostics: list[Diagnostic], problems: list[tuple[str, str]]) -> None:
        super().__init__(diagnostics)
        self.problems = tuple(problems)


def facts_from_data(data: Any, library: Library | Package, name: str = "<input>") -> dict[str, Any]:
    """Plain JSON-like facts (numbers as Decimal or int) normalised and checked against the
    facts schema, as `load_facts` does for a file. Raises FactsRejected (F001)."""
    return _checked_facts(data, library, name, None)


def load_facts(source: Path | str, library: Library | Package) -> dict[str, Any]:
    """Read a facts file (YAML or JSON; "-" for stdin text passed as str) and check it against
    the facts schema of the library (or package). Errors name the file, line, column and
    JSON path (F001)."""
    if isinstance(source, Path):
        if source.suffix.lower() == ".json":
            data, loaded = read_data_file(source), None
        else:
            loaded = load_yaml(source, file=str(source))
            data = loaded.data
        name = str(source)
    else:
        data, loaded, name = read_facts_stdin(source), None, "<stdin>"
    return _checked_facts(data, library, name, loaded)


def _checked_facts(
    data: Any, library: Library | Package, name: str, loaded: Loaded | None
) -> dict[str, Any]:
    if not isinstance(data, dict):
        message = "facts must be a mapping of entities"
        raise FactsRejected([input_error("F001", message, name)], [("", message)])
    try:
        facts: dict[str, Any] = normalize_facts(data, library.env.facts)
    except FactsError as err:
        found = [(err.pointer, err.message)]
        raise FactsRejected([_facts_error(err.pointer, err.message, name, loaded)], found) from None
    problems = schema_problems(facts, library.facts_schema)
    if problems:
        raise FactsRejected(
            [_facts_error(pointer, message, name, loaded) for pointer, message in problems],
            problems,
        )
    return facts


def _facts_error(pointer: str, message: str, name: str, loaded: Loaded | None) -> Diagnostic:
    text = f"{pointer or '/'}: {message}"
    if loaded is not None:
        return loaded.diagnostic("F001", text, pointer.rstrip("/"))
    return input_error("F001", text, name)


def open_library(path: Path | None, *, shown_as: str | None = None) -> Library:
    """The library decisions are made under: the package at `path` (see open_package)."""
    return Library.of([open_package(path, shown_as=shown_as)])


OUTCOMES = tuple(o.value for o in Outcome)


def check_selection(
    library: Library, rule: str | None = None, only: set[str] | None = None
) -> None:
    """Raise a usage error (U003, U004) for a rule id or an outcome that does not exist."""
    if rule is not None and library.rule(rule) is None:
        known = ", ".join(r.id for r in library.rules_by_id)
        raise DiagnosticError(
            [input_error("U003", f"--rule: no rule `{rule}`; rules: {known}", "<command line>")]
        )
    unknown = sorted((only or set()) - set(OUTCOMES))
    if unknown:
        message = f"unknown outcome {unknown[0]!r}; outcomes: {', '.join(OUTCOMES)}"
        raise DiagnosticError([input_error("U004", f"--only: {message}", "<command line>")])


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
