"""Static analysis and counterfactuals: `clause analyse` and `clause whynot` behind one door.

In: a library (or the paths of its packages), one case's facts and a date. Out: the why-not
answers for the case's refused or undetermined benefits, or the findings of the analysis of
the library's rules (engine.analysis); rendering is the caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from clause.engine.analysis.analyse import analyse
from clause.engine.analysis.findings import Finding, facts_yaml
from clause.engine.analysis.whynot import WhyNot, why_not
from clause.engine.api.decide import check_selection
from clause.engine.api.files import COMMAND_LINE, input_finding
from clause.engine.diagnostics import DiagnosticError
from clause.engine.library import Library
from clause.engine.load.library import load_library
from clause.engine.messages import os_reason


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
        raise DiagnosticError([input_finding("U010", COMMAND_LINE, rule=rule)])
    return why_not(library, facts, on, rule, max_changes=max_changes)


def open_libraries(paths: list[Path]) -> Library:
    """The library of every package under `paths`, with the documents they implement, amend
    or extend (engine.load.library); it must pass `clause check`."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        where = str(missing[0])
        raise DiagnosticError([input_finding("L001/missing", where, path=where)])
    load = load_library(paths, [])
    if not load.packages:
        where = ", ".join(str(p) for p in paths)
        raise DiagnosticError([input_finding("U002/under", where, where=where)])
    errors = [d for d in load.all_diagnostics if d.severity.value == "error"]
    if errors or load.library is None:
        raise DiagnosticError(errors or [input_finding("R016/incomplete", str(paths[0]))])
    return load.library


def analyse_library(
    library: Library, all_pairs: bool = False, witnesses: Path | None = None, lang: str = "en"
) -> list[Finding]:
    """Every finding of the static analysis; witnesses written to `witnesses` when given
    (one facts file per finding, named by code and rules, its first lines the finding in
    `lang` and the command that confirms it). Raises DiagnosticError (B003) when a witness
    file cannot be written."""
    found = analyse(library, all_pairs=all_pairs)
    if witnesses is None:
        return found
    out = []
    try:
        witnesses.mkdir(parents=True, exist_ok=True)
        for i, finding in enumerate(found, start=1):
            if finding.witness is None:
                out.append(finding)
                continue
            name = witnesses / f"{finding.code}-{i}-{'-'.join(finding.rules)}.yaml"
            witness = replace(finding.witness, file=str(name))
            said = " ".join(finding.message.render(lang).split())  # one comment line
            header = f"# {finding.code} {said}\n#   {witness.command}\n"
            name.write_text(header + facts_yaml(witness.facts), encoding="utf-8")
            out.append(replace(finding, witness=witness))
    except OSError as err:
        where = str(witnesses)
        raise DiagnosticError(
            [input_finding("B003", where, path=where, reason=os_reason(err))]
        ) from None
    return out
