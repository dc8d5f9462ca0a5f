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
from clause.engine.service.audit import DecisionRecord
from clause.engine.service.cases import read_json
from clause.engine.service.ruleset import RuleSetFiles

#: Lines of unified diff a report keeps (the rest is counted).
MAX_DIFF_LINES = 200


@dataclass(frozen=True)
class ReplayReport:
    record: DecisionRecord
    against: str  # "stored rule set <id>" or the library folder compared with
    ruleset_digest: str  # of the library decided under now
    text: str  # the trace decided again
    reasons: tuple[str, ...] = ()
    diff: tuple[str, ...] = ()
    changed_files: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        return self.text == self.record.trace_text


def replay(
    record: DecisionRecord,
    library: Library,
    against: str,
    stored: RuleSetFiles,
    current: RuleSetFiles | None = None,
) -> ReplayReport:
    """Decide `record` again under `library` and compare with what was answered. `current` is
    the captured files of `library` when it is not the stored rule set (to name the changes)."""
    facts = api.facts_from_data(read_json(record.facts_json), library, "<stored facts>")
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
    if len(diff) > MAX_DIFF_LINES:
        diff = [*diff[:MAX_DIFF_LINES], f"... {len(diff) - MAX_DIFF_LINES} more lines"]
    return ReplayReport(record, against, library.digest, text, reasons, tuple(diff), changed)


def _changed_files(stored: RuleSetFiles, current: RuleSetFiles) -> tuple[str, ...]:
    before, after = stored.file_digests, current.file_digests
    out = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            out.append(f"removed {path}")
        elif path not in before:
            out.append(f"added {path}")
        elif before[path] != after[path]:
            out.append(f"changed {path}")
    return tuple(out)


def _reasons(
    record: DecisionRecord, library: Library, now: dict[str, object], changed: tuple[str, ...]
) -> tuple[str, ...]:
    out = []
    if library.digest != record.ruleset_digest:
        files = f": {len(changed)} file(s) differ" if changed else ""
        out.append(
            f"the rule set differs: logged {record.ruleset_digest}, now {library.digest}{files}"
        )
    if now.get("facts_digest") != record.facts_digest:
        out.append(f"the facts differ: logged {record.facts_digest}, now {now.get('facts_digest')}")
    if record.engine_version != __version__:
        out.append(
            f"the engine differs: decided by clause {record.engine_version}, "
            f"replayed by {__version__}"
        )
    if not out:
        out.append(
            "same rule set, facts and engine version, yet a different trace: the decision "
            "procedure is not deterministic here (a bug: please report it)"
        )
    return tuple(out)
