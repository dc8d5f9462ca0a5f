"""Policy test cases: YAML cases in a package's `tests/`, run against its rules.

In: a library (one package, or several). Out: a `TestRun` with each case's result (passed, or
the differences between expected and actual per rule, with the explanation of the rule that
failed) and coverage:
which rules, versions, and both truth values of each condition the cases exercised. One runner
serves `clause test`, the project's pytest suite, and CI (JUnit XML).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from clause.engine.decide import Decision, TraceSink, decide
from clause.engine.explain.build import explain_decision
from clause.engine.explain.model import DecisionExplained
from clause.engine.facts import FactsError, normalize_facts, schema_problems, to_decimal
from clause.engine.library import Library
from clause.engine.load.loader import load_yaml
from clause.engine.messages import Msg, Text, msg
from clause.engine.model import Citation, ParameterValue, Window


@dataclass(frozen=True)
class Mismatch:
    rule: str
    field: str
    expected: Any
    actual: Any


@dataclass(frozen=True)
class CaseResult:
    file: str
    line: int
    name: str
    date: date
    mismatches: tuple[Mismatch, ...] = ()
    error: Text = ""  # why the case could not run, in both languages
    explanations: tuple[DecisionExplained, ...] = ()  # of the rules that failed

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.error


@dataclass
class Coverage:
    """What the cases exercised: rules decided, versions used, each condition true and false."""

    rules: dict[str, bool] = field(default_factory=dict)
    versions: dict[str, bool] = field(default_factory=dict)
    conditions: dict[str, set[bool]] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return len(self.rules) + len(self.versions) + 2 * len(self.conditions)

    @property
    def covered(self) -> int:
        return (
            sum(self.rules.values())
            + sum(self.versions.values())
            + sum(len(v) for v in self.conditions.values())
        )

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.items if self.items else 100.0

    def gaps(self) -> list[Msg]:
        """What no case exercised, in both languages (str() gives the English)."""
        out = [msg("gap.rule", rule=r) for r, seen in self.rules.items() if not seen]
        out += [msg("gap.version", version=v) for v, seen in self.versions.items() if not seen]
        for cond, seen in self.conditions.items():
            for value in (True, False):
                if value not in seen:
                    out.append(msg(f"gap.{'true' if value else 'false'}", condition=cond))
        return out


@dataclass
class TestRun:
    cases: list[CaseResult]
    coverage: Coverage

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]


def empty_coverage(library: Library, rule_ids: Collection[str] | None = None) -> Coverage:
    """Nothing covered yet, for the rules `rule_ids` (all of the library's when None)."""
    cov = Coverage()
    for rule in library.rules_by_id:
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        cov.rules[rule.id] = False
        for version in rule.versions:
            cov.versions[f"{rule.id}@{version.number}"] = False
            for role, conds in (
                ("event", (version.event,) if version.event else ()),
                ("condition", version.conditions),
                ("unless", version.unless),
                ("requires", version.requires),
            ):
                for cond in conds:
                    cov.conditions[f"{rule.id}@{version.number}:{role}:{cond.id}"] = set()
    return cov


def record(cov: Coverage, decision: Decision) -> None:
    if decision.rule.id not in cov.rules:  # a rule of another document of the library
        return
    cov.rules[decision.rule.id] = True
    if decision.version is None:
        return
    key = f"{decision.rule.id}@{decision.version.number}"
    cov.versions[key] = True
    for result in decision.conditions:
        name = f"{key}:{result.role}:{result.id}"
        if name in cov.conditions and result.value is not None:
            cov.conditions[name].add(result.value)


def run_tests(
    library: Library, files: list[str] | None = None, rule_ids: Collection[str] | None = None
) -> TestRun:
    """Run every case of the library's test files (or of `files`); coverage counts the rules
    `rule_ids` (a package's own, when its cases run under the documents that reach them)."""
    cov = empty_coverage(library, rule_ids)
    results: list[CaseResult] = []
    names = [f for p in library.packages for f in p.test_files] if files is None else files
    for name in names:
        loaded = load_yaml(Path(name), file=name)  # schema-checked by load_package
        for index, case in enumerate(loaded.data or []):
            line = loaded.span(f"/{index}").line
            results.append(run_case(library, case, name, line, cov))
    return TestRun(results, cov)


def run_case(
    library: Library, case: Mapping[str, Any], file: str, line: int, cov: Coverage
) -> CaseResult:
    on = case["date"]
    if isinstance(on, str):
        on = date.fromisoformat(on)
    try:
        facts = normalize_facts(case.get("facts") or {}, library.env.facts)
    except FactsError as err:
        reason = msg("case.facts", pointer=err.pointer or "/", reason=err.reason)
        return CaseResult(file, line, case["name"], on, error=reason)
    problems = schema_problems(facts, library.facts_schema)
    if problems:  # a misspelt field must not pass as a missing fact
        pointer, problem = problems[0]
        reason = msg("case.facts", pointer=pointer, reason=problem)
        return CaseResult(file, line, case["name"], on, error=reason)
    if case.get("params"):
        unknown = sorted(set(case["params"]) - set(library.parameters))
        if unknown:
            reason = msg("case.params", param=unknown[0])
            return CaseResult(file, line, case["name"], on, error=reason)
        library = with_parameters(library, case["params"], case["name"])
    decisions = {d.rule.id: d for d in decide(library, facts, on, sink=TraceSink())}
    for d in decisions.values():
        record(cov, d)
    mismatches: list[Mismatch] = []
    failing: list[Decision] = []
    for rule_id, expected in sorted(case["expect"].items()):
        decision = decisions.get(rule_id)
        found = _compare(rule_id, expected, decision)
        mismatches.extend(found)
        if found and decision is not None:
            failing.append(decision)
    explanations = tuple(explain_decision(library, d, facts) for d in failing)
    return CaseResult(file, line, case["name"], on, tuple(mismatches), "", explanations)


def with_parameters(library: Library, values: Mapping[str, Any], case: str) -> Library:
    """The library with parameters set for one test case: each to one value over every date
    and locality (None: not configured), cited as set by the case, so a rule reading a
    parameter the package leaves unconfigured can be tested both ways without writing an
    invented number into the package."""
    params = dict(library.parameters)
    for pid, raw in values.items():
        number = to_decimal(raw) if raw is not None else None
        value = number if number is not None else raw
        source = Citation("policy test case", case)
        chosen = ParameterValue(Window(None, None), value, None, source)
        params[pid] = replace(params[pid], values=(chosen,))
    return replace(library, parameters=params, _params={})


def _compare(rule_id: str, want: Mapping[str, Any], got: Decision | None) -> list[Mismatch]:
    if got is None:
        return [Mismatch(rule_id, "decision", want.get("outcome"), "no decision (subject absent)")]
    out = []
    if want["outcome"] != got.outcome:
        out.append(Mismatch(rule_id, "outcome", want["outcome"], got.outcome))
    if "version" in want:
        actual = got.version.number if got.version else None
        if want["version"] != actual:
            out.append(Mismatch(rule_id, "version", want["version"], actual))
    if "amount" in want:
        expected = to_decimal(want["amount"]) if want["amount"] is not None else None
        actual_amount = got.amount.amount if got.amount else None
        if expected != actual_amount:
            out.append(Mismatch(rule_id, "amount", _show(expected), _show(actual_amount)))
    if "amount_kind" in want:
        kind = _kind(got)
        if want["amount_kind"] != kind:
            out.append(Mismatch(rule_id, "amount_kind", want["amount_kind"], kind))
    if "funding" in want:
        out.extend(_compare_funding(rule_id, want["funding"], got))
    if "missing" in want and list(want["missing"]) != list(got.missing):
        out.append(Mismatch(rule_id, "missing", list(want["missing"]), list(got.missing)))
    return out


def _kind(got: Decision) -> str | None:
    if got.amount is None:
        return None
    if not got.amount.configured and got.amount.kind != "per_other_regulation":
        return "not_configured"
    return got.amount.kind


def _compare_funding(rule_id: str, want: list[Any], got: Decision) -> list[Mismatch]:
    if all(isinstance(w, str) for w in want):
        actual_ids = [s.fund for s in got.funding]
        return [] if want == actual_ids else [Mismatch(rule_id, "funding", want, actual_ids)]
    expected = [
        (
            w["fund"],
            to_decimal(w["amount"]) if w["amount"] is not None else None,
            bool(w.get("whole", False)),
        )
        for w in want
    ]
    # shares of 0 are left out of expectations; None (not known) is compared, and whether
    # an unknown share is the whole amount
    actual = [(s.fund, s.amount, s.whole) for s in got.funding if s.amount is None or s.amount != 0]
    if expected != actual:
        return [
            Mismatch(
                rule_id,
                "funding",
                [_share(f, a, w) for f, a, w in expected],
                [_share(f, a, w) for f, a, w in actual],
            )
        ]
    return []


def _share(fund: str, amount: Decimal | None, whole: bool) -> str:
    shown = _show(amount) or ("the whole amount" if whole else "unknown")
    return f"{fund} {shown}"


def _show(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")
