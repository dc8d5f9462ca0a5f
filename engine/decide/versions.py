"""Version selection: which version of a rule governs a case, or the decision saying why none.

In: a rule, the outcomes of the rules it reads, and the case (engine.decide.checks). Out: the
version with its effective date and why it was chosen (worded only in a trace), or the decision
when none applies: the date falls outside the document's force or every version's window
(not_applicable), the dated event did not happen (ineligible; not_applicable for a duty), or
the date is missing (undetermined, with whether the event happened when that is unknown too).
Dates and events are read before any parameter: the date is what chooses the parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from clause.engine.decide.checks import Observed
from clause.engine.decide.reasons import DECISION_DATE, Outcome, Reason, ReasonCode, Role
from clause.engine.decide.results import ConditionResult, Decision
from clause.engine.expr.values import Unknown
from clause.engine.model import Rule, Version


class Versioned(Observed):
    """A case that can choose a rule's version (the decision core builds on it)."""

    def select_version(
        self, rule: Rule, reads: Mapping[str, Any], records: list[ConditionResult] | None
    ) -> Decision | tuple[Version, date, Reason | None]:
        """The version in force on the rule's effective date, or the decision saying why none
        applies. A version whose event did not happen, or whose effective date is unknown, is
        skipped; if no other version applies, the rule is ineligible (not_applicable for a
        duty) because the event did not happen, or undetermined for want of the date (and of
        whether the event happened, when that is unknown too). Dates and events are read
        before any parameter: the date is what chooses the parameters. Why the version was
        chosen is worded only in a trace."""
        unknown: list[frozenset[str]] | None = None  # made only when a date is missing
        not_happened: Version | None = None
        in_force = self.in_force[rule.id]
        facts, on = self.facts, self.on
        for version in rule.versions:
            happened: Any = True
            if version.event is not None:
                happened = version.event.expr.fn(facts, reads, on)
                if happened is False:
                    not_happened = not_happened or version
                    continue
            chosen_by = version.effective_date
            effective = on if chosen_by is None else chosen_by.fn(facts, reads, on)
            if type(effective) is Unknown:
                unknown = unknown if unknown is not None else []
                if type(happened) is Unknown:
                    unknown.append(happened.paths)
                unknown.append(effective.paths)
                continue
            if not in_force.lo <= effective <= in_force.hi:
                source = DECISION_DATE if chosen_by is None else chosen_by.text
                return self.outside_document(rule, effective, source)
            window = version.window
            if window.lo <= effective <= window.hi:
                if not self.trace:
                    return version, effective, None
                why = Reason.of(
                    ReasonCode.VERSION,
                    source=DECISION_DATE if chosen_by is None else chosen_by.text,
                    day=effective,
                    version=version.number,
                    window=version.window,
                )
                return version, effective, why
        if unknown:
            if records is not None:
                self.trace_events(rule, reads, records)
            missing, reason = self.missing_date(unknown)
            conds = tuple(records) if records is not None else ()
            return Decision(rule, Outcome.UNDETERMINED, reason, conditions=conds, missing=missing)
        if not_happened is not None and not_happened.event is not None:
            return self.event_not_happened(rule, not_happened, reads, records)
        return self.no_version(rule)

    def trace_events(
        self, rule: Rule, reads: Mapping[str, Any], records: list[ConditionResult] | None
    ) -> None:
        """Record the event checks of the versions (once each) when no version was chosen."""
        if records is None:
            return
        seen: set[str] = set()
        for version in rule.versions:
            event = version.event
            if event is not None and event.expr.text not in seen:
                seen.add(event.expr.text)
                self.checks(rule, (event,), Role.EVENT, reads, records)

    def event_not_happened(
        self,
        rule: Rule,
        version: Version,
        reads: Mapping[str, Any],
        records: list[ConditionResult] | None,
    ) -> Decision:
        """The event the rule is about did not happen: a benefit is refused, a duty not owed."""
        assert version.event is not None
        self.trace_events(rule, reads, records)
        reason = self.cited(ReasonCode.EVENT_NOT_HAPPENED, version.event)
        outcome = Outcome.NOT_APPLICABLE if rule.kind == "obligation" else Outcome.INELIGIBLE
        conds = tuple(records) if records is not None else ()
        # the version whose event was checked; no date chose it, the event's absence did
        return Decision(rule, outcome, reason, version, version_reason=reason, conditions=conds)

    def outside_document(self, rule: Rule, day: date, source: str) -> Decision:
        doc = self.library.document_of(rule)
        window = self.library.in_force(rule)
        layer = self.library.layers.get(rule.id)
        repealed = layer.repealed_by if layer is not None else None
        if (
            window.end is not None
            and day > window.end
            and repealed is not None
            and layer is not None
            and layer.rule_repealed
        ):
            reason = Reason.of(
                ReasonCode.RULE_REPEALED, by=repealed, end=window.end, source=source, day=day
            )
        elif window.end is not None and day > window.end and repealed is not None:
            reason = Reason.of(
                ReasonCode.REPEALED,
                document=doc.ref,
                by=repealed,
                end=window.end,
                source=source,
                day=day,
            )
        elif window.end is not None and day > window.end:
            reason = Reason.of(
                ReasonCode.NOTICE_EXPIRED,
                document=doc.ref,
                end=window.end,
                source=source,
                day=day,
            )
        else:
            reason = Reason.of(
                ReasonCode.NOTICE_NOT_YET,
                document=doc.ref,
                start=window.start,
                source=source,
                day=day,
            )
        return Decision(rule, Outcome.NOT_APPLICABLE, reason, effective_date=day)

    def no_version(self, rule: Rule) -> Decision:
        ends = [v.window.end for v in rule.versions if v.window.end is not None]
        starts = [v.window.start for v in rule.versions if v.window.start is not None]
        day = self.on
        if ends and len(ends) == len(rule.versions) and day > max(ends):
            reason = Reason.of(ReasonCode.RULE_EXPIRED, end=max(ends))
        elif starts and day < min(starts):
            reason = Reason.of(ReasonCode.RULE_NOT_YET, start=min(starts))
        else:
            reason = Reason(ReasonCode.NO_VERSION)
        return Decision(rule, Outcome.NOT_APPLICABLE, reason)
