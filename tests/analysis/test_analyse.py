"""`clause analyse`: every planted fault found, every witness confirmed by `clause explain`,
forms the solver does not know reported as not analysed (never a verdict)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest
import z3

from clause.engine.analysis import dates
from clause.engine.analysis.analyse import analyse
from clause.engine.analysis.outcome import Situation
from clause.engine.analysis.readback import facts_of
from clause.engine.analysis.space import FactSpace
from clause.engine.analysis.strings import Strings
from clause.engine.analysis.terms import conj, fresh_context
from clause.engine.api.analysis import open_libraries
from clause.engine.decide import decide
from clause.engine.expr import ast
from clause.engine.expr.types import STRING as STRING_TYPE
from clause.engine.facts import normalize_facts
from clause.engine.library import Library
from clause.engine.messages import render
from clause.engine.model import Condition, Expr, Version

ROOT = Path(__file__).resolve().parents[2]
FAULTS = ROOT / "tests" / "fixtures" / "faults"

PLANTED = {  # code -> the rules it names (see the comments in tests/fixtures/faults/rules)
    "A001": {("first-business", "startup"), ("first-business", "startup-large")},
    "A002": {("startup-large", "startup")},
    "A003": {("training",)},
    "A004": {("training",)},
    "A005": {("training",)},
    "A006": {("transport-cross", "transport-in-province")},
    "A007": {("hiring-award",), ("training",)},
    "A008": {("site-staff",)},
}


@pytest.fixture(scope="module")
def faults() -> Library:
    return open_libraries([FAULTS])


def test_every_planted_fault_is_found_and_nothing_else(faults: Library) -> None:
    found: dict[str, set[tuple[str, ...]]] = {}
    for finding in analyse(faults):
        found.setdefault(finding.code, set()).add(finding.rules)
    assert found == PLANTED


def test_each_finding_names_files_and_lines(faults: Library) -> None:
    for finding in analyse(faults):
        for place in finding.places + finding.because:
            assert place.span.file.startswith(str(FAULTS)) and place.span.line >= 1
    codes = {f.code: f for f in analyse(faults)}
    labels = [render(p.label, "en") for p in codes["A005"].because]
    assert labels == ["condition `old`", "condition `young`"]
    labels = [render(p.label, "en") for p in codes["A008"].because]
    assert labels == ["requirement `two`", "requirement `at_most_one`"]
    labels = [render(p.label, "zh") for p in codes["A008"].because]
    assert labels == ["要求 `two`", "要求 `at_most_one`"]


def test_witnesses_are_confirmed_by_clause_explain(clause, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    folder = tmp_path / "witnesses"
    r = clause("analyse", "tests/fixtures/faults", "--witnesses", str(folder), "--format", "json")
    assert r.code == 1, r.err
    report = json.loads(r.out)
    with_witness = [f for f in report["findings"] if "witness" in f]
    assert {f["code"] for f in with_witness} == {"A001", "A006"}
    for finding in with_witness:
        witness = finding["witness"]
        assert Path(witness["file"]).exists()
        explained = clause("explain", witness["file"], "--date", witness["date"], "--package",
                           "tests/fixtures/faults", "--format", "json")  # fmt: skip
        assert explained.code == 0, explained.err
        outcomes = {d["rule"]: d["outcome"] for d in json.loads(explained.out)["decisions"]}
        assert {k: outcomes[k] for k in witness["outcomes"]} == witness["outcomes"]


def test_the_shipped_library_has_only_the_documented_finding(clause, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    r = clause("analyse", "--format", "json")
    assert r.code == 1
    report = json.loads(r.out)
    assert [(f["code"], f["rules"]) for f in report["findings"]] == [
        ("A006", ["c2-1-transport-cross-province", "c2-1-transport-in-province"])
    ]  # explained in docs/analysis.md: the notice pays no transport subsidy for 县内 work
    person = report["findings"][0]["witness"]["facts"]["person"]
    assert person["work_county"] == person["home_county"]  # work in the home county (县内)
    # one coherent place: a county of the hierarchy in its own province, not "安徽省, 竹溪县"
    library = open_libraries([ROOT / "policies"])
    county = library.places.get(person["home_county"])
    assert county is not None
    assert person["home_province"] in library.ancestors(county.name)
    for path in ROOT.glob("policies/hubei/ehrs-2021-25/rules/c2-1-transport-*.yaml"):
        assert "A006" in path.read_text("utf-8")  # the finding is explained in the rules' notes
    assert report["not_analysed"] == []
    # duties held to a parameter the notice leaves to localities (value: null): never met
    # until it is configured, which is a note (A009), not a fault in the rules
    assert [(f["code"], f["rules"]) for f in report["unconfigured"]] == [
        ("A009", ["c2-12-resettlement-job-share"]),
        ("A009", ["c2-9-public-welfare-job-subsidy-standard"]),
    ]
    assert "param.resettlement.relocated_post_share" in report["unconfigured"][0]["message"]


def test_exit_codes(clause, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert clause("analyse", "tests/fixtures/mini").code == 0
    missing = clause("analyse", "no/such/folder")
    assert (missing.code, "L001" in missing.err) == (2, True)
    both = clause("analyse", "tests/fixtures/mini", "tests/fixtures/faults")
    assert (both.code, "R001" in both.err) == (2, True)  # `startup` in two packages


@pytest.mark.parametrize(
    "args",
    [
        ("analyse",),
        ("whynot", "examples/hubei/returning-entrepreneur.yaml", "--date", "2022-03-14"),
    ],
)
def test_without_the_solver_installed_the_commands_say_what_to_install(
    args, clause, monkeypatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(sys.modules, "z3", None)  # `import z3` fails as if z3-solver were absent
    done = clause(*args)
    assert done.code == 2 and "U012" in done.err and "clause[analysis]" in done.err
    assert "Traceback" not in done.err and "internal error" not in done.err


@dataclasses.dataclass(frozen=True, slots=True)
class Lapsing(Version):
    """A version with a field added after the analysis was written (as 原则上 once was)."""

    lapses_after_months: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class QuarterOf(ast.Node):
    """An expression node added after the analysis was written (as year() once was)."""


def test_forms_added_later_are_not_analysed(faults: Library) -> None:
    package = faults.packages[0]
    rules = []
    for rule in package.rules:
        if rule.id == "site-staff":  # its duty can never be met: no verdict once it is unknown
            fields = {
                f.name: getattr(rule.versions[0], f.name) for f in dataclasses.fields(Version)
            }
            version = Lapsing(**fields, lapses_after_months=6)
            rule = dataclasses.replace(rule, versions=(version,))
        if rule.id == "training":
            first = rule.versions[0]
            odd = Expr("quarter(x)", QuarterOf(first.span), first.conditions[0].expr.fn, first.span)
            cond = Condition("odd", odd, "年满60周岁", first.span)
            versions = (dataclasses.replace(first, conditions=(cond,)), *rule.versions[1:])
            rule = dataclasses.replace(rule, versions=versions)
        rules.append(rule)
    library = Library.of([dataclasses.replace(package, rules=tuple(rules))])
    found = analyse(library)
    by_rule = {}
    for f in found:
        for rid in f.rules:
            by_rule.setdefault(rid, set()).add(f.code)
    assert by_rule["site-staff"] == {"A900"}
    assert "A900" in by_rule["training"] and not by_rule["training"] & {"A003", "A004", "A005"}
    notes = " ".join(f.message.render("en") for f in found if f.code == "A900")
    assert "lapses_after_months" in notes and "QuarterOf" in notes
    notes = " ".join(f.message.render("zh") for f in found if f.code == "A900")
    assert "未分析" in notes and "lapses_after_months" in notes


def test_a_county_rule_replaces_the_provincial_rule_it_implements() -> None:
    """竹溪县's rule implements the provincial in-province subsidy: the solver finds cases where
    each of them pays, and none where both do (the overlap check relies on this, and skips the
    pair); for a 竹溪县 resident the provincial rule pays only when the county rule has no
    version for the case (a departure outside 2021)."""
    library = open_libraries([ROOT / "policies"])
    county = library.rule("zhuxi-2021-transport-in-province")
    province = library.rule("c2-1-transport-in-province")
    assert county is not None and province is not None and county.implements == province.id
    with fresh_context():
        strings = Strings()
        space = FactSpace(library.env, library.facts_schema, strings)
        on = dates.const_date(dates.date(2022, 3, 1))
        situation = Situation(library, space, on)
        pays_county = situation.final(county, "eligible")
        pays_province = situation.final(province, "eligible")

        def solve(*goals: z3.BoolRef) -> z3.ModelRef | None:
            solver = z3.Solver()
            solver.add(*space.axioms, *goals)
            return solver.model() if solver.check() == z3.sat else None

        assert solve(conj(pays_county, pays_province)) is None
        assert solve(pays_county) is not None
        zhuxi = space.fact(("person", "home_county"), STRING_TYPE)
        model = solve(pays_province, zhuxi.known, zhuxi.value == strings.id("竹溪县"))
        assert model is not None
        facts = normalize_facts(facts_of(space, model), library.env.facts)
        decisions = {d.rule.id: d for d in decide(library, facts, dates.date(2022, 3, 1))}
        assert decisions[province.id].outcome.value == "eligible"
        assert decisions[county.id].version is None  # departed outside the county's 2021
