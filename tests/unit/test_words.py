"""Every outcome, role and reason of a decision has words in Chinese and English, and every
template names only arguments the decision core gives, so nothing is shown as a blank."""

from __future__ import annotations

import inspect
import re

import pytest

from clause.engine.decide.reasons import (
    BENEFIT_OUTCOMES,
    OBLIGATION_OUTCOMES,
    Outcome,
    Reason,
    ReasonCode,
    Role,
)
from clause.engine.explain.words import LABELS, LANGS, OUTCOMES, REASONS, word
from clause.engine.expr.types import KNOWN_OUTCOMES


def documented_args() -> dict[str, set[str]]:
    """The arguments each reason code is given, from the comment beside it in reasons.py
    (`VERSION = "version"  # args: source, day, version, window`)."""
    text = inspect.getsource(ReasonCode)
    out: dict[str, set[str]] = {}
    for value, comment in re.findall(r'^\s+\w+ = "(\w+)"(?:\s+# (.*))?$', text, re.M):
        comment = (comment or "").removeprefix("args:").strip()
        out[value] = {a.strip() for a in comment.split(",") if a.strip()}
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_outcome_role_and_reason_has_words(lang: str) -> None:
    assert set(OUTCOMES[lang]) == set(Outcome)
    assert {r.value for r in Role} <= set(LABELS[lang])
    assert set(ReasonCode) <= set(REASONS[lang])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", list(ReasonCode))
def test_templates_name_only_given_arguments(lang: str, code: ReasonCode) -> None:
    named = set(re.findall(r"\{(\w+)\}", REASONS[lang][code]))
    given = documented_args().get(code.value, set())
    assert named <= given, f"{code}: {named - given} not given by the core"
    args = {a: "eligible" if a == "was" else f"<{a}>" for a in given}
    text = word(Reason.of(code, **args), lang)
    assert text and "{" not in text


def test_outcome_types_in_expressions_match_the_outcomes() -> None:
    """outcome("id") is typed with the outcomes a rule can show, undetermined being unknown."""
    assert KNOWN_OUTCOMES["benefit"] == tuple(o.value for o in BENEFIT_OUTCOMES[:-1])
    assert KNOWN_OUTCOMES["obligation"] == tuple(o.value for o in OBLIGATION_OUTCOMES[:-1])
    assert BENEFIT_OUTCOMES[-1] is OBLIGATION_OUTCOMES[-1] is Outcome.UNDETERMINED
