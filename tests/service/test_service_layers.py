"""The service decides on the whole library, as `clause explain` does: a county's package that
implements the province's clause decides its residents' cases (the province's rule is then not
applicable), each decision names its layer, and the ledger's grants reach the limits of both
layers' rules, on both databases."""

from __future__ import annotations

import json
from typing import Any

import yaml
from service_support import ROOT, Live
from test_service_api import decision_of, valid

ZHUXI = ROOT / "examples" / "zhuxi" / "zhuxi-migrant-worker.yaml"
COUNTY_RULE = "zhuxi-2021-transport-in-province"
PROVINCE_RULE = "c2-1-transport-in-province"


def zhuxi_person(id_number: str, *, county: str = "竹溪县", departure: str = "2021-09-10") -> Any:
    """The shipped 竹溪县 example, identified, organised (so the province's rule could pay it
    too), leaving on `departure` from `county`."""
    facts = json.loads(json.dumps(yaml.safe_load(ZHUXI.read_text("utf-8")), default=str))
    person = facts["person"]
    person.update(
        id_number=id_number, home_county=county, departure_date=departure, organised_work=True
    )
    return facts


def apply(live: Live, facts: Any, key: str, day: str = "2021-12-31") -> Any:
    r = live.client.post("/v1/apply", json={"facts": facts, "date": day, "idempotency_key": key})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_county_case_is_decided_as_clause_explain_decides_it(live: Live, clause: Any) -> None:
    facts = json.loads(json.dumps(yaml.safe_load(ZHUXI.read_text("utf-8")), default=str))
    for lang in ("zh", "en"):
        r = live.client.post(
            "/v1/decide", json={"facts": facts, "date": "2021-12-31", "lang": lang}
        )
        cli = clause(
            "explain", str(ZHUXI.relative_to(ROOT)), "--date", "2021-12-31", "--format", "json",
            "--lang", lang,
        )  # fmt: skip
        assert r.status_code == 200 and cli.code == 0, r.text
        assert r.text == cli.out
        trace = r.json()
        valid("trace", trace)
        county = decision_of(trace, COUNTY_RULE)
        assert county["outcome"] == "eligible" and county["amount"] == "280.00"
        assert county["layer"]["level"] == "county" and county["layer"]["jurisdiction"] == "竹溪县"
        assert county["layer"]["implements"] == PROVINCE_RULE
        assert decision_of(trace, PROVINCE_RULE)["outcome"] == "not_applicable"


def test_the_ledger_holds_a_county_grant_against_its_own_limit(live: Live) -> None:
    first = apply(live, zhuxi_person("420324197603020011"), "zhuxi-1")
    assert [(g["rule"], g["amount"]) for g in first["grants"]] == [(COUNTY_RULE, "280.00")]
    again = apply(live, zhuxi_person("420324197603020011", departure="2021-11-01"), "zhuxi-2")
    assert again["grants"] == []
    county = decision_of(again["trace"], COUNTY_RULE)
    assert county["outcome"] == "ineligible"
    # the ledger's grant was read as part of the facts' grant history, by the one procedure
    once = next(c for c in county["conditions"] if c["id"] == "once")
    assert once["value"] is True
    assert [(g["program"], g["date"]) for g in once["facts"][0]["value"]] == [
        (COUNTY_RULE, "2021-12-31")
    ]
    other = apply(live, zhuxi_person("420324198001010022"), "zhuxi-3")  # someone else is paid
    assert [g["rule"] for g in other["grants"]] == [COUNTY_RULE]


def test_a_province_grant_in_the_ledger_counts_against_the_county_rule(live: Live) -> None:
    """Paid by the province's rule while registered in 竹山县, then deciding as a 竹溪县
    resident: the county rule's limit names the province's programme, so the ledger's grant
    of it makes the county's subsidy ineligible; nothing is paid twice across the layers."""
    id_number = "420323199001010033"
    paid = apply(live, zhuxi_person(id_number, county="竹山县"), "zhushan-1", day="2021-10-15")
    assert [g["rule"] for g in paid["grants"]] == [PROVINCE_RULE]
    county_case = zhuxi_person(id_number)
    again = apply(live, county_case, "zhuxi-after-zhushan")
    assert again["grants"] == []
    assert decision_of(again["trace"], COUNTY_RULE)["outcome"] == "ineligible"
    assert decision_of(again["trace"], PROVINCE_RULE)["outcome"] == "not_applicable"
