"""The solver's view of one rule: its versions, checks and own outcomes as formulas.

In: nothing (plain data, filled in by engine/analysis/rules.py). Out: `Check`, `VersionModel`,
`RuleModel`, and `unknown_forms`, which names the fields of a rule the encoding does not know:
a form added to the model later is reported as not analysed, never guessed at.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from clause.engine.analysis import dates
from clause.engine.analysis.terms import Term, Z, conj, disj, neg
from clause.engine.model import Condition, Rule, Version

#: Model fields whose meaning the encoding follows; any other field set on a rule, version or
#: condition is a form added later, and the rule is reported as not analysed. Amount forms
#: (fixed, cap, floor, per_unit, percentage, parameter, computed, per_other_regulation) never
#: change an outcome: only whether evaluating them can fail is encoded.
_KNOWN = {
    "Rule": {"id", "title_zh", "title_en", "document", "clause", "subject", "kind", "versions"}
    | {"file", "span", "implements"},  # implements: the higher rule's outcome (outcome.py)
    "Version": {
        "number",
        "enacted_on",
        "enacted_by",
        "enacted_clause",
        "window",
        "span",
        "window_quote",
        "effective_date",
        "event",
        "conditions",
        "unless",
        "requires",
        "amount",
        "funding",
        "once",
        "once_program",
        "once_quote",
        "once_limits",
        "overrides",
        "in_principle",
    },
    "Condition": {"id", "expr", "quote", "span", "in_principle", "cite"},
    "OnceLimit": {"programs", "period", "quote"},
    "Period": {"kind", "months", "window"},
}

#: Periods of a `once` limit the encoding follows (engine/decide/grants.py in_period).
PERIODS = ("year", "months", "during")


def unknown_forms(obj: Any) -> list[str]:
    """Fields of a model object, set to something, that the encoding does not follow."""
    known = next((_KNOWN[c.__name__] for c in type(obj).__mro__ if c.__name__ in _KNOWN), None)
    if known is None:
        return [type(obj).__name__]
    out = []
    for f in dataclasses.fields(obj):
        if f.name in known:
            continue
        default = (
            f.default
            if f.default is not dataclasses.MISSING
            else f.default_factory()
            if f.default_factory is not dataclasses.MISSING
            else object()
        )
        if getattr(obj, f.name) != default:
            out.append(f.name)
    return out


def rule_forms(rule: Rule) -> list[str]:
    """Every form of the rule (its versions, checks and `once` limits) not encoded."""
    forms = unknown_forms(rule)
    for v in rule.versions:
        forms += unknown_forms(v)
        checks = (*v.conditions, *v.unless, *v.requires, *((v.event,) if v.event else ()))
        forms += [f for c in checks for f in unknown_forms(c)]
        for limit in v.once_limits:
            forms += unknown_forms(limit)
            if limit.period is not None:
                forms += unknown_forms(limit.period)
                if limit.period.kind not in PERIODS:
                    forms.append(f"once.per: {limit.period.kind}")
    return forms


@dataclass(frozen=True)
class Check:
    """One condition, exception, requirement or event of a version, as evaluated."""

    role: str  # condition | unless | requires | event
    condition: Condition
    term: Term

    @property
    def true(self) -> Z:
        return conj(self.term.known, self.term.value)

    @property
    def false(self) -> Z:
        return conj(self.term.known, neg(self.term.value))


@dataclass
class VersionModel:
    """A version's own outcome when it is the one selected. For an obligation `eligible` is
    compliant and `ineligible` a violation."""

    version: Version
    selected: Z
    effective: dates.DateTerm
    checks: list[Check]
    eligible: Z
    ineligible: Z
    undetermined: Z
    not_applicable: Z  # obligations: the duty does not apply
    error: Z
    exception_needed: Z  # an in-principle check not met (原则上)
    funding_error: Z  # reading a quota fails (when eligible after overrides)


@dataclass
class RuleModel:
    """A rule's own outcome (before overrides) and whether deciding it fails."""

    rule: Rule
    present: Z
    versions: list[VersionModel]
    no_version: Z  # not applicable: outside the document or every version's window
    missing_date: Z  # undetermined: a version's effective date is unknown
    error: Z
    exact: bool
    event_refused: Z  # every version reachable had its event not happen

    def own(self, outcome: str) -> Z:
        """The rule's own outcome: eligible, ineligible, undetermined, not_applicable or
        exception_needed (compliant and violation for obligations via eligible/ineligible)."""
        parts = [conj(v.selected, getattr(v, outcome)) for v in self.versions]
        if outcome == "not_applicable":
            parts.append(self.no_version)
        if outcome == "undetermined":
            parts.append(self.missing_date)
        if outcome == ("not_applicable" if self.rule.kind == "obligation" else "ineligible"):
            parts.append(self.event_refused)
        return conj(self.present, disj(*parts))

    @property
    def has_version(self) -> Z:
        """The decision names a version (`Decision.version` is set): one was selected, or the
        event of one did not happen. What decides whether a rule it implements is replaced."""
        return conj(self.present, disj(*(v.selected for v in self.versions), self.event_refused))


__all__ = ["Check", "RuleModel", "VersionModel", "rule_forms", "unknown_forms"]
