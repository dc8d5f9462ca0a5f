"""Replay and the store's commands, on both databases: decide and apply through a live server,
then raise an amount in the library (and even delete it): `clause replay` reproduces each
logged decision byte for byte from the stored rule set, and against the changed library says
what differs and why. `clause ledger` and `clause log` read the same store."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_support import KEY, POLICIES, ServerThread, migrant

from clause.engine import api
from clause.engine.service.app import build_app
from clause.engine.service.db import open_database
from clause.engine.service.service import Service

RULE_FILE = "hubei/ehrs-2021-25/rules/c2-1-transport-cross-province.yaml"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with its own copy of the library (as `policies/`) and the key file."""
    shutil.copytree(POLICIES, tmp_path / "policies")
    (tmp_path / "pii.key").write_text(KEY.hex() + "\n", encoding="ascii")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def logged(workdir: Path, db_url: str) -> Iterator[dict[str, Any]]:
    """Two decisions logged by a live server: a decide and an apply for the same person."""
    library = api.open_library(Path("policies"))
    database = open_database(db_url)
    service = Service(library, Path("policies"), database, KEY)
    with ServerThread(build_app(service)) as server, httpx.Client(base_url=server.url) as http:
        decided = http.post("/v1/decide", json={"facts": migrant(), "date": "2021-10-15"})
        applied = http.post(
            "/v1/apply", json={"facts": migrant(), "date": "2021-10-15", "idempotency_key": "r1"}
        )
        again = http.post(
            "/v1/apply", json={"facts": migrant(), "date": "2021-12-01", "idempotency_key": "r2"}
        )
    database.close()
    yield {
        "decide": decided.headers["x-decision-id"],
        "apply": applied.json()["decision_id"],
        "refused": again.json()["decision_id"],
        "trace": decided.text,
    }


def test_replay_reproduces_decisions_after_the_library_changed(
    logged: dict[str, Any], db_url: str, workdir: Path, clause: Any
) -> None:
    rule_file = workdir / "policies" / RULE_FILE
    text = rule_file.read_text(encoding="utf-8")
    assert text.count("max: 500") == 1
    raised = "max: 600\n        differs_from_quote: a test raises the amount"
    rule_file.write_text(text.replace("max: 500", raised), encoding="utf-8")

    for name in ("decide", "apply", "refused"):
        done = clause("replay", logged[name], "--db", db_url)
        assert done.code == 0, done.out + done.err
        assert "byte-identical" in done.out

    changed = clause("replay", logged["decide"], "--db", db_url, "--library", "policies")
    assert changed.code == 1
    assert "because the rule set differs" in changed.out
    assert f"changed {RULE_FILE}" in changed.out
    assert (
        '-      "amount": "500.00",' in changed.out and '+      "amount": "600.00",' in changed.out
    )

    as_json = clause("replay", logged["decide"], "--db", db_url, "--format", "json")
    report = json.loads(as_json.out)
    assert report["identical"] is True and report["changed_files"] == []

    shutil.rmtree(workdir / "policies")  # the stored rule set is all replay needs
    gone = clause("replay", logged["apply"], "--db", db_url)
    assert gone.code == 0 and "byte-identical" in gone.out


def test_replay_of_an_unknown_decision_is_a_usage_error(
    db_url: str, workdir: Path, clause: Any
) -> None:
    open_database(db_url).close()
    done = clause("replay", "no-such-id", "--db", db_url)
    assert done.code == 2 and "H005" in done.err


def test_ledger_and_log_read_the_store(logged: dict[str, Any], db_url: str, clause: Any) -> None:
    listed = clause(
        "ledger",
        "grants",
        "--db",
        db_url,
        "--subject",
        "person=420102199001010011",
        "--key-file",
        "pii.key",
        "--format",
        "csv",
    )
    assert listed.code == 0, listed.err
    rows = list(csv.DictReader(io.StringIO(listed.out)))
    assert [(r["rule"], r["fund"], r["fund_amount"]) for r in rows] == [
        ("c2-1-transport-cross-province", "bridging_fund_cross_province", "500.00"),
        ("c2-1-transport-cross-province", "employment_subsidy_fund", "0.00"),
    ]
    assert rows[0]["decision_id"] == logged["apply"]
    nobody = clause(
        "ledger",
        "grants",
        "--db",
        db_url,
        "--subject",
        "person=999",
        "--key-file",
        "pii.key",
        "--format",
        "json",
    )
    assert json.loads(nobody.out) == []
    by_fund = clause(
        "ledger", "grants", "--db", db_url, "--fund", "employment_subsidy_fund", "--format", "json"
    )
    assert json.loads(by_fund.out) == []  # it paid nothing: the county fund covered all
    out = tmp_csv = Path("grants.csv")
    exported = clause("ledger", "grants", "--db", db_url, "--format", "csv", "--out", str(out))
    assert exported.code == 0 and tmp_csv.read_text(encoding="utf-8").startswith("grant_id,")

    log = json.loads(clause("log", "--db", db_url, "--format", "json").out)
    assert [r["decision_id"] for r in log] == [logged["decide"], logged["apply"], logged["refused"]]
    eligible = clause(
        "log",
        "--db",
        db_url,
        "--rule",
        "c2-1-transport-cross-province",
        "--outcome",
        "ineligible",
        "--format",
        "json",
    )
    assert [r["decision_id"] for r in json.loads(eligible.out)] == [logged["refused"]]
    on_day = clause(
        "log", "--db", db_url, "--date", "2021-12-01", "--kind", "apply", "--format", "json"
    )
    assert [r["decision_id"] for r in json.loads(on_day.out)] == [logged["refused"]]
    check = clause("ledger", "check", "--db", db_url)
    assert check.code == 0


def test_quotas_are_set_and_listed(db_url: str, workdir: Path, clause: Any) -> None:
    fund = "bridging_fund_cross_province"
    done = clause(
        "ledger",
        "set-quota",
        "--db",
        db_url,
        "--fund",
        fund,
        "--place",
        "示例县",
        "--year",
        "2021",
        "--amount",
        "1000",
    )
    assert done.code == 0, done.err
    listed = json.loads(clause("ledger", "quotas", "--db", db_url, "--format", "json").out)
    assert listed == [
        {
            "fund": fund,
            "place": "示例县",
            "year": 2021,
            "total": "1000.00",
            "spent": "0.00",
            "left": "1000.00",
        }
    ]
    bad = clause(
        "ledger",
        "set-quota",
        "--db",
        db_url,
        "--fund",
        fund,
        "--place",
        "示例县",
        "--year",
        "2021",
        "--amount",
        "1.234",
    )
    assert bad.code == 2 and "U001" in bad.err


def test_a_database_url_of_another_kind_is_a_usage_error(clause: Any, tmp_path: Path) -> None:
    done = clause("log", "--db", "mysql://localhost/x")
    assert done.code == 2 and "U008" in done.err
    nowhere = clause("log", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert nowhere.code == 2 and "H008" in nowhere.err


def test_serve_refuses_a_library_whose_rules_read_personal_data(workdir: Path, clause: Any) -> None:
    rule = workdir / "policies" / RULE_FILE
    text = rule.read_text(encoding="utf-8")
    old = "expr: person.organised_work"
    rule.write_text(text.replace(old, old + ' and person.phone != ""'), encoding="utf-8")
    done = clause("serve", "--db", f"sqlite:///{workdir / 'c.db'}", "--key-file", "pii.key")
    assert done.code == 2
    assert "H010" in done.err and "person.phone" in done.err and "Traceback" not in done.err
    assert done.err.count("\n") <= 2


def test_serve_refuses_a_database_url_of_another_kind(workdir: Path, clause: Any) -> None:
    done = clause("serve", "--db", "oracle://x/y")
    assert done.code == 2 and "U008" in done.err


@pytest.mark.parametrize("args", [("serve",), ("log",), ("ledger", "grants"), ("replay", "0" * 32)])
def test_the_store_commands_without_the_serve_extra_say_what_to_install(
    args: tuple[str, ...], clause: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` fails as if absent
    done = clause(*args, "--db", "sqlite:///nowhere.db")
    assert done.code == 2 and "U009" in done.err and "uvicorn" in done.err
    assert "clause[serve]" in done.err and "Traceback" not in done.err
