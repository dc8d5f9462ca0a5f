"""The grant ledger: who was granted what, fund quotas per place and year, and their sums.

In: a connection, ledger subject keys (`person:hmac:…`), grants to record. Out: each subject's
grant history in the facts' own shape (so `once` and every condition over `grants` read the
ledger through the one decision procedure), the remaining quota per fund as a decision budget,
grants written with the quota they drew, listings for `clause ledger`, and a reconciliation of
the ledger against the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from clause.engine.messages import Msg, Text, msg
from clause.engine.service.tables import decisions, grant_shares, grants, quotas

CENT = Decimal("0.01")


def fen(amount: Decimal) -> int:
    """Yuan to integer fen (amounts are already rounded to 0.01 by the decision core)."""
    return int((amount / CENT).to_integral_value())


def yuan(value: int) -> Decimal:
    return (Decimal(value) * CENT).quantize(CENT)


def history(conn: Connection, keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each subject's ledger grants as grant records ({program, date, amount}), in the order
    granted (date, then id)."""
    wanted = sorted(set(keys))
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in wanted}
    if not wanted:
        return found
    rows = conn.execute(
        select(grants.c.subject_key, grants.c.program, grants.c.granted_on, grants.c.amount_fen)
        .where(grants.c.subject_key.in_(wanted))
        .order_by(grants.c.granted_on, grants.c.id)
    )
    for row in rows:
        found[str(row.subject_key)].append(
            {
                "program": str(row.program),
                "date": date.fromisoformat(str(row.granted_on)),
                "amount": yuan(int(row.amount_fen)),
            }
        )
    return found


def merge_history(
    facts: Mapping[str, Any],
    keys: Mapping[str, str],
    ledger: Mapping[str, list[dict[str, Any]]],
    fields: Mapping[str, frozenset[str]],
) -> dict[str, Any]:
    """The facts with each entity's ledger grants added after the grants its facts list, each
    with the fields its grant records have in the facts schema (`fields`: program, date and
    amount where the schema has them), so the `once` limits of the decision core (ever, per
    year, per N months, within dates) read them as they read the case's own records.

    Only where the facts give a grant history (`grants: []` says "none elsewhere"): an absent
    history stays unknown, since the ledger knows only the grants this service made."""
    merged = dict(facts)
    for entity, key in keys.items():
        record = facts.get(entity)
        extra = ledger.get(key)
        if not extra or not isinstance(record, Mapping):
            continue
        own = record.get("grants")
        if not isinstance(own, list | tuple):
            continue
        allowed = fields.get(entity, frozenset())
        shown = [{k: v for k, v in grant.items() if k in allowed} for grant in extra]
        merged[entity] = {**record, "grants": [*own, *shown]}
    return merged


@dataclass(frozen=True)
class Quota:
    fund: str
    place: str
    year: int
    total: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.total - self.spent


def budget(
    conn: Connection, place: str | None, year: int, *, lock: bool = False
) -> dict[str, Decimal]:
    """What each fund under quota in `year` has left for `place` (0 where the place has no
    quota of that fund, or the case names no place): the budget its decision may spend.
    Funds with no quota that year are absent (unlimited). With `lock`, the place's quota rows
    are locked until the transaction ends (PostgreSQL; in key order)."""
    funds = [
        r[0] for r in conn.execute(select(quotas.c.fund).where(quotas.c.year == year).distinct())
    ]
    left = dict.fromkeys(sorted(funds), Decimal("0.00"))
    if place is None or not funds:
        return left
    query = (
        select(quotas.c.fund, quotas.c.total_fen, quotas.c.spent_fen)
        .where(quotas.c.year == year, quotas.c.place == place)
        .order_by(quotas.c.fund)
    )
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    for row in conn.execute(query):
        left[str(row.fund)] = yuan(int(row.total_fen) - int(row.spent_fen))
    return left


@dataclass(frozen=True)
class Share:
    fund: str
    amount: Decimal
    place: str | None  # the quota it drew, when the fund is under quota
    year: int | None


@dataclass(frozen=True)
class Grant:
    """A grant to record (id None) or recorded."""

    decision_id: str
    subject: str
    subject_key: str
    rule: str
    program: str
    once_program: str | None
    granted_on: date
    amount: Decimal
    uncovered: Decimal
    shares: tuple[Share, ...]
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "grant_id": self.id,
            "decision_id": self.decision_id,
            "rule": self.rule,
            "program": self.program,
            "subject": self.subject,
            "subject_key": self.subject_key,
            "date": self.granted_on.isoformat(),
            "amount": format(self.amount, "f"),
            "uncovered": format(self.uncovered, "f"),
            "funding": [
                {"fund": s.fund, "amount": format(s.amount, "f"), "place": s.place, "year": s.year}
                for s in self.shares
            ],
        }


def record(conn: Connection, grant: Grant) -> Grant:
    """Write one grant and its shares and draw the quotas it used; returns it with its id.
    A quota drawn beyond its total fails the transaction (check constraint)."""
    result = conn.execute(
        insert(grants).values(
            decision_id=grant.decision_id,
            subject=grant.subject,
            subject_key=grant.subject_key,
            rule_id=grant.rule,
            program=grant.program,
            once_program=grant.once_program,
            granted_on=grant.granted_on.isoformat(),
            amount_fen=fen(grant.amount),
            uncovered_fen=fen(grant.uncovered),
        )
    )
    inserted = result.inserted_primary_key
    assert inserted is not None
    grant_id = int(inserted[0])
    for position, share in enumerate(grant.shares):
        conn.execute(
            insert(grant_shares).values(
                grant_id=grant_id,
                position=position,
                fund=share.fund,
                amount_fen=fen(share.amount),
                place=share.place,
                year=share.year,
            )
        )
        if share.place is not None and share.amount > 0:
            conn.execute(
                update(quotas)
                .where(
                    quotas.c.fund == share.fund,
                    quotas.c.place == share.place,
                    quotas.c.year == share.year,
                )
                .values(spent_fen=quotas.c.spent_fen + fen(share.amount))
            )
    return Grant(**{**grant.__dict__, "id": grant_id})


@dataclass(frozen=True)
class GrantFilter:
    """Which grants `clause ledger grants` lists; None leaves a criterion open."""

    subject_key: str | None = None
    rule: str | None = None
    fund: str | None = None
    decision_id: str | None = None


def list_grants(conn: Connection, wanted: GrantFilter) -> list[Grant]:
    """Recorded grants matching `wanted`, in the order recorded."""
    query: Select[Any] = select(grants)
    if wanted.subject_key is not None:
        query = query.where(grants.c.subject_key == wanted.subject_key)
    if wanted.rule is not None:
        query = query.where(grants.c.rule_id == wanted.rule)
    if wanted.decision_id is not None:
        query = query.where(grants.c.decision_id == wanted.decision_id)
    if wanted.fund is not None:
        paid = select(grant_shares.c.grant_id).where(
            grant_shares.c.fund == wanted.fund, grant_shares.c.amount_fen > 0
        )
        query = query.where(grants.c.id.in_(paid))
    rows = conn.execute(query.order_by(grants.c.id)).all()
    shares: dict[int, list[Share]] = {r.id: [] for r in rows}
    if rows:
        found = conn.execute(
            select(grant_shares)
            .where(grant_shares.c.grant_id.in_(list(shares)))
            .order_by(grant_shares.c.grant_id, grant_shares.c.position)
        )
        for s in found:
            shares[s.grant_id].append(Share(s.fund, yuan(s.amount_fen), s.place, s.year))
    return [
        Grant(
            decision_id=r.decision_id,
            subject=r.subject,
            subject_key=r.subject_key,
            rule=r.rule_id,
            program=r.program,
            once_program=r.once_program,
            granted_on=date.fromisoformat(r.granted_on),
            amount=yuan(r.amount_fen),
            uncovered=yuan(r.uncovered_fen),
            shares=tuple(shares[r.id]),
            id=r.id,
        )
        for r in rows
    ]


class QuotaSpent(ValueError):
    """A quota may not be set below what is already spent (`spent`)."""

    def __init__(self, spent: Decimal) -> None:
        super().__init__(str(spent))
        self.spent = spent


def set_quota(conn: Connection, fund: str, place: str, year: int, total: Decimal) -> Quota:
    """Set a fund's quota for a place and year (what was spent stays spent). Raises
    QuotaSpent when the new total is below what is already spent."""
    row = conn.execute(
        select(quotas.c.spent_fen).where(
            quotas.c.fund == fund, quotas.c.place == place, quotas.c.year == year
        )
    ).first()
    spent = int(row[0]) if row else 0
    if fen(total) < spent:
        raise QuotaSpent(yuan(spent))
    if row is None:
        conn.execute(
            insert(quotas).values(
                fund=fund, place=place, year=year, total_fen=fen(total), spent_fen=0
            )
        )
    else:
        conn.execute(
            update(quotas)
            .where(quotas.c.fund == fund, quotas.c.place == place, quotas.c.year == year)
            .values(total_fen=fen(total))
        )
    return Quota(fund, place, year, total, yuan(spent))


def list_quotas(conn: Connection) -> list[Quota]:
    rows = conn.execute(select(quotas).order_by(quotas.c.year, quotas.c.fund, quotas.c.place))
    return [
        Quota(r.fund, r.place, r.year, yuan(r.total_fen), yuan(r.spent_fen)) for r in rows.all()
    ]


def reconcile(conn: Connection) -> list[Msg]:
    """Every way the ledger disagrees with the audit log (empty: they reconcile):
    - each grant belongs to an `apply` decision whose trace shows that rule eligible with that
      amount, and each eligible, paid rule of an apply decision has its grant;
    - a grant's shares and uncovered part add up to its amount;
    - each quota's spent total is the sum of the shares drawn on it."""
    problems: list[Msg] = []
    applied = conn.execute(
        select(decisions.c.id, decisions.c.trace).where(decisions.c.kind == "apply")
    ).all()
    recorded = list_grants(conn, GrantFilter())
    by_decision: dict[str, dict[str, Grant]] = {}
    for g in recorded:
        by_decision.setdefault(g.decision_id, {})[g.rule] = g
        paid = sum((s.amount for s in g.shares), Decimal("0.00")) + g.uncovered
        if paid != g.amount:
            problems.append(msg("ledger.sum", grant=g.id, paid=paid, amount=g.amount))
    for row in applied:
        problems.extend(_check_decision(str(row.id), json.loads(str(row.trace)), by_decision))
    known = {str(row.id) for row in applied}
    for decision_id in sorted(set(by_decision) - known):
        problems.append(msg("ledger.not_apply", decision=decision_id))
    problems.extend(_check_quotas(conn, recorded))
    return problems


def payable(trace: Mapping[str, Any]) -> dict[str, Decimal]:
    """rule -> amount for every eligible decision of a trace with a known amount above zero."""
    out: dict[str, Decimal] = {}
    for d in trace.get("decisions", []):
        amount = d.get("amount")
        if d.get("outcome") == "eligible" and amount is not None and Decimal(amount) > 0:
            out[d["rule"]] = Decimal(amount)
    return out


def _check_decision(
    decision_id: str, trace: Mapping[str, Any], by_decision: Mapping[str, Mapping[str, Grant]]
) -> list[Msg]:
    want = payable(trace)
    got = {rule: g.amount for rule, g in by_decision.get(decision_id, {}).items()}
    problems: list[Msg] = []
    for rule in sorted(set(want) | set(got)):
        if want.get(rule) != got.get(rule):
            problems.append(
                msg(
                    "ledger.decision",
                    decision=decision_id,
                    rule=rule,
                    logged=_amount(want.get(rule)),
                    ledger=_amount(got.get(rule)),
                )
            )
    return problems


def _amount(value: Decimal | None) -> Text:
    return msg("ledger.nothing") if value is None else format(value, "f")


def _check_quotas(conn: Connection, recorded: Sequence[Grant]) -> list[Msg]:
    drawn: dict[tuple[str, str, int], Decimal] = {}
    for g in recorded:
        for s in g.shares:
            if s.place is not None and s.year is not None:
                key = (s.fund, s.place, s.year)
                drawn[key] = drawn.get(key, Decimal("0.00")) + s.amount
    problems: list[Msg] = []
    for q in list_quotas(conn):
        used = drawn.pop((q.fund, q.place, q.year), Decimal("0.00"))
        if used != q.spent:
            where = {"fund": q.fund, "place": q.place, "year": q.year}
            problems.append(msg("ledger.spent", spent=q.spent, drawn=used, **where))
        if q.spent > q.total:
            where = {"fund": q.fund, "place": q.place, "year": q.year}
            problems.append(msg("ledger.over", spent=q.spent, total=q.total, **where))
    for fund, place, year in sorted(drawn):
        problems.append(msg("ledger.no_quota", fund=fund, place=place, year=year))
    return problems
