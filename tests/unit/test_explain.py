"""Explanations (engine.explain): every code worded in both languages, the typed explanation
built from traced decisions, and its renderers."""

from __future__ import annotations

import ast
import string
from datetime import date
from pathlib import Path

import pytest

from clause.engine.api import decide_case, explain_case, open_library
from clause.engine.decide import Outcome, Reason, ReasonCode, Role
from clause.engine.decide.core import CITING
from clause.engine.decide.reasons import REASON_ARGS
from clause.engine.explain.build import explain
from clause.engine.explain.render import check_mark, to_json, to_markdown, to_text
from clause.engine.explain.words import LABELS, LANGS, OUTCOMES, REASONS, word
from clause.engine.facts import normalize_facts
from clause.engine.load.validate import SCHEMA_DIR

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
LIBRARY = open_library(MINI)
ON = date(2030, 12, 1)
FACTS = normalize_facts(
    {
        "person": {
            "poverty_alleviated": True,
            "first_business": True,
            "returned_home": True,
            "licence_date": "2029-11-01",
            "training_months": 2,
            "locality": "甲市",
            "grants": [{"program": "other", "date": "2030-04-01"}],
        }
    },
    LIBRARY.env.facts,
)


@pytest.mark.parametrize("lang", LANGS)
def test_every_outcome_role_and_reason_has_words(lang: str) -> None:
    assert set(OUTCOMES[lang]) == set(Outcome)
    assert {r.value for r in Role} <= set(LABELS[lang])
    assert set(ReasonCode) <= set(REASONS[lang])
    for code in ReasonCode:
        template = REASONS[lang][code]
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        assert fields <= REASON_ARGS[code], (lang, code, fields)
        args = {name: f"<{name}>" for name in REASON_ARGS[code]}
        if "was" in args:
            args["was"] = "eligible"
        assert word(Reason.of(code, **args), lang).strip(), (lang, code)


def test_every_reason_made_in_the_engine_names_only_its_own_arguments() -> None:
    """Reads every `Reason.of(ReasonCode.X, name=...)` in engine/: a reason given an argument
    its words cannot use (or a misspelt one) would be worded with a gap."""
    engine = Path(__file__).resolve().parents[2] / "engine"
    calls = 0
    for path in engine.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "of"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "Reason"
            ):
                continue
            code_node = node.args[0]
            names = {k.arg for k in node.keywords}
            # a code passed in a variable is one of those that cite a condition
            codes = [ReasonCode[code_node.attr]] if isinstance(code_node, ast.Attribute) else CITING
            for code in codes:
                assert names <= REASON_ARGS[code], f"{path}:{node.lineno}: {code} {names}"
            calls += 1
    assert calls >= 15


def test_the_explanation_cites_clause_parameters_and_funds() -> None:
    decisions = decide_case(LIBRARY, FACTS, ON)
    expl = explain(LIBRARY, decisions, ON, FACTS)
    assert expl.documents == ("示例人社发〔2030〕1号",)
    assert expl.ruleset_digest == LIBRARY.digest and expl.facts_digest.startswith("sha256:")
    by_rule = {d.rule: d for d in expl.decisions}
    startup = by_rule["startup"]
    assert startup.superseded_by == "startup-return"
    assert startup.breadcrumb and "脱贫人口" in startup.clause_text
    training = by_rule["training"]
    (param,) = training.parameters
    assert (param.id, param.value, param.locality) == ("training.monthly_rate", 600, "甲市")
    assert param.citation.quote == "按每人每月当地标准给予补贴"


def test_renderers_say_the_same_thing(tmp_path: Path) -> None:
    expl = explain_case(LIBRARY, FACTS, ON)
    data = to_json(expl, "zh")
    markdown = to_markdown(expl, "zh")
    trees, footer = to_text(expl, "zh")
    assert len(trees) == len(data["decisions"]) == len(expl.decisions)
    for tree, d in zip(trees, data["decisions"], strict=True):
        head = "".join(s.text for s in tree.label)
        assert d["rule"] in head and d["outcome_label"] in head
        assert f"(`{d['rule']}`): {d['outcome_label']}" in markdown
    assert data["ruleset_digest"] in "".join(s.text for s in footer)
    assert (SCHEMA_DIR / "trace.schema.json").is_file()


def test_the_one_off_line_is_marked_by_whether_it_lets_the_benefit_through() -> None:
    expl = explain_case(LIBRARY, FACTS, ON, rule="startup-return")
    (decision,) = expl.decisions
    once = next(c for c in decision.conditions if c.role is Role.ONCE)
    assert once.value is False and check_mark(once) == "✓"
