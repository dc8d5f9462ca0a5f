"""A third package copied into the library changes nothing it does not govern.

A copy of the checkout's library gets a third document: 竹溪县's package re-issued for 竹山县
(a neighbouring county of 十堰市: the two counties' names swapped throughout the copy, the rule
renamed, the text otherwise the same). Then, from that copy, as a user would run them:
`clause check` finds no error, `clause test` passes every package's cases (the two shipped ones
unchanged), the README's quick start command decides its example, and every shipped example
decided under its package gives its golden output byte for byte.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "examples"
ZHUXI = "policies/hubei/zhuxi-2021-transport"
PACKAGES = {"hubei": "policies/hubei/ehrs-2021-25", "zhuxi": ZHUXI}
#: 竹溪县 and 竹山县 swap places throughout the copy (title, jurisdiction, its test cases' homes
#: and places of work), and the rule gets its own id.
SWAPS = [("竹溪县", "竹山县"), ('"420324"', '"420323"')]
RULE = ("zhuxi-2021-transport-in-province", "zhushan-2021-transport-in-province")


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("three")
    shutil.copytree(ROOT / "policies", root / "policies")
    shutil.copytree(ROOT / "examples", root / "examples")
    copy = root / "policies" / "hubei" / "zhushan-2021-transport"
    shutil.copytree(ROOT / ZHUXI, copy)
    for path in sorted(copy.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for one, other in SWAPS:
            text = text.replace(one, "\0").replace(other, one).replace("\0", other)
        text = text.replace(*RULE)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_library_with_three_packages_checks_clean(three: Path, clause, monkeypatch) -> None:
    monkeypatch.chdir(three)
    result = clause("check")
    assert result.code == 0, result.out + result.err
    assert "0 errors" in result.out


def test_every_package_passes_its_own_tests(three: Path, clause, monkeypatch) -> None:
    monkeypatch.chdir(three)
    result = clause("test", "--format", "json")
    assert result.code == 0, result.out[-3000:] + result.err
    packages = [p["package"] for p in json.loads(result.out)]
    assert "竹山县2021年脱贫劳动力省内县外务工一次性交通补助公示" in packages  # the third
    assert all(p["failed"] == 0 for p in json.loads(result.out))


def test_readme_quick_start_decides_its_example(three: Path, clause, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"pip install \. && clause (explain .+)", readme)
    assert command, "the README's first quick-start command"
    monkeypatch.chdir(three)
    result = clause(*command.group(1).split())
    assert result.code == 0, result.err
    assert "c2-1-transport-cross-province" in result.out


@pytest.mark.parametrize("suffix,fmt,lang", [("txt", "text", "zh"), ("json", "json", "en")])
def test_shipped_examples_keep_their_golden_outputs(
    three: Path, suffix: str, fmt: str, lang: str, clause, monkeypatch
) -> None:
    monkeypatch.chdir(three)
    folders = [three / "examples" / folder for folder in PACKAGES]
    examples = sorted(e for folder in folders for e in folder.glob("*.yaml"))
    assert examples
    for example in examples:
        day = re.search(r"--date (\d{4}-\d{2}-\d{2})", example.read_text("utf-8"))
        assert day, example
        rel = example.relative_to(three).as_posix()
        package = PACKAGES[example.parent.name]
        result = clause(
            "explain", rel, "--date", day.group(1), "--format", fmt, "--lang", lang,
            "--package", package,
        )  # fmt: skip
        assert result.code == 0, result.err
        golden = (GOLDEN / f"{example.stem}.{suffix}").read_text(encoding="utf-8")
        assert result.out == golden, f"{example.name} changed with a third package in the library"
