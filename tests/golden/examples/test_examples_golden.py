"""The shipped examples (`examples/<package>/*.yaml`), explained as the README tells a
newcomer to run them, each under the documents of its package (`--package`, which brings in
the documents it implements): golden text (zh), JSON and Markdown (en), the JSON checked
against the trace schema. Deciding under the package, not the whole library, is what keeps
these outputs unchanged when another package is added to policies/. Each example's first
`clause explain` line gives its decision date.
Run `pytest --update-golden` to rewrite, then review the diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
#: The package each folder of examples belongs to.
PACKAGES = {
    "hubei": "policies/hubei/ehrs-2021-25",
    "zhuxi": "policies/hubei/zhuxi-2021-transport",
}
EXAMPLES = sorted(e for folder in PACKAGES for e in (ROOT / "examples" / folder).glob("*.yaml"))
RUNS = {"txt": ("text", "zh"), "json": ("json", "en"), "md": ("md", "en")}


def decision_date(example: Path) -> str:
    match = re.search(r"clause explain \S+ --date (\d{4}-\d{2}-\d{2})", example.read_text("utf-8"))
    assert match, f"{example.name} must say how to run it"
    return match.group(1)


@pytest.mark.parametrize("suffix", sorted(RUNS))
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_example_explanation(example, suffix, clause, monkeypatch, request) -> None:
    monkeypatch.chdir(ROOT)
    fmt, lang = RUNS[suffix]
    rel = example.relative_to(ROOT).as_posix()
    package = PACKAGES[example.parent.name]
    result = clause(
        "explain",
        rel,
        "--date",
        decision_date(example),
        "--format",
        fmt,
        "--lang",
        lang,
        "--package",
        package,
    )
    assert result.code == 0, result.err
    golden = HERE / f"{example.stem}.{suffix}"
    if request.config.getoption("--update-golden"):
        golden.write_text(result.out, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert result.out == golden.read_text(encoding="utf-8")
    if fmt == "json":
        schema = json.loads((ROOT / "schemas" / "trace.schema.json").read_text("utf-8"))
        errors = list(Draft202012Validator(schema).iter_errors(json.loads(result.out)))
        assert not errors, errors[0].message
