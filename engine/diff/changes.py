"""What changed between two states of a policy library, in officers' terms.

In: two libraries (say, before and after an amending notice). Out: a sorted list of Changes —
documents added or removed or their window moved, rules added or removed, versions added
(compared with the version they follow: "amount max 500 → 600 from 2023-01-01, by document X
clause Y"), version windows, conditions, amounts, funding and limits changed, parameter values
changed. The comparison runs over the model with places and compiled code left out, so a
comment or a reformatted file is no change, and any field a rule may hold is compared.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from clause.engine.library import Library, document_windows
from clause.engine.model import Document, Expr, Parameter, Rule, Version, Window
from clause.engine.source import Span


class ChangeKind(StrEnum):
    """What kind of change: one member per sentence an officer reads."""

    DOCUMENT_ADDED = "document_added"
    DOCUMENT_REMOVED = "document_removed"
    DOCUMENT_CHANGED = "document_changed"
    RULE_ADDED = "rule_added"
    RULE_REMOVED = "rule_removed"
    RULE_CHANGED = "rule_changed"
    VERSION_ADDED = "version_added"
    VERSION_REMOVED = "version_removed"
    VERSION_CHANGED = "version_changed"
    PARAMETER_ADDED = "parameter_added"
    PARAMETER_REMOVED = "parameter_removed"
    PARAMETER_CHANGED = "parameter_changed"
    FUND_ADDED = "fund_added"
    FUND_REMOVED = "fund_removed"


@dataclass(frozen=True)
class Change:
    """One change. `field` names what changed inside the target (`amount`, `conditions.age`,
    `window`…; empty for additions and removals); `old`/`new` are short texts."""

    kind: ChangeKind
    target: str  # a document number, rule id (with @version), parameter id or fund id
    field: str = ""
    old: str | None = None
    new: str | None = None
    since: date | None = None  # from when the new state applies
    by: str | None = None  # the document (and clause) that enacted it
    span: Span | None = None  # where the new state is written

    def sort_key(self) -> tuple[str, str, str, str]:
        order = list(ChangeKind).index(self.kind)
        return (self.target.split("@")[0], self.target, f"{order:02d}", self.field)


def diff_libraries(old: Library, new: Library) -> list[Change]:
    """Every change from `old` to `new`, sorted by what it is about."""
    changes: list[Change] = []
    changes += _documents({d.ref: d for d in old.documents}, {d.ref: d for d in new.documents})
    changes += _effective_windows(old, new)
    extended = {k: v.extended_by for k, v in new.layers.items() if v.extended_by is not None}
    changes += _rules(
        {r.id: r for r in old.rules_by_id}, {r.id: r for r in new.rules_by_id}, extended
    )
    changes += _rule_windows(old, new)
    changes += _parameters(old.parameters, new.parameters)
    for fund in sorted(set(new.funds) - set(old.funds)):
        changes.append(Change(ChangeKind.FUND_ADDED, fund, new=new.funds[fund].name_zh))
    for fund in sorted(set(old.funds) - set(new.funds)):
        changes.append(Change(ChangeKind.FUND_REMOVED, fund, old=old.funds[fund].name_zh))
    return sorted(changes, key=Change.sort_key)


# -- documents -------------------------------------------------------------------------------


def _documents(old: Mapping[str, Document], new: Mapping[str, Document]) -> Iterator[Change]:
    for number in sorted(set(new) - set(old)):
        doc = new[number]
        yield Change(ChangeKind.DOCUMENT_ADDED, number, new=doc.title_zh, since=doc.in_force.start)
    for number in sorted(set(old) - set(new)):
        yield Change(ChangeKind.DOCUMENT_REMOVED, number, old=old[number].title_zh)
    for number in sorted(set(old) & set(new)):
        for name, was, now in _differences(_plain(old[number]), _plain(new[number])):
            yield Change(ChangeKind.DOCUMENT_CHANGED, number, name, was, now)


def _effective_windows(old: Library, new: Library) -> Iterator[Change]:
    """A document's in-force window as the other documents left it (extended, repealed),
    when that moved: the change is the extending or repealing document's."""
    before, _, _ = document_windows(old.packages)
    after, extended, repealed = document_windows(new.packages)
    for ref in sorted(set(before) & set(after)):
        if before[ref] != after[ref]:
            by = extended.get(ref) or repealed.get(ref)
            yield Change(
                ChangeKind.DOCUMENT_CHANGED,
                ref,
                "in_force_effective",
                str(before[ref]),
                str(after[ref]),
                by=by,
            )


def _rule_windows(old: Library, new: Library) -> Iterator[Change]:
    """A rule repealed (or no longer repealed) on its own by another document: its window
    in force ends earlier than its document's."""
    for rule in new.rules_by_id:
        was = old.in_force_by_rule.get(rule.id)
        now = new.in_force_by_rule[rule.id]
        layer = new.layers.get(rule.id)
        repealed = layer.repealed_by if layer is not None else None
        if was is None or was.end == now.end or repealed is None:
            continue
        since = now.end + timedelta(days=1) if now.end is not None else None
        yield Change(
            ChangeKind.RULE_CHANGED,
            rule.id,
            "in_force",
            str(was),
            str(now),
            since,
            repealed,
            span=rule.span,
        )


# -- rules -----------------------------------------------------------------------------------


def _rules(
    old: Mapping[str, Rule], new: Mapping[str, Rule], extended: Mapping[str, str]
) -> Iterator[Change]:
    for rule_id in sorted(set(new) - set(old)):
        rule = new[rule_id]
        first = rule.versions[0] if rule.versions else None
        yield Change(
            ChangeKind.RULE_ADDED,
            rule_id,
            new=rule.title_zh,
            since=first.window.start if first else None,
            by=_enacted(first, rule) if first else rule.document,
            span=rule.span,
        )
    for rule_id in sorted(set(old) - set(new)):
        yield Change(ChangeKind.RULE_REMOVED, rule_id, old=old[rule_id].title_zh)
    for rule_id in sorted(set(old) & set(new)):
        yield from _rule(old[rule_id], new[rule_id], extended.get(rule_id))


_RULE_FACETS = ("title_zh", "title_en", "document", "clause", "subject", "kind")


def _rule(old: Rule, new: Rule, extended_by: str | None) -> Iterator[Change]:
    for facet in _RULE_FACETS:
        was, now = getattr(old, facet), getattr(new, facet)
        if was != now:
            yield Change(ChangeKind.RULE_CHANGED, new.id, facet, str(was), str(now), span=new.span)
    before = {v.number: v for v in old.versions}
    after = {v.number: v for v in new.versions}
    for number in sorted(set(after) - set(before)):
        version = after[number]
        target = f"{new.id}@{number}"
        previous = after.get(number - 1) or before.get(number - 1)
        yield Change(
            ChangeKind.VERSION_ADDED,
            target,
            new=str(version.window),
            since=version.window.start,
            by=_enacted(version, new),
            span=version.span,
        )
        if previous is not None:  # what the new version changes from the one it follows
            for name, was, now in _differences(_plain(previous), _plain(version)):
                if name not in ("window", "enacted_by", "enacted_clause", "window_quote"):
                    yield Change(
                        ChangeKind.VERSION_CHANGED,
                        target,
                        name,
                        was,
                        now,
                        since=version.window.start,
                        by=_enacted(version, new),
                        span=version.span,
                    )
    for number in sorted(set(before) - set(after)):
        yield Change(
            ChangeKind.VERSION_REMOVED, f"{new.id}@{number}", old=str(before[number].window)
        )
    for number in sorted(set(before) & set(after)):
        version = after[number]
        for name, was, now in _differences(_plain(before[number]), _plain(version)):
            cause = _window_cause(before[number], version, after, extended_by)
            yield Change(
                ChangeKind.VERSION_CHANGED,
                f"{new.id}@{number}",
                name,
                was,
                now,
                since=version.window.start if cause is None else None,
                by=cause or _enacted(version, new),
                span=version.span,
            )


def _window_cause(
    was: Version, now: Version, versions: Mapping[int, Version], extended_by: str | None
) -> str | None:
    """Who moved a version's window: the document enacting the version that now follows it
    (an amendment closes the version it replaces), or the document extending the notice."""
    if was.window == now.window or now.window.end is None:
        return None
    if was.window.end is not None and now.window.end < was.window.end:
        follower = versions.get(now.number + 1)
        if follower is not None and follower.window.start is not None:
            return f"{follower.enacted_by} {follower.enacted_clause or ''}".strip()
    if extended_by is not None:
        return extended_by
    return None


def _enacted(version: Version, rule: Rule) -> str:
    clause = getattr(version, "enacted_clause", None)
    by = version.enacted_by or rule.document
    return f"{by} {clause}" if clause else by


# -- parameters ------------------------------------------------------------------------------


def _parameters(old: Mapping[str, Parameter], new: Mapping[str, Parameter]) -> Iterator[Change]:
    for pid in sorted(set(new) - set(old)):
        yield Change(ChangeKind.PARAMETER_ADDED, pid, new=new[pid].title_zh, span=new[pid].span)
    for pid in sorted(set(old) - set(new)):
        yield Change(ChangeKind.PARAMETER_REMOVED, pid, old=old[pid].title_zh)
    for pid in sorted(set(old) & set(new)):
        was, now = old[pid], new[pid]
        for name, a, b in _differences(_plain(was), _plain(now)):
            yield Change(ChangeKind.PARAMETER_CHANGED, pid, name, a, b, span=now.span)


# -- comparing model objects -----------------------------------------------------------------

#: Fields that say where something is written or how it runs, not what it says.
_SKIP = frozenset({"span", "file", "fn", "node", "number", "enacted_on", "lo", "hi"})


def _plain(value: Any) -> Any:
    """A comparable form: dataclasses as dicts without places or compiled code; expressions
    as their text; conditions keyed by id; dates, windows and decimals as text."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Window):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _SKIP
        }
    if isinstance(value, tuple | list):
        items = [_plain(v) for v in value]
        if items and all(isinstance(i, dict) and "id" in i for i in items):
            return {str(i["id"]): i for i in items}  # conditions: matched by id
        return items
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _differences(
    old: Any, new: Any, path: str = ""
) -> Iterator[tuple[str, str | None, str | None]]:
    """(field path, old text, new text) for every leaf that differs; a field present on one
    side only is reported whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{path}.{key}" if path else str(key)
            if key not in old:
                yield here, None, _short(new[key])
            elif key not in new:
                yield here, _short(old[key]), None
            else:
                yield from _differences(old[key], new[key], here)
        return
    if old != new:
        yield path, _short(old), _short(new)


def _short(value: Any) -> str | None:
    """A short text for a compared value."""
    if value is None:
        return None
    if isinstance(value, dict):
        if "expr" in value and "quote" in value:  # a condition
            return f"{value['expr']} 「{value['quote']}」"
        inner = {k: v for k, v in value.items() if v not in (None, (), [], {}, "")}
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in inner.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(str(_short(v)) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
