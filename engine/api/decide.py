"""Deciding one case: the library opened, the facts read and checked, decided and explained.

In: a package path, a facts file (or stdin text), a date and options. Out: the decisions, or
the typed Explanation behind every format of `clause explain`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from clause.engine.load.library import load_library
from clause.engine.load.loader import Loaded, load_yaml
from clause.engine.load.package import find_packages
from clause.engine.messages import Text, msg
from clause.engine.model import Package


def open_package(path: Path | None) -> Package:
    """The package at `path` (a package folder, or a folder holding exactly one), loaded as
    part of its library (so it sees the shared vocabulary and the documents it relies on).

    Raises DiagnosticError when there is none, several, or the library has errors.
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
    library = open_library(roots[0], [roots[0]])
    return next(p for p in library.packages if Path(p.root).resolve() == roots[0].resolve())


class FactsRejected(DiagnosticError):
    """Facts that do not fit the facts schema; `problems` holds (code, JSON pointer, reason)
    triples, so a caller other than the command line (the service) can point into its own
    input and say the reason in its own language."""

    def __init__(
        self, diagnostics: list[Diagnostic], problems: Sequence[tuple[str, str, Text]]
    ) -> None:
        super().__init__(diagnostics)
        self.problems = tuple(problems)


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
    return _checked_facts(data, library, name, loaded)


def facts_from_data(data: Any, library: Library | Package, name: str) -> dict[str, Any]:
    """Facts already read as data (by engine.load.jsondata, as every JSON is: exact numbers,
    no duplicate key) normalised and checked against the facts schema, as `load_facts` does
    for a file. Raises FactsRejected (F001, F004) naming `name` and the JSON paths."""
    return _checked_facts(data, library, name, None)


def _checked_facts(
    data: Any, library: Library | Package, name: str, loaded: Loaded | None
) -> dict[str, Any]:
    if not isinstance(data, dict):
        finding = input_finding("F001/mapping", name, found=kind_of(data))
        raise FactsRejected([finding], [("F001", "", msg("F001/mapping", found=kind_of(data)))])
    try:
        facts: dict[str, Any] = normalize_facts(data, library.env.facts)
    except FactsError as err:
        code = "F004" if err.reason_key() == "F004" else "F001"
        raise FactsRejected(
            [_facts_error(code, err.pointer, err.reason, name, loaded)],
            [(code, err.pointer, err.reason)],
        ) from None
    problems = schema_problems(facts, library.facts_schema)
    if problems:
        raise FactsRejected(
            [_facts_error("F001", pointer, text, name, loaded) for pointer, text in problems],
            [("F001", pointer, text) for pointer, text in problems],
        )
    return facts


def _facts_error(
    code: str, pointer: str, reason: Text, name: str, loaded: Loaded | None
) -> Diagnostic:
    text = msg("F001", pointer=pointer or "/", reason=reason)
    if loaded is not None:
        return loaded.diagnostic(code, text, pointer.rstrip("/"), key=code == "F004")
    return input_error(code, text, name)


def open_library(
    path: Path | None = None, packages: Sequence[Path] = (), *, shown_as: str | None = None
) -> Library:
    """The library decisions are made under: every package of the library at `path`
    (default policies/) or under it, or the `packages` named (--package), each with the
    documents it implements, amends or extends (engine.load.library).

    Raises DiagnosticError when there is no package, or any error is found: decisions are
    never made from a library that does not pass `clause check`. `shown_as` is the name
    `path` is shown under in spans (a stored rule set rebuilt elsewhere: engine.load.library).
    """
    where = path or (packages[0] if packages else Path("policies"))
    for named in (where, *packages):
        if not named.exists():
            raise DiagnosticError([input_finding("L001/package", str(named), path=str(named))])
    load = load_library([where], list(packages), shown_as=shown_as)
    if not load.packages:
        raise DiagnosticError([input_finding("U002/none", str(where))])
    errors = [d for d in load.all_diagnostics if d.severity.value == "error"]
    if errors or load.library is None:
        raise DiagnosticError(errors or [input_finding("R016/incomplete", str(where))])
    return load.library


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
