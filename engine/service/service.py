"""The decision service: decide a case, or decide and apply it, logging every decision.

In: a library (through the `clause.engine.api` facade), the folder it came from, a database and
the personal-data key. Out: answers as exact text (the trace of `clause explain --format json`;
for apply, the grants recorded beside it), the audit record of each decision, the ledger.

Deciding goes through the one decision procedure: the ledger's grants are merged into the
case's grant history and the ledger's fund quotas become the decision's budget, then
`api.explain_case` decides. Applying does that inside one write transaction holding the locks
of `db.Database`, so two applications about the same subject or quota run one after the other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from clause.engine import __version__, api
from clause.engine.decide.grants import programs_of
from clause.engine.decide.reasons import Outcome
from clause.engine.diagnostics import DiagnosticError
from clause.engine.explain.model import DecisionExplained, Explanation
from clause.engine.explain.render import to_json_text
from clause.engine.expr.values import EvalError
from clause.engine.library import Library
from clause.engine.messages import DEFAULT_LANG, msg
from clause.engine.model import Document, Rule, Version
from clause.engine.service import audit, ledger
from clause.engine.service.cases import Case, facts_json, prepare
from clause.engine.service.db import Database, schema_revision
from clause.engine.service.errors import Problem, ServiceError, SetupError
from clause.engine.service.pii import MarksError, Pseudonymizer, marks_of, personal_reads
from clause.engine.service.ruleset import RuleSetError, RuleSetFiles, capture, rebuild
from clause.engine.service.tables import applications, meta

#: Attempts at an application that lost a race on a unique key (then it sees the winner).
APPLY_ATTEMPTS = 3


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Answer:
    """A successful answer: its body text and the decision it logged."""

    body: str
    decision_id: str
    replayed: bool = False


class Service:
    """Decisions over one library, logged in one database."""

    def __init__(
        self,
        library: Library,
        folder: Path,
        database: Database,
        key: bytes,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.library, self.db, self.clock = library, database, clock
        try:
            marks = marks_of(library.facts_schema)
        except MarksError as err:
            raise SetupError(err.key, None, **err.args_) from None
        reads = personal_reads(library.rules_by_id, marks.pii)
        if reads:
            first = reads[0]
            raise SetupError("H010", first.span, rule=first.rule, field=first.field)
        self.masker = Pseudonymizer(key, marks)
        self.ruleset = _stored_ruleset(library, folder)
        with database.writing() as conn:
            self._check_key(conn)
            audit.store_ruleset(conn, self.ruleset, self.clock())
        self.ruleset_id = self.ruleset.id

    def _check_key(self, conn: Connection) -> None:
        mine = self.masker.fingerprint()
        row = conn.execute(select(meta.c.value).where(meta.c.key == "pii_key")).first()
        if row is None:
            conn.execute(insert(meta).values(key="pii_key", value=mine))
        elif row[0] != mine:
            raise SetupError("H012/other")

    # -- deciding ----------------------------------------------------------------------------

    def _decide(
        self, case: Case, conn: Connection, *, lock: bool
    ) -> tuple[dict[str, Any], dict[str, Decimal], Explanation]:
        """The case decided with the ledger's grants and quotas (locked when applying)."""
        history = ledger.history(conn, case.keys.values())
        fields = self.masker.marks.grant_fields
        facts = ledger.merge_history(case.facts, case.keys, history, fields)
        quota = ledger.budget(conn, case.place, case.on.year, lock=lock)
        try:
            expl = api.explain_case(
                self.library,
                facts,
                case.on,
                rule=case.rule,
                budget=quota or None,
                only=set(case.only) if case.only is not None else None,
            )
        except EvalError as err:
            where = f"{err.span.file}:{err.span.line}:{err.span.col}" if err.span else "-"
            problem = Problem(err.code, msg("service.where", where=where, reason=err.reason))
            raise ServiceError(422, [replace(problem, path="/facts")]) from None
        return facts, quota, expl

    def _record(
        self,
        kind: str,
        request_id: str,
        case: Case,
        facts: Mapping[str, Any],
        quota: Mapping[str, Decimal],
        expl: Explanation,
        trace_text: str,
    ) -> audit.DecisionRecord:
        return audit.DecisionRecord(
            id=uuid.uuid4().hex,
            request_id=request_id,
            kind=kind,
            created_at=self.clock(),
            decision_date=case.on,
            lang=case.lang,
            rule=case.rule,
            only=case.only,
            ruleset_id=self.ruleset_id,
            ruleset_digest=expl.ruleset_digest,
            facts_digest=expl.facts_digest,
            engine_version=expl.engine_version,
            facts_json=facts_json(facts),
            budget={k: format(v, "f") for k, v in sorted(quota.items())},
            trace_text=trace_text,
            outcomes=tuple(
                (
                    d.rule,
                    d.outcome.value,
                    ledger.fen(d.amount.amount) if d.amount and d.amount.amount else None,
                )
                for d in expl.decisions
            ),
        )

    def decide(self, body: Any, request_id: str, lang: str = DEFAULT_LANG) -> Answer:
        """POST /v1/decide: the trace text, exactly `clause explain --format json` (in the
        body's `lang`, else `lang`)."""
        case = prepare("service-decide-request", body, self.library, self.masker, lang)
        with self.db.reading() as conn:
            facts, quota, expl = self._decide(case, conn, lock=False)
        text = to_json_text(expl, case.lang)
        record = self._record("decide", request_id, case, facts, quota, expl, text)
        with self.db.writing(durable=False) as conn:  # a log record, not a payment
            audit.insert_decision(conn, record)
        return Answer(text, record.id)

    # -- applying ----------------------------------------------------------------------------

    def apply(self, body: Any, request_id: str, lang: str = DEFAULT_LANG) -> Answer:
        """POST /v1/apply: decide and record the grants of every payable benefit, once per
        idempotency key; a retry gets the first answer, byte for byte."""
        case = prepare("service-apply-request", body, self.library, self.masker, lang)
        key = str(body["idempotency_key"])
        for attempt in range(APPLY_ATTEMPTS):
            try:
                return self._apply(case, key, request_id)
            except IntegrityError:
                # another transaction won a race on a unique key: the next attempt sees it
                if attempt == APPLY_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _apply(self, case: Case, key: str, request_id: str) -> Answer:
        with self.db.writing() as conn:
            self.db.lock_subjects(conn, [f"idempotency:{key}", *case.keys.values()])
            done = conn.execute(
                select(applications).where(applications.c.idempotency_key == key)
            ).first()
            if done is not None:
                if done.request_digest != case.digest:
                    raise ServiceError.of(409, "H006", "/idempotency_key", key=key)
                return Answer(done.response, done.decision_id, replayed=True)
            facts, quota, expl = self._decide(case, conn, lock=True)
            trace_text = to_json_text(expl, case.lang)
            record = self._record("apply", request_id, case, facts, quota, expl, trace_text)
            wanted = self._grants(case, expl, record.id, quota)
            audit.insert_decision(conn, record)
            granted = [ledger.record(conn, g) for g in wanted]
            response = _apply_text(record, key, granted, trace_text)
            conn.execute(
                insert(applications).values(
                    idempotency_key=key,
                    request_digest=case.digest,
                    decision_id=record.id,
                    response=response,
                )
            )
        return Answer(response, record.id)

    def _grants(
        self, case: Case, expl: Explanation, decision_id: str, quota: Mapping[str, Decimal]
    ) -> list[ledger.Grant]:
        """A grant for every eligible benefit with an amount; 422 H007 if its subject has no
        identifier, since the ledger could not say who was paid."""
        out: list[ledger.Grant] = []
        unnamed: list[Problem] = []
        for d in expl.decisions:
            amount = d.amount.amount if d.amount is not None else None
            if d.outcome is not Outcome.ELIGIBLE or amount is None or amount <= 0:
                continue
            rule = self.library.rule(d.rule)
            assert rule is not None
            subject_key = case.keys.get(rule.subject)
            if subject_key is None:
                field = ".".join(self.masker.marks.identifiers.get(rule.subject, ("-",)))
                where = f"/facts/{rule.subject}"
                unnamed.append(
                    Problem.of("H007", where, rule=d.rule, subject=rule.subject, field=field)
                )
                continue
            out.append(self._grant(case, d, decision_id, subject_key, amount, quota))
        if unnamed:
            raise ServiceError(422, unnamed)
        return out

    def _grant(
        self,
        case: Case,
        d: DecisionExplained,
        decision_id: str,
        subject_key: str,
        amount: Decimal,
        quota: Mapping[str, Decimal],
    ) -> ledger.Grant:
        rule = self.library.rule(d.rule)
        assert rule is not None
        version = next(v for v in rule.versions if v.number == d.version)
        program = version.once_program or rule.id
        # a share drew a quota when its fund is under quota and it paid something (a fund
        # under quota pays nothing where the place has none)
        shares = tuple(
            ledger.Share(f.fund, f.amount, case.place, case.on.year)
            if f.fund in quota and f.amount > 0
            else ledger.Share(f.fund, f.amount, None, None)
            for f in d.funding
            if f.amount is not None
        )
        paid = sum((s.amount for s in shares), Decimal("0.00"))
        return ledger.Grant(
            decision_id=decision_id,
            subject=rule.subject,
            subject_key=subject_key,
            rule=rule.id,
            program=program,
            once_program=program if _once_ever(rule, version, program) else None,
            granted_on=case.on,
            amount=amount,
            uncovered=amount - paid,
            shares=shares,
        )

    # -- reading -----------------------------------------------------------------------------

    def decision(self, decision_id: str) -> str | None:
        """GET /v1/decisions/{id}: the audit record with the grants it made, as JSON text."""
        with self.db.reading() as conn:
            found = audit.get_decision(conn, decision_id)
            if found is None:
                return None
            grants = ledger.list_grants(conn, ledger.GrantFilter(decision_id=decision_id))
        return found.to_text([g.to_json() for g in grants])

    def listing(self) -> dict[str, Any]:
        """GET /v1/rules: documents and rules with their versions, and the rule-set digest."""
        return {
            "ruleset_digest": self.library.digest,
            "ruleset_id": self.ruleset_id,
            "engine_version": __version__,
            "documents": [_document_json(d) for d in self.library.documents],
            "rules": [_rule_json(r) for r in self.library.rules_by_id],
        }

    def health(self) -> dict[str, Any]:
        """GET /v1/health: the database answers and the schema is migrated."""
        with self.db.reading() as conn:
            revision = schema_revision(conn)
        return {
            "status": "ok",
            "database": self.db.dialect,
            "schema_revision": revision,
            "ruleset_digest": self.library.digest,
            "engine_version": __version__,
        }


def _stored_ruleset(library: Library, folder: Path) -> RuleSetFiles:
    """The files of `library`, proven to rebuild it: stored now, they let any decision be
    replayed later. SetupError H013 when a file lies outside the library's folder or the
    stored files alone do not make the same library (they rely on a document outside them)."""
    try:
        files = capture(library, folder)
        rebuild(files)
    except RuleSetError as err:
        if err.key == "H013":
            raise SetupError("H013", None, **err.args_) from None
        raise SetupError("H013/rebuild", None, folder=folder) from None
    except DiagnosticError:
        raise SetupError("H013/rebuild", None, folder=folder) from None
    return files


def _once_ever(rule: Rule, version: Version, program: str) -> bool:
    """Whether a grant of `program` may never be paid again to its subject: a limit of the
    version with no period counts it. Such grants are unique in the ledger (its last line of
    defence); a periodic limit (per year, per N months, within dates) compares the date paid
    with the case's governing date, which no unique key can mirror, so its grants rely on the
    transaction that decides and records them holding the subject's lock."""
    return any(
        limit.period is None and program in programs_of(rule, limit)
        for limit in version.once_limits
    )


def _document_json(d: Document) -> dict[str, Any]:
    return {
        "ref": d.ref,
        "number": d.number,
        "title": {"zh": d.title_zh, "en": d.title_en},
        "jurisdiction": d.jurisdiction,
        "level": d.level,
        "issued": d.issued.isoformat(),
        "in_force": _window(d.in_force),
    }


def _rule_json(r: Rule) -> dict[str, Any]:
    """A rule as /v1/rules lists it: its versions with their windows and limits on grants
    (the programmes whose grants count and the period), which the ledger is checked against."""
    return {
        "id": r.id,
        "title": {"zh": r.title_zh, "en": r.title_en},
        "document": r.document,
        "clause": r.clause,
        "subject": r.subject,
        "kind": r.kind,
        "versions": [
            {
                "version": v.number,
                "window": _window(v.window),
                "once": v.once,
                "limits": [
                    {
                        "programs": list(programs_of(r, limit)),
                        "period": limit.period.text() if limit.period else None,
                    }
                    for limit in v.once_limits
                ],
            }
            for v in r.versions
        ],
    }


def _window(window: Any) -> dict[str, str | None]:
    return {
        "from": window.start.isoformat() if window.start else None,
        "to": window.end.isoformat() if window.end else None,
    }


def _apply_text(
    record: audit.DecisionRecord, key: str, granted: list[ledger.Grant], trace_text: str
) -> str:
    body = {
        "decision_id": record.id,
        "request_id": record.request_id,
        "idempotency_key": key,
        "grants": [g.to_json() for g in granted],
        "trace": None,
    }
    return audit.json_with_texts(body, {"trace": trace_text})
