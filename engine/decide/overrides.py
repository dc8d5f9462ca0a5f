"""Overrides: a benefit that replaces others (返乡创业 5000 replaces 2000), applied per rule.

In: a rule's own decision and the decisions, before their own overrides, of the rules that
override it (decided first: engine.dependencies orders them). Out: the decision as shown. An
eligible overrider supersedes the rule (not_applicable, no amount); an undetermined one leaves
an eligible rule undetermined too, since it may yet be superseded. Rule order never matters:
the overriders are taken in rule-id order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from clause.engine.decide.reasons import Outcome, Reason, ReasonCode
from clause.engine.decide.results import Decision


def supersede(decision: Decision, overriders: Sequence[Decision]) -> Decision:
    """`decision` after the rules overriding or implementing it (their own decisions, in
    rule-id order)."""
    implementers = [o for o in overriders if o.rule.implements == decision.rule.id]
    if implementers:
        decision = _implemented(decision, implementers)
        overriders = [o for o in overriders if o.rule.implements != decision.rule.id]
    if not any(
        o.outcome is Outcome.ELIGIBLE or o.outcome is Outcome.UNDETERMINED for o in overriders
    ):
        return decision  # the common case: nothing that overrides it is (or may be) payable
    by = next(
        (o for o in overriders if _overrides(o, decision) and o.outcome is Outcome.ELIGIBLE), None
    )
    if by is not None:
        reason = Reason.of(ReasonCode.SUPERSEDED, by=by.rule.id, was=decision.outcome.value)
        return replace(
            decision,
            outcome=Outcome.NOT_APPLICABLE,
            reason=reason,
            superseded_by=by.rule.id,
            amount=None,
        )
    if decision.outcome is not Outcome.ELIGIBLE:
        return decision
    pending = next(
        (o for o in overriders if _overrides(o, decision) and o.outcome is Outcome.UNDETERMINED),
        None,
    )
    if pending is None:
        return decision
    reason = Reason.of(ReasonCode.MAYBE_SUPERSEDED, by=pending.rule.id)
    return replace(
        decision, outcome=Outcome.UNDETERMINED, reason=reason, missing=pending.missing, amount=None
    )


def _overrides(overrider: Decision, decision: Decision) -> bool:
    """Whether the version the overrider used names the rule (a version it did not reach, or
    an outcome other than eligible or undetermined, overrides nothing)."""
    version = overrider.version
    return version is not None and decision.rule.id in version.overrides


def apply_overrides(decisions: list[Decision]) -> list[Decision]:
    """Every decision after its overriders, for a list decided without them (rule-id order).
    Most cases have no decided benefit that overrides anything: they are returned at once."""
    overriding = [
        d
        for d in decisions
        if d.version is not None
        and d.version.overrides
        and (d.outcome is Outcome.ELIGIBLE or d.outcome is Outcome.UNDETERMINED)
    ]
    if not overriding:
        return decisions
    targets = {t for o in overriding if o.version is not None for t in o.version.overrides}
    return [supersede(d, overriding) if d.rule.id in targets else d for d in decisions]


def _implemented(decision: Decision, implementers: Sequence[Decision]) -> Decision:
    """One benefit, one payment: a lower document's rule that carries out this one and has a
    version in force for the case decides it instead (whatever its outcome: its conditions
    narrow the higher rule's), and this rule is not applicable. An implementer whose version
    could not be chosen for want of a date leaves a payable rule undetermined."""
    by = next((o for o in implementers if o.version is not None), None)
    if by is not None:
        reason = Reason.of(
            ReasonCode.IMPLEMENTED,
            by=by.rule.id,
            document=by.rule.document,
            was=decision.outcome.value,
        )
        return replace(
            decision,
            outcome=Outcome.NOT_APPLICABLE,
            reason=reason,
            superseded_by=by.rule.id,
            amount=None,
        )
    pending = next((o for o in implementers if o.outcome is Outcome.UNDETERMINED), None)
    if pending is None or decision.outcome not in (Outcome.ELIGIBLE, Outcome.UNDETERMINED):
        return decision
    reason = Reason.of(
        ReasonCode.MAYBE_IMPLEMENTED, by=pending.rule.id, document=pending.rule.document
    )
    missing = tuple(dict.fromkeys((*pending.missing, *decision.missing)))
    return replace(
        decision, outcome=Outcome.UNDETERMINED, reason=reason, missing=missing, amount=None
    )
