"""Notice coverage: which clauses of the notice are encoded, referential, qualitative or missing.

In: a package. Out: one `ClauseCoverage` per provision of the notice (metadata such as the
title or the signature, and section headings, are not provisions), with totals. A clause is
encoded when a rule cites it, or when a rule's condition quotes it with `cite`. Nothing in a
shipped package may be missing: `clause coverage` exits 1 when something is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clause.engine.model import Package, Rule


@dataclass(frozen=True)
class ClauseCoverage:
    clause: str
    title: str
    status: str  # encoded | referential | qualitative | missing
    rules: tuple[str, ...]
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "title": self.title,
            "status": self.status,
            "rules": list(self.rules),
            "reason": self.reason,
        }


def notice_coverage(package: Package) -> list[ClauseCoverage]:
    out = []
    for clause in package.notice.clauses:
        if clause.kind != "provision":
            continue
        rules = tuple(sorted(r.id for r in package.rules if clause.id in clauses_of(r)))
        listed = [u for u in package.unencoded if u.clause == clause.id]
        if rules:
            reasons = "; ".join(f"{u.status}: {u.reason}" for u in listed)
            out.append(ClauseCoverage(clause.id, clause.title, "encoded", rules, reasons))
        elif listed:
            status = (
                "referential" if any(u.status == "referential" for u in listed) else ("qualitative")
            )
            reason = "; ".join(u.reason for u in listed)
            out.append(
                ClauseCoverage(clause.id, clause.title, status, tuple(u.id for u in listed), reason)
            )
        else:
            out.append(ClauseCoverage(clause.id, clause.title, "missing", ()))
    return out


def clauses_of(rule: Rule) -> set[str]:
    """The clauses of its own document a rule encodes: the one it cites, and those its
    conditions quote with `cite` (the target group defined in one item, say)."""
    out = {rule.clause}
    for version in rule.versions:
        event = (version.event,) if version.event else ()
        for cond in (*event, *version.conditions, *version.unless, *version.requires):
            if cond.cite is not None and cond.cite.document in (None, rule.document):
                out.add(cond.cite.clause)
    return out


def totals(items: list[ClauseCoverage]) -> dict[str, int]:
    counts = {"encoded": 0, "referential": 0, "qualitative": 0, "missing": 0}
    for item in items:
        counts[item.status] += 1
    return counts
