"""The audit log: decisions stored self-contained, rule sets stored by content, both read back.

In: a connection and a `DecisionRecord` (or a RuleSetFiles). Out: rows in `decisions`,
`outcomes`, `rulesets`, `blobs`; records read back by id or listed by date, rule and outcome.
A record holds everything needed to decide the case again: the rule set's id, the facts as
decided (personal data already replaced by keyed hashes), the date, the language and selection,
the fund quotas it was given, and the exact trace text that was answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, insert, select

from clause.engine.service.ruleset import RuleSetError, RuleSetFiles, blob_digest
from clause.engine.service.tables import blobs, decisions, outcomes, rulesets

#: What every decision id looks like (uuid4 in hex).
DECISION_ID = re.compile("[0-9a-f]{32}")


@dataclass(frozen=True)
class DecisionRecord:
    """One logged decision, as stored."""

    id: str
    request_id: str
    kind: str  # decide | apply
    created_at: str
    decision_date: date
    lang: str
    rule: str | None
    only: tuple[str, ...] | None
    ruleset_id: str
    ruleset_digest: str
    facts_digest: str
    engine_version: str
    facts_json: str  # the facts as decided (exact decimals), personal data masked
    budget: dict[str, str]  # fund -> remaining quota given to the decision, as text
    trace_text: str  # the body answered, byte for byte
    outcomes: tuple[tuple[str, str, int | None], ...] = ()  # (rule, outcome, amount in fen)

    def to_text(self, grants: list[dict[str, Any]]) -> str:
        """The record as GET /v1/decisions/{id} answers it (service-decision-record.schema.json),
        with the grants the ledger holds for it. The stored facts and trace are embedded as
        their own text, never parsed and written again: exact decimals stay as they were."""
        body = {
            "decision_id": self.id,
            "request_id": self.request_id,
            "kind": self.kind,
            "time": self.created_at,
            "date": self.decision_date.isoformat(),
            "lang": self.lang,
            "rule": self.rule,
            "only": list(self.only) if self.only is not None else None,
            "ruleset_id": self.ruleset_id,
            "ruleset_digest": self.ruleset_digest,
            "facts_digest": self.facts_digest,
            "engine_version": self.engine_version,
            "facts": None,
            "budget": dict(self.budget),
            "trace": None,
            "grants": grants,
        }
        return json_with_texts(body, {"facts": self.facts_json, "trace": self.trace_text})

    @property
    def budget_decimal(self) -> dict[str, Decimal]:
        return {k: Decimal(v) for k, v in self.budget.items()}


def json_with_texts(body: Mapping[str, Any], texts: Mapping[str, str]) -> str:
    """`body` as indented JSON, each top-level key of `texts` (null in `body`) holding that
    JSON text as it is, indented one level: stored facts and traces are answered verbatim.

    >>> print(json_with_texts({"a": None, "b": 1}, {"a": '{\n  "x": 1.50\n}\n'}))
    {
      "a": {
        "x": 1.50
      },
      "b": 1
    }
    <BLANKLINE>
    """
    text = json.dumps(body, ensure_ascii=False, indent=2)
    for key, raw in texts.items():
        # a top-level key is written once, at two spaces; strings never hold a raw newline
        marker = f"\n  {json.dumps(key)}: null"
        nested = raw.rstrip("\n").replace("\n", "\n  ")
        head, found, tail = text.partition(marker)
        assert found, key
        text = f"{head}\n  {json.dumps(key)}: {nested}{tail}"
    return text + "\n"


def store_ruleset(conn: Connection, files: RuleSetFiles, now: str) -> None:
    """Store a rule set and its files unless already there (content-addressed: idempotent)."""
    if conn.execute(select(rulesets.c.id).where(rulesets.c.id == files.id)).first():
        return
    digests = files.file_digests
    for path, digest in digests.items():
        if not conn.execute(select(blobs.c.digest).where(blobs.c.digest == digest)).first():
            conn.execute(insert(blobs).values(digest=digest, content=files.files[path]))
    conn.execute(
        insert(rulesets).values(
            id=files.id,
            ruleset_digest=files.ruleset_digest,
            shown_as=files.shown_as,
            opened=files.opened,
            files=json.dumps(digests, ensure_ascii=False, sort_keys=True),
            created_at=now,
        )
    )


def load_ruleset(conn: Connection, ruleset_id: str) -> RuleSetFiles:
    """The stored rule set `ruleset_id`, every file checked against its digest."""
    row = conn.execute(select(rulesets).where(rulesets.c.id == ruleset_id)).first()
    if row is None:
        raise RuleSetError("H014/missing", ruleset=ruleset_id)
    wanted: dict[str, str] = json.loads(row.files)
    found = {
        r.digest: bytes(r.content)
        for r in conn.execute(select(blobs).where(blobs.c.digest.in_(set(wanted.values()))))
    }
    files: dict[str, bytes] = {}
    for path, digest in wanted.items():
        data = found.get(digest)
        if data is None or blob_digest(data) != digest:
            raise RuleSetError("H014/file", path=path)
        files[path] = data
    stored = RuleSetFiles(row.shown_as, row.opened, row.ruleset_digest, files)
    if stored.id != ruleset_id:
        raise RuleSetError("H014/files", ruleset=ruleset_id)
    return stored


def insert_decision(conn: Connection, record: DecisionRecord) -> None:
    conn.execute(
        insert(decisions).values(
            id=record.id,
            request_id=record.request_id,
            kind=record.kind,
            created_at=record.created_at,
            decision_date=record.decision_date.isoformat(),
            lang=record.lang,
            selection=json.dumps(
                {"rule": record.rule, "only": list(record.only) if record.only else None}
            ),
            ruleset_id=record.ruleset_id,
            ruleset_digest=record.ruleset_digest,
            facts_digest=record.facts_digest,
            engine_version=record.engine_version,
            facts=record.facts_json,
            budget=json.dumps(record.budget, sort_keys=True),
            trace=record.trace_text,
        )
    )
    if record.outcomes:
        conn.execute(
            insert(outcomes),
            [
                {"decision_id": record.id, "rule_id": r, "outcome": o, "amount_fen": a}
                for r, o, a in record.outcomes
            ],
        )


def get_decision(conn: Connection, decision_id: str) -> DecisionRecord | None:
    """The logged decision `decision_id`, or None; an id that no decision can have (ids are
    32 lowercase hex digits) is not looked up: a NUL in it would be refused by PostgreSQL."""
    if not DECISION_ID.fullmatch(decision_id):
        return None
    row = conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
    if row is None:
        return None
    found = conn.execute(
        select(outcomes.c.rule_id, outcomes.c.outcome, outcomes.c.amount_fen)
        .where(outcomes.c.decision_id == decision_id)
        .order_by(outcomes.c.rule_id)
    ).all()
    return _record(row, tuple((r[0], r[1], r[2]) for r in found))


def _record(row: Any, found: tuple[tuple[str, str, int | None], ...] = ()) -> DecisionRecord:
    selection = json.loads(row.selection)
    only = selection.get("only")
    return DecisionRecord(
        id=row.id,
        request_id=row.request_id,
        kind=row.kind,
        created_at=row.created_at,
        decision_date=date.fromisoformat(row.decision_date),
        lang=row.lang,
        rule=selection.get("rule"),
        only=tuple(only) if only is not None else None,
        ruleset_id=row.ruleset_id,
        ruleset_digest=row.ruleset_digest,
        facts_digest=row.facts_digest,
        engine_version=row.engine_version,
        facts_json=row.facts,
        budget=json.loads(row.budget),
        trace_text=row.trace,
        outcomes=found,
    )


@dataclass(frozen=True)
class LogFilter:
    """Which logged decisions to list (`clause log`); None leaves a criterion open."""

    logged_from: date | None = None  # the day recorded (UTC), inclusive
    logged_to: date | None = None
    decision_date: date | None = None
    rule: str | None = None
    outcome: str | None = None
    kind: str | None = None
    limit: int = 100


def list_decisions(conn: Connection, wanted: LogFilter) -> list[DecisionRecord]:
    """Logged decisions matching `wanted`, oldest first, each with its outcomes."""
    query: Select[Any] = select(decisions)
    if wanted.logged_from is not None:
        query = query.where(decisions.c.created_at >= wanted.logged_from.isoformat())
    if wanted.logged_to is not None:
        query = query.where(decisions.c.created_at < _next_day(wanted.logged_to))
    if wanted.decision_date is not None:
        query = query.where(decisions.c.decision_date == wanted.decision_date.isoformat())
    if wanted.kind is not None:
        query = query.where(decisions.c.kind == wanted.kind)
    if wanted.rule is not None or wanted.outcome is not None:
        match = [outcomes.c.decision_id == decisions.c.id]
        if wanted.rule is not None:
            match.append(outcomes.c.rule_id == wanted.rule)
        if wanted.outcome is not None:
            match.append(outcomes.c.outcome == wanted.outcome)
        query = query.where(exists().where(and_(*match)))
    query = query.order_by(decisions.c.created_at, decisions.c.id).limit(wanted.limit)
    rows = conn.execute(query).all()
    ids = [r.id for r in rows]
    by_id: dict[str, list[tuple[str, str, int | None]]] = {i: [] for i in ids}
    if ids:
        for r in conn.execute(
            select(outcomes).where(outcomes.c.decision_id.in_(ids)).order_by(outcomes.c.rule_id)
        ):
            by_id[r.decision_id].append((r.rule_id, r.outcome, r.amount_fen))
    return [_record(r, tuple(by_id[r.id])) for r in rows]


def _next_day(day: date) -> str:
    return date.fromordinal(day.toordinal() + 1).isoformat()
