"""`clause diff --register`: its totals before and after are the totals of two `clause eval` runs.

A 100,000-row register is generated (seeded, with missing cells, broken rows and repeated ids)
for the invented amendment fixture (tests/fixtures/amendments), decided by `clause diff before after
--register` and by `clause eval` under each library, with the same budget spent in input order
(enough for the bridging fund before the amendments, not after); every fund's allocation and
every rule's outcome counts and amount must agree.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "amendments"
ROWS = 100_000
REPEATED = 50  # rows repeating an earlier case id, at the end
BUDGET = "bridging_fund: 6000000\nemployment_fund: 80000000\n"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_register", ROOT / "benchmarks" / "gen_register.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_register", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    gen = _generator()
    path = tmp_path_factory.mktemp("register") / "register.csv"
    rows = ROWS - REPEATED
    columns, cases, on = gen.generate(FIXTURE / "after" / "original", rows, 2042, 0.03, 0.01)
    assert gen.write_csv(path, columns, cases) == ROWS - REPEATED
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    with path.open("a", encoding="utf-8") as f:  # case ids seen before: rejected, never paid
        f.writelines(lines[1 : 1 + REPEATED])
    return path, on


def _eval(clause: Any, library: str, source: Path, on: str, out: Path) -> dict[str, Any]:
    result = clause(
        *["eval", str(source), "--date", on, "--library", library, "--budget", "budget.yaml"],
        *["--out", str(out), "--format", "json", "--quiet"],
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    manifest = json.loads(Path(summary["manifest"]).read_text(encoding="utf-8"))
    return {"summary": summary, "manifest": manifest}


def test_diff_totals_equal_two_eval_runs(register, tmp_path, monkeypatch, clause) -> None:
    source, on = register
    (tmp_path / "budget.yaml").write_text(BUDGET, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for side in ("before", "after"):
        (tmp_path / side).symlink_to(FIXTURE / side, target_is_directory=True)
    runs = {
        side: _eval(clause, side, source, on, tmp_path / f"{side}.csv")
        for side in ("before", "after")
    }
    result = clause(
        *["diff", "before", "after", "--register", str(source), "--date", on],
        *["--budget", "budget.yaml", "--format", "json"],
    )
    assert result.code == 0, result.err
    effect = json.loads(result.out)["register"]

    assert effect["rows_read"] == ROWS
    for side in ("before", "after"):
        summary, manifest = runs[side]["summary"], runs[side]["manifest"]
        assert effect["rows_rejected"][side] == summary["rows_rejected"] > 0
        assert summary["duplicate_ids"] == REPEATED
        allocated = {f["fund"]: f["allocated"] for f in manifest["funds"]}
        funds = {f["fund"]: f[side] for f in effect["funds"]}
        assert funds == {fund: allocated.get(fund, "0.00") for fund in funds}
        assert set(allocated) <= set(funds)
        rules = {r["rule"]: r[side] for r in effect["rules"]}
        evaluated = {r["rule"]: r for r in summary["rules"]}
        assert set(rules) == set(evaluated)
        for rule, totals in rules.items():
            assert totals["amount"] == evaluated[rule]["amount"], rule
            assert totals["outcomes"] == evaluated[rule]["outcomes"], rule
    # the amendments do change the totals (else the comparison above proves little)
    assert {f["fund"]: f["before"] != f["after"] for f in effect["funds"]} == {
        "bridging_fund": True,
        "employment_fund": True,
    }
    assert effect["cases_changed"] > 0
