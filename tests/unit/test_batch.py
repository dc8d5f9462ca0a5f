"""Batch evaluation (engine.batch): a register in, results, rejects and totals out.

What officers rely on: every input format decides alike; workers never change a byte; every row
is either decided or rejected with its line and reason; budgets are spent in input order, the
first fund first and the shortfall passed to the next; an interrupted run leaves no result
file; budgets spent in a register give what deciding the cases one by one gives.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from clause.engine.api import open_library
from clause.engine.batch.run import BatchOptions, BatchProgress, evaluate_batch
from clause.engine.decide import Budget, decide
from clause.engine.diagnostics import DiagnosticError
from clause.engine.expr import ast
from clause.engine.facts import normalize_facts

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
HUBEI = ROOT / "policies" / "hubei" / "ehrs-2021-25"
MINI_DAY = date(2030, 12, 1)
HUBEI_DAY = date(2022, 12, 31)

HEADER = (
    "case_id,person.poverty_alleviated,person.organised,person.scope,person.departure_date,"
    "person.transport_cost,person.grants,site.residents,site.has_station,site.full_time_staff"
)


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_register", ROOT / "benchmarks" / "gen_register.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_register", module)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def generate(package: Path, out: Path, rows: int, invalid: float = 0.03) -> Path:
    columns, cases, _ = GEN.generate(package, rows, 7, 0.05, invalid)
    writer = {".csv": GEN.write_csv, ".parquet": GEN.write_parquet}.get(out.suffix)
    if writer is not None:
        writer(out, columns, cases)
    else:
        GEN.write_jsonl(out, cases)
    return out


@pytest.fixture(scope="module")
def mini() -> Any:
    return open_library(MINI)


@pytest.fixture(scope="module")
def hubei() -> Any:
    return open_library(HUBEI)  # with the library around it: places, the shared facts


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(package: Any, source: Path, **options: Any) -> Any:
    options.setdefault("on", MINI_DAY)
    return evaluate_batch(package, source, BatchOptions(**options))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- formats and workers ---------------------------------------------------------------------


def test_csv_jsonl_and_parquet_registers_decide_alike(mini: Any, tmp_path: Path) -> None:
    results = {}
    for ext in ("csv", "jsonl", "parquet"):
        register = generate(MINI, tmp_path / f"register.{ext}", 300)
        out = tmp_path / f"out-{ext}.jsonl"
        summary = run(mini, register, out=out)
        rejected = [r["row"] for r in read_jsonl(Path(summary.rejects))]
        # how many rows the columnar path hands to the record path depends on the format (a
        # CSV cell `1E3` is read there, a JSON number is not); what is decided does not
        skip = ("input", "output", "rejects", "record_path")
        totals = {k: v for k, v in summary.to_json().items() if k not in skip}
        results[ext] = (out.read_bytes(), rejected, totals)
    assert results["csv"][2]["rows_rejected"] > 0  # the generator broke some rows
    assert results["csv"] == results["jsonl"] == results["parquet"]


def test_two_workers_write_the_same_bytes_as_one(mini: Any, tmp_path: Path) -> None:
    register = generate(MINI, tmp_path / "register.csv", 400)
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out-{workers}.parquet"
        rejects = tmp_path / f"rejects-{workers}.jsonl"
        budget = {"bridging_fund": Decimal("20000")}
        summary = run(
            mini, register, out=out, rejects=rejects, workers=workers, chunk_size=37, budget=budget
        )
        outputs.append((out.read_bytes(), rejects.read_bytes(), summary.to_json()["funds"]))
    assert outputs[0] == outputs[1]
    assert pq.read_table(tmp_path / "out-2.parquet").num_rows > 400


def test_every_rule_reaches_several_outcomes_in_a_generated_register(
    hubei: Any, tmp_path: Path
) -> None:
    register = generate(HUBEI, tmp_path / "hubei.csv", 1000, invalid=0.01)
    summary = run(hubei, register, on=HUBEI_DAY)
    rules = {r["rule"]: r["outcomes"] for r in summary.to_json()["rules"]}
    assert set(rules) == {r.id for r in hubei.rules_by_id}
    # a duty checked against a parameter the notice leaves unconfigured (一定比例, the local
    # urban level) can never be found met: no number is invented for it
    waiting = {r.id for r in hubei.rules_by_id if reads_unconfigured(hubei, r)}
    assert waiting == {"c2-12-resettlement-job-share", "c2-9-public-welfare-job-subsidy-standard"}
    for rule, outcomes in rules.items():
        assert len(outcomes) >= (2 if rule in waiting else 3), (rule, outcomes)
        assert rule in waiting or outcomes.get("eligible") or outcomes.get("compliant"), rule
        assert rule not in waiting or not outcomes.get("compliant"), rule


def reads_unconfigured(library: Any, rule: Any) -> bool:
    """Whether a check of the rule reads a parameter with no value configured anywhere."""
    for version in rule.versions:
        for cond in (*version.conditions, *version.requires):
            for node in ast.walk(cond.expr.node):
                if isinstance(node, ast.Path) and node.root == "param":
                    param = library.parameters[".".join(node.keys)]
                    if all(v.value is None for v in param.values):
                        return True
    return False


# -- rows, cells and rejects -----------------------------------------------------------------


def test_every_row_is_decided_or_rejected_with_its_line(mini: Any, tmp_path: Path) -> None:
    register = write(
        tmp_path / "register.csv",
        HEADER,
        "ok1,true,true,跨省,2030-05-01,620,[],,,",
        "num,true,true,跨省,2030-05-01,12abc,[],,,",
        "day,true,true,跨省,2030-02-30,100,[],,,",
        "enum,true,true,外省,2030-05-01,100,[],,,",
        "bool,maybe,true,跨省,2030-05-01,100,[],,,",
        'json,true,true,跨省,2030-05-01,100,"[{""program"": ",,,',
        "short,true,true",
        "empty,,,,,,,,,",
        ",true,true,跨省,2030-05-01,100,[],,,",
        'quote,true,true,跨省,2030-05-01,100,"[]"x,,,',
        "",
        "site,,,,,,,900,是,0",
    )
    summary = run(mini, register, out=tmp_path / "out.csv")
    t = summary.tally
    assert (t.rows_read, t.rows_decided, t.rows_rejected) == (11, 2, 9)
    assert summary.reconciled
    rejects = {r["line"]: r for r in read_jsonl(tmp_path / "out.rejects.jsonl")}
    assert sorted(rejects) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert rejects[3]["reason"] == "person.transport_cost: expected a number, found '12abc'"
    assert rejects[3]["case_id"] == "num"
    assert rejects[3]["record"]["person.transport_cost"] == "12abc"  # the row as it was
    assert rejects[4]["reason"].startswith("person.departure_date: expected a date")
    assert "not one of" in rejects[5]["reason"]
    assert rejects[6]["reason"].startswith("person.poverty_alleviated:")
    assert rejects[7]["reason"].startswith("person.grants:")
    assert rejects[8]["reason"] == "the row has 3 cells, the header has 10"
    assert rejects[9]["reason"] == "no facts: every cell of the row is empty"
    assert rejects[10]["reason"] == "case_id: is empty"
    assert rejects[11]["reason"].startswith("malformed CSV")
    decided = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert {line.split(",")[0] for line in decided[1:]} == {"ok1", "site"}


def test_empty_cells_are_missing_facts_not_zeros(mini: Any, tmp_path: Path) -> None:
    register = write(
        tmp_path / "register.csv",
        HEADER,
        "a,true,true,跨省,2030-05-01,,[],,,",
        "b,,true,跨省,2030-05-01,300,[],,,",
        "c,true,true,跨省,2030-05-01,300,,,,",
    )
    run(mini, register, out=tmp_path / "out.jsonl", rule_ids=frozenset({"transport"}))
    rows = {r["case_id"]: r for r in read_jsonl(tmp_path / "out.jsonl")}
    assert rows["a"]["outcome"] == "eligible" and rows["a"]["amount"] is None  # claim unknown
    assert rows["b"]["outcome"] == "undetermined"
    assert rows["b"]["missing"] == ["person.poverty_alleviated"]
    assert rows["c"]["missing"] == ["person.grants"]  # no grant history is unknown, not "none"


def test_cells_convert_by_the_facts_schema(mini: Any, tmp_path: Path) -> None:
    register = write(
        tmp_path / "register.csv",
        "人员.脱贫人口,person.organised,person.scope,person.departure_date,person.transport_cost,"
        "person.grants",
        ' 是 ,TRUE,跨省,2030-05-01,499.995,"[{""program"": ""training""}]"',
        "1,True,跨省,2030-05-01,1E3,[]",
    )
    run(mini, register, out=tmp_path / "out.jsonl", rule_ids=frozenset({"transport"}))
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [r["case_id"] for r in rows] == ["1", "2"]  # no case_id column: the row number
    assert [r["amount"] for r in rows] == ["500.00", "500.00"]  # 499.995 rounds half up


def test_json_lines_rows_are_nested_facts(mini: Any, tmp_path: Path) -> None:
    register = write(
        tmp_path / "register.jsonl",
        '{"case_id": 17, "person": {"poverty_alleviated": true, "organised": true, '
        '"scope": "跨省", "departure_date": "2030-05-01", "transport_cost": 120.5, "grants": []}}',
        "",
        '{"person": {"poverty_alleviated": "yes"}}',
        '{"person": {"poverty_alleviated": true, "colour": "red"}}',
        "[1, 2]",
        '{"person": {',
    )
    summary = run(mini, register, out=tmp_path / "out.jsonl", rule_ids=frozenset({"transport"}))
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert [(r["case_id"], r["amount"]) for r in rows] == [("17", "120.50")]
    rejects = read_jsonl(Path(summary.rejects))
    assert [(r["row"], r["line"]) for r in rejects] == [(2, 3), (3, 4), (4, 5), (5, 6)]
    assert rejects[1]["reason"] == "person.colour: is not a field of the facts schema"
    assert rejects[3]["reason"].startswith("invalid JSON")
    assert rejects[3]["record"] == '{"person": {'


def test_rows_are_held_to_the_schema_like_a_facts_file(hubei: Any, tmp_path: Path) -> None:
    """Integer and minimum constraints, which explain's JSON Schema check applies, apply here."""
    register = write(
        tmp_path / "register.csv",
        "case_id,person.contract_months,person.transport_cost",
        "a,12,100",
        "b,2.5,100",
        "c,-3,100",
        "d,12.0,0",
    )
    summary = run(hubei, register, on=HUBEI_DAY)
    rejects = {r["case_id"]: r["reason"] for r in read_jsonl(Path(summary.rejects))}
    assert set(rejects) == {"b", "c"}
    assert "whole number" in rejects["b"] and "minimum" in rejects["c"]


def test_a_header_that_is_not_fact_paths_is_refused(mini: Any, tmp_path: Path) -> None:
    register = write(
        tmp_path / "register.csv", "case_id,person.povety,person,site.residents", "1,,,"
    )
    with pytest.raises(DiagnosticError) as caught:
        run(mini, register, out=tmp_path / "out.csv")
    message = str(caught.value)
    assert "B002" in message and "person.povety" in message
    assert not (tmp_path / "out.csv").exists() and not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"rule_ids": frozenset({"nope"})}, "U003"),
        ({"only": frozenset({"maybe"})}, "U004"),
        ({"budget": {"no_such_fund": Decimal(1)}}, "B004"),
        ({"out": Path("out.xlsx")}, "B003"),
        ({"engine": "mainframe"}, "U004"),
        ({"layout": "tall"}, "U004"),
        ({"backend": "abacus"}, "U004"),
    ],
)
def test_bad_options_are_usage_errors(mini: Any, tmp_path: Path, options: Any, code: str) -> None:
    register = write(tmp_path / "register.csv", HEADER)
    with pytest.raises(DiagnosticError) as caught:
        run(mini, register, **options)
    assert caught.value.diagnostics[0].code == code


def test_only_filters_the_output_but_not_the_totals(mini: Any, tmp_path: Path) -> None:
    register = generate(MINI, tmp_path / "register.csv", 200)
    summary = run(mini, register, out=tmp_path / "out.csv", only=frozenset({"eligible"}))
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "case_id,rule,version,outcome,amount,amount_kind,funding,missing"
    assert {line.split(",")[3] for line in lines[1:]} == {"eligible"}
    counts = summary.to_json()["rules"]
    assert sum(r["outcomes"].get("eligible", 0) for r in counts) == len(lines) - 1
    assert any(r["outcomes"].get("undetermined") for r in counts)


# -- budgets ---------------------------------------------------------------------------------


def transport_row(case_id: str, cost: int) -> str:
    return f"{case_id},true,true,跨省,2030-05-01,{cost},[],,,"


def test_budgets_are_spent_in_input_order_first_fund_first(mini: Any, tmp_path: Path) -> None:
    register = write(
        tmp_path / "register.csv",
        HEADER,
        transport_row("first", 500),
        transport_row("second", 500),
        transport_row("third", 450),
    )
    budget = {"bridging_fund": Decimal("700"), "employment_fund": Decimal("600")}
    summary = run(mini, register, out=tmp_path / "out.jsonl", budget=budget)
    paid = {
        r["case_id"]: {f["fund"]: f["amount"] for f in r["funding"]}
        for r in read_jsonl(tmp_path / "out.jsonl")
        if r["rule"] == "transport"
    }
    assert paid == {
        "first": {"bridging_fund": "500.00", "employment_fund": "0.00"},
        "second": {"bridging_fund": "200.00", "employment_fund": "300.00"},
        "third": {"bridging_fund": "0.00", "employment_fund": "300.00"},  # 150 uncovered
    }
    funds = {f["fund"]: f for f in summary.to_json()["funds"]}
    assert funds["bridging_fund"] == {
        "fund": "bridging_fund",
        "allocated": "700.00",
        "cases": 2,
        "passed_on": "750.00",
        "quota": "700.00",
        "remaining": "0.00",
    }
    assert funds["employment_fund"]["remaining"] == "0.00"
    assert funds["employment_fund"]["passed_on"] == "150.00"
    assert summary.to_json()["rules"][-1]["uncovered"] == "150.00"


def test_budget_allocation_matches_deciding_the_cases_one_by_one(mini: Any, tmp_path: Path) -> None:
    register = generate(MINI, tmp_path / "register.jsonl", 250, invalid=0)
    budget = {"bridging_fund": Decimal("12345.67"), "employment_fund": Decimal("3000")}
    run(mini, register, out=tmp_path / "out.jsonl", budget=budget)
    batch = [(r["case_id"], r["rule"], r["funding"]) for r in read_jsonl(tmp_path / "out.jsonl")]
    shared = Budget(dict(budget))
    expected = []
    for line in register.read_text(encoding="utf-8").splitlines():
        data = json.loads(line, parse_float=Decimal)
        case_id = data.pop("case_id")
        for d in decide(mini, normalize_facts(data, mini.env.facts), MINI_DAY, budget=shared):
            funding = [
                {"fund": s.fund, "amount": format(s.amount, "f")}
                for s in d.funding
                if s.amount is not None
            ]
            expected.append((case_id, d.rule.id, funding))
    assert batch == expected


# -- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_an_interrupted_run_leaves_no_result_file(mini: Any, tmp_path: Path, ext: str) -> None:
    register = generate(MINI, tmp_path / "register.csv", 300)
    out = tmp_path / f"out.{ext}"
    out.write_text("yesterday's complete results\n", encoding="utf-8")

    def interrupt(progress: BatchProgress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluate_batch(mini, register, BatchOptions(on=MINI_DAY, out=out, chunk_size=50), interrupt)
    assert out.read_text(encoding="utf-8") == "yesterday's complete results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, "register.csv"])


def test_progress_reports_rows_and_bytes(mini: Any, tmp_path: Path) -> None:
    register = generate(MINI, tmp_path / "register.csv", 120)
    seen: list[BatchProgress] = []
    options = BatchOptions(on=MINI_DAY, chunk_size=50, backend="record")
    evaluate_batch(mini, register, options, seen.append)
    assert [p.rows_read for p in seen] == [50, 100, 120]
    assert seen[-1].done == seen[-1].total == register.stat().st_size
    assert (tmp_path / "register.rejects.jsonl").exists()  # beside the input without --out
    # the columnar path reads CSV in blocks of bytes: progress ends at the whole file too
    seen.clear()
    evaluate_batch(mini, register, replace(options, backend="columnar"), seen.append)
    assert seen[-1].rows_read == 120
    assert seen[-1].done == seen[-1].total == register.stat().st_size


def test_a_missing_or_unsupported_register_is_refused(mini: Any, tmp_path: Path) -> None:
    for name, words in (("nope.csv", "no such file"), ("register.xlsx", "unsupported input")):
        with pytest.raises(DiagnosticError) as caught:
            run(mini, tmp_path / name)
        assert caught.value.diagnostics[0].code == "B001"
        assert words in str(caught.value)


def test_an_expression_error_rejects_only_its_row_with_code_and_place() -> None:
    from clause.engine.batch.backend import decide_each
    from clause.engine.batch.facts import RowError
    from clause.engine.expr.values import EvalError
    from clause.engine.source import Span

    def decide_case(case_id, facts):  # type: ignore[no-untyped-def]
        if case_id == "bad":
            raise EvalError("E301", "division by zero", Span("rules/x.yaml", 12, 20, 12, 25))
        return [case_id]

    got = decide_each([("a", {}), ("bad", {}), ("c", {})], decide_case)
    assert got[0] == ["a"] and got[2] == ["c"]
    assert isinstance(got[1], RowError)
    assert got[1].message == "E301 division by zero (rules/x.yaml:12:20)"


def test_spark_that_cannot_start_is_one_b007_line_in_either_language(
    mini: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from clause.engine.diagnostics import localized

    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    register = generate(MINI, tmp_path / "register.csv", 10)
    with pytest.raises(DiagnosticError) as caught:
        run(mini, register, engine="spark")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "B007"
    assert "pip install 'clause[spark]'" in diagnostic.message
    assert "需要 pyspark" in localized(diagnostic, "zh").message
    assert not list(tmp_path.glob(".*partial"))
