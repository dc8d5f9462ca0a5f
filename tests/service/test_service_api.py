"""The HTTP API through a real client against a live server on loopback, on both databases:
decide gives the trace of `clause explain --format json` byte for byte; apply records grants
once; the ledger feeds `once` and quotas back into decisions; the audit log keeps personal data
only as keyed hashes; errors are coded JSON with JSON paths."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from service_support import ROOT, Live, migrant
from sqlalchemy import text

from clause.engine import api
from clause.engine.load.validate import SCHEMA_NAMES, load_schema
from clause.engine.service import ledger

EXAMPLE = ROOT / "examples" / "hubei" / "cross-province-migrant-worker.yaml"
RULE = "c2-1-transport-cross-province"
REGISTRY = Registry().with_resources(
    (f"urn:clause:schema:{n}", Resource.from_contents(dict(load_schema(n)))) for n in SCHEMA_NAMES
)


def valid(name: str, data: Any) -> None:
    """`data` conforms to schemas/<name>.schema.json."""
    validator = Draft202012Validator(dict(load_schema(name)), registry=REGISTRY)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors[:3]


def decision_of(trace: dict[str, Any], rule: str = RULE) -> dict[str, Any]:
    return next(d for d in trace["decisions"] if d["rule"] == rule)


def apply(live: Live, facts: dict[str, Any], key: str, day: str = "2021-10-15") -> Any:
    return live.client.post("/v1/apply", json={"facts": facts, "date": day, "idempotency_key": key})


def test_decide_answers_the_explain_json_byte_for_byte(live: Live, clause: Any) -> None:
    facts = json.loads(json.dumps(yaml.safe_load(EXAMPLE.read_text("utf-8")), default=str))
    r = live.client.post("/v1/decide", json={"facts": facts, "date": "2021-10-15"})
    cli = clause(
        "explain", str(EXAMPLE.relative_to(ROOT)), "--date", "2021-10-15", "--format", "json"
    )
    assert r.status_code == 200 and cli.code == 0
    assert r.headers["content-type"] == "application/json"
    assert r.text == cli.out
    valid("trace", r.json())
    decision_id = r.headers["x-decision-id"]
    assert r.headers["location"] == f"/v1/decisions/{decision_id}"
    record = live.client.get(f"/v1/decisions/{decision_id}")
    assert record.status_code == 200
    valid("service-decision-record", record.json())
    assert record.json()["trace"] == r.json() and record.json()["kind"] == "decide"
    assert record.json()["grants"] == []


def test_a_logged_record_keeps_the_facts_exact(live: Live) -> None:
    """Numbers are read exactly (engine.load.jsondata) and the record answers the stored facts
    and trace as their own text: 620.50 stays 620.50, never a float's 620.5."""
    body = json.dumps({"facts": migrant(), "date": "2021-10-15"}).replace("620", "620.50")
    r = live.client.post("/v1/decide", content=body.encode("utf-8"))
    assert r.status_code == 200, r.text
    record = live.client.get(f"/v1/decisions/{r.headers['x-decision-id']}")
    assert '"transport_cost":620.50' in record.text
    assert record.json()["facts"]["person"]["transport_cost"] == Decimal("620.50")
    assert r.text.rstrip("\n").replace("\n", "\n  ") in record.text  # the trace verbatim


def test_decide_in_english_with_a_selection(live: Live) -> None:
    body = {"facts": migrant(), "date": "2021-10-15", "lang": "en", "only": ["eligible"]}
    trace = live.client.post("/v1/decide", json=body).json()
    assert trace["lang"] == "en"
    assert [d["rule"] for d in trace["decisions"]] == [RULE]


def test_apply_records_a_grant_once_per_key_and_once_per_person(live: Live) -> None:
    first = apply(live, migrant(), "app-1")
    assert first.status_code == 200
    body = first.json()
    valid("service-apply-response", body)
    (grant,) = body["grants"]
    assert (grant["rule"], grant["amount"], grant["uncovered"]) == (RULE, "500.00", "0.00")
    assert grant["subject_key"].startswith("person:hmac:")
    # the same request again: the same answer, nothing recorded twice
    again = apply(live, migrant(), "app-1")
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    # another application for the same person: the ledger's grant makes it ineligible
    later = apply(live, migrant(), "app-2", day="2021-11-01")
    assert later.json()["grants"] == []
    refused = decision_of(later.json()["trace"])
    assert refused["outcome"] == "ineligible"
    once = next(c for c in refused["conditions"] if c["role"] == "once")
    history = next(f for f in once["facts"] if f["path"] == "person.grants")["value"]
    assert history == [{"amount": "500.00", "date": "2021-10-15", "program": RULE}]
    with live.service.db.reading() as conn:
        assert len(ledger.list_grants(conn, ledger.GrantFilter(rule=RULE))) == 1
        assert ledger.reconcile(conn) == []


def test_an_idempotency_key_reused_for_another_request_is_refused(live: Live) -> None:
    assert apply(live, migrant(), "app-9").status_code == 200
    other = apply(live, migrant("420102199001010099"), "app-9")
    assert other.status_code == 409
    assert other.json()["errors"][0]["code"] == "H006"
    valid("service-error", other.json())


def test_an_unknown_grant_history_stays_unknown(live: Live) -> None:
    apply(live, migrant(), "app-1")
    facts = migrant()
    del facts["person"]["grants"]
    trace = live.client.post("/v1/decide", json={"facts": facts, "date": "2021-11-01"}).json()
    assert decision_of(trace)["outcome"] == "undetermined"


def test_a_payable_benefit_needs_an_identifier_to_be_applied(live: Live) -> None:
    r = apply(live, migrant(id_number=None), "app-1")
    assert r.status_code == 422
    (problem,) = r.json()["errors"]
    assert (problem["code"], problem["path"]) == ("H007", "/facts/person")
    with live.service.db.reading() as conn:
        assert ledger.list_grants(conn, ledger.GrantFilter()) == []


def test_quotas_in_the_ledger_are_the_budget_and_are_drawn_down(live: Live) -> None:
    fund = "bridging_fund_cross_province"
    with live.service.db.writing() as conn:
        ledger.set_quota(conn, fund, "示例县", 2021, Decimal("700.00"))
    got = [apply(live, migrant(f"42010219900101{i:04d}"), f"q-{i}").json() for i in range(3)]
    drawn = [next(s["amount"] for s in g["grants"][0]["funding"] if s["fund"] == fund) for g in got]
    assert drawn == ["500.00", "200.00", "0.00"]
    # the shortfall falls to the next source of the chain
    assert [g["grants"][0]["funding"][1]["amount"] for g in got] == ["0.00", "300.00", "500.00"]
    assert got[1]["grants"][0]["funding"][0]["place"] == "示例县"
    # a county with no quota of a fund under quota draws nothing from it
    elsewhere = apply(live, migrant("420102199001019999", county="别县"), "q-x").json()
    assert elsewhere["grants"][0]["funding"][0]["amount"] == "0.00"
    with live.service.db.reading() as conn:
        (quota,) = ledger.list_quotas(conn)
        assert (quota.spent, quota.total) == (Decimal("700.00"), Decimal("700.00"))
        assert ledger.reconcile(conn) == []
    record = live.client.get(f"/v1/decisions/{got[1]['decision_id']}").json()
    assert record["budget"] == {fund: "200.00"}


def test_personal_data_is_never_stored_in_clear(live: Live) -> None:
    clear = ("420102199001010011", "张三")
    apply(live, migrant(), "app-1")
    live.client.post("/v1/decide", json={"facts": migrant(), "date": "2021-10-15"})
    with live.service.db.reading() as conn:
        tables = ["decisions", "outcomes", "grants", "grant_shares", "applications", "meta"]
        dump = " ".join(
            str(row) for table in tables for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert all(value not in dump for value in clear)
    assert "hmac:" in dump


def test_bad_facts_are_422_with_json_paths(live: Live) -> None:
    facts = migrant()
    facts["person"]["transport_cost"] = "a lot"
    facts["person"]["work_province"] = "abroad"
    r = live.client.post("/v1/decide", json={"facts": facts, "date": "2021-10-15"})
    assert r.status_code == 422
    valid("service-error", r.json())
    (problem,) = r.json()["errors"]  # conversion stops at the first value of the wrong type
    assert problem["code"] == "F001" and problem["path"].startswith("/facts/person/")
    unknown = live.client.post(
        "/v1/decide", json={"facts": {"person": {"shoe_size": 42}}, "date": "2021-10-15"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0] == {
        "code": "F001",
        "message": "`shoe_size` is not a field of the facts schema",
        "path": "/facts/person/shoe_size",
    }
    chinese = live.client.post(
        "/v1/decide",
        json={"facts": {"person": {"shoe_size": 42}}, "date": "2021-10-15"},
        headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"},
    )
    assert chinese.headers["content-language"] == "zh"
    assert chinese.json()["errors"][0]["message"] == "`shoe_size` 不是事实模式中的字段"


def test_request_errors_are_coded_json(live: Live) -> None:
    cases = [
        ("POST", "/v1/decide", b"{not json", 400, "L004", None),
        ("POST", "/v1/decide", b'{"facts": {}, "facts": {}}', 400, "L006", "/"),
        ("POST", "/v1/decide", b'{"facts": {"a": 1, "a": 2}}', 400, "L006", "/facts"),
        ("POST", "/v1/decide", b'{"facts": {"a": 1e999999}}', 400, "L016", None),
        ("POST", "/v1/decide", b'{"facts": "\xff"}', 400, "L002", None),
        ("POST", "/v1/decide", b"[" * 200 + b"]" * 200, 400, "L011", None),
        ("POST", "/v1/decide", b" " * 1_000_001, 413, "H001", None),
        ("POST", "/v1/decide", b'{"facts": {}, "date": "2021-02-30"}', 422, "H002", "/date"),
        ("POST", "/v1/decide", b'{"facts": {}}', 422, "H002", "/"),
        (
            "POST",
            "/v1/decide",
            b'{"facts": {}, "date": "2021-01-01", "rule": "x"}',
            422,
            "U003",
            "/rule",
        ),
        ("POST", "/v1/apply", b'{"facts": {}, "date": "2021-01-01"}', 422, "H002", "/"),
        (
            "POST",
            "/v1/decide",
            b'{"facts": {"person": {"transport_cost": NaN}}, "date": "2021-01-01"}',
            400,
            "L016",
            None,
        ),
        ("GET", "/v1/decisions/nope", b"", 404, "H005", None),
        ("GET", "/v2/anything", b"", 404, "H003", None),
        ("GET", "/v1/decide", b"", 405, "H004", None),
    ]
    for method, path, body, status, code, pointer in cases:
        r = live.client.request(method, path, content=body)
        assert r.status_code == status, (path, body, r.text)
        assert r.headers["content-type"] == "application/json"
        valid("service-error", r.json())
        assert (r.json()["errors"][0]["code"], r.json()["errors"][0]["path"]) == (code, pointer)


@pytest.mark.parametrize(
    "name", ["service-decide-request", "service-decision-record"], ids=lambda n: n
)
def test_the_outcomes_a_request_may_select_are_the_engines(name: str) -> None:
    """`only` lists every outcome the decision core has (exception_needed included)."""
    assert tuple(load_schema(name)["properties"]["only"]["items"]["enum"]) == api.OUTCOMES


def test_rules_health_and_openapi(live: Live) -> None:
    rules = live.client.get("/v1/rules").json()
    valid("service-rules", rules)
    assert rules["ruleset_digest"] == live.service.library.digest
    assert any(r["id"] == RULE and r["versions"][0]["once"] for r in rules["rules"])
    health = live.client.get("/v1/health").json()
    valid("service-health", health)
    assert health["database"] == live.service.db.dialect and health["schema_revision"] == "0001"
    document = live.client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    facts = document["components"]["schemas"]["Facts"]
    person = facts["properties"]["person"]["anyOf"][0]
    id_number, missing = person["properties"]["id_number"]["anyOf"]
    assert id_number["x-pii"] is True and missing == {"type": "null"}
    assert set(document["paths"]) >= {"/v1/decide", "/v1/apply", "/v1/decisions/{id}"}


GOLDEN = ROOT / "tests" / "golden" / "service" / "errors.txt"
BAD_REQUESTS = [
    (
        "POST",
        "/v1/decide",
        '{"facts": {"person": {"transport_cost": "620元"}}, "date": "2021-10-15"}',
    ),
    (
        "POST",
        "/v1/decide",
        '{"facts": {"person": {"home_province": "国外"}}, "date": "2021-10-15"}',
    ),
    ("POST", "/v1/decide", '{"facts": [], "date": "2021-13-01", "colour": 1}'),
    ("POST", "/v1/decide", '{"facts": {}, "date": "2021-10-15", "rule": "c9-nothing"}'),
    (
        "POST",
        "/v1/apply",
        json.dumps(
            {"facts": migrant(id_number=None), "date": "2021-10-15", "idempotency_key": "g"},
            ensure_ascii=False,
        ),
    ),
    ("POST", "/v1/apply", "[1, 2"),
    (
        "POST",
        "/v1/decide",
        '{"facts": {"person": {"home_county": "竹山县", "home_county": "郧西县"}}}',
    ),
    ("POST", "/v1/decide", '{"facts": {"person": {"transport_cost": 1e400000}}}'),
    ("GET", "/v1/decisions/0000", ""),
    ("DELETE", "/v1/rules", ""),
    (
        "POST",
        "/v1/decide",
        '{"facts": {"county": {"name": "示例县\\u0000"}}, "date": "2021-10-15"}',
    ),
]
#: Each request is sent twice: as is (English), and asking for Chinese.
LANGUAGES = ("", "zh-CN,zh;q=0.9")


@pytest.mark.parametrize("text", ["示例县\x00", "示例\n县", "\x7f"])
def test_a_ledger_key_with_a_control_character_is_refused(live: Live, text: str) -> None:
    """A clear identifier or the quota place is stored as written and keys grants and quotas;
    one holding a control character (PostgreSQL text cannot hold NUL) is refused, 422 H015 on
    both databases, for decide as for apply; personal identifiers are hashed and never are."""
    facts = migrant(id_number="420102199001010011\x00", county=text)
    facts["employer"] = {"credit_code": "91420100" + text}
    for path in ("/v1/decide", "/v1/apply"):
        body = {"facts": facts, "date": "2021-10-15", "idempotency_key": "nul"}
        if path == "/v1/decide":
            del body["idempotency_key"]
        r = live.client.post(path, json=body)
        assert r.status_code == 422, r.text
        found = [(e["code"], e["path"]) for e in r.json()["errors"]]
        assert found == [("H015", "/facts/employer/credit_code"), ("H015", "/facts/county/name")]
    assert live.client.get("/v1/decisions/%00").status_code == 404


def test_error_answers_match_the_golden_file(live: Live, request: Any) -> None:
    """One bad request per error code the service answers with, and the exact JSON answered
    (`pytest --update-golden` rewrites tests/golden/service/errors.txt)."""
    out = []
    for accept in LANGUAGES:
        for method, path, body in BAD_REQUESTS:
            headers = {"Accept-Language": accept} if accept else {}
            r = live.client.request(method, path, content=body.encode("utf-8"), headers=headers)
            asked = f" (Accept-Language: {accept})" if accept else ""
            out.append(f"{method} {path} {body}{asked}\n{r.status_code}\n{r.text}")
    text = "\n".join(out)
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
