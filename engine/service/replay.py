"""Replay: a logged decision decided again from its stored rule set and facts, and compared.

In: a decision record and the rule set it names (both from the store), or another library to
compare against. Out: a `ReplayReport`: the trace decided again, whether it is byte-identical
to the logged one, and if not, what differs (a unified diff) and why (the engine version, the
rule set's digest and the files that changed, the facts digest).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from clause.engine import __version__, api
from clause.engine.explain.render import to_json_text
from clause.engine.library import Library
from clause.engine.load.jsondata import parse_json
from clause.engine.messages import Text, msg
from clause.engine.service.audit import DecisionRecord
from clause.engine.service.ruleset import RuleSetFiles

#: Lines of unified diff a report keeps (the rest is counted).
MAX_DIFF_LINES = 200


@dataclass(frozen=True)
class ReplayReport:
    record: DecisionRecord
    against: Text  # "stored rule set <id>" or the library folder compared with
    ruleset_digest: str  # of the library decided under now
    text: str  # the trace decided again
    reasons: tuple[Text, ...] = ()
    diff: tuple[str, ...] = ()
    changed_files: tuple[Text, ...] = field(default=())
    more: int = 0  # lines of diff left out

    @property
    def identical(self) -> bool:
        return self.text == self.record.trace_text


def replay(
    record: DecisionRecord,
    library: Library,
    against: Text,
    stored: RuleSetFiles,
    current: RuleSetFiles | None = None,
) -> ReplayReport:
    """Decide `record` again under `library` and compare with what was answered. `current` is
    the captured files of `library` when it is not the stored rule set (to name the changes)."""
    facts = api.facts_from_data(parse_json(record.facts_json), library, "<stored facts>")
    expl = api.explain_case(
        library,
        facts,
        record.decision_date,
        rule=record.rule,
        budget=record.budget_decimal or None,
        only=set(record.only) if record.only is not None else None,
    )
    text = to_json_text(expl, record.lang)
    changed = _changed_files(stored, current) if current is not None else ()
    if text == record.trace_text:
        return ReplayReport(record, against, library.digest, text, changed_files=changed)
    reasons = _reasons(record, library, json.loads(text), changed)
    diff = list(
        difflib.unified_diff(
            record.trace_text.splitlines(),
            text.splitlines(),
            "logged",
            "replayed",
            lineterm="",
        )
    )
    more = max(0, len(diff) - MAX_DIFF_LINES)
    kept = tuple(diff[:MAX_DIFF_LINES])
    return ReplayReport(record, against, library.digest, text, reasons, kept, changed, more)


def _changed_files(stored: RuleSetFiles, current: RuleSetFiles) -> tuple[Text, ...]:
    before, after = stored.file_digests, current.file_digests
    out: list[Text] = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            out.append(msg("replay.removed", path=path))
        elif path not in before:
            out.append(msg("replay.added", path=path))
        elif before[path] != after[path]:
            out.append(msg("replay.changed", path=path))
    return tuple(out)


def _reasons(
    record: DecisionRecord, library: Library, now: dict[str, object], changed: tuple[Text, ...]
) -> tuple[Text, ...]:
    out: list[Text] = []
    if library.digest != record.ruleset_digest:
        logged, digest = record.ruleset_digest, library.digest
        if changed:
            out.append(msg("replay.ruleset_files", logged=logged, now=digest, count=len(changed)))
        else:
            out.append(msg("replay.ruleset", logged=logged, now=digest))
    if now.get("facts_digest") != record.facts_digest:
        out.append(msg("replay.facts", logged=record.facts_digest, now=now.get("facts_digest")))
    if record.engine_version != __version__:
        out.append(msg("replay.engine", logged=record.engine_version, now=__version__))
    if not out:
        out.append(msg("replay.same"))
    return tuple(out)
