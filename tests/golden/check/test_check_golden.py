"""`clause check` on broken packages: one fixture per finding code, each asserting the code,
file, line and column, and the exact rendered output (golden `.txt` beside it).

Each case is `<name>.yaml`: edits applied to a copy of `tests/fixtures/mini`, then the findings
expected (and `lang: zh` to render the golden text in Chinese). A case with `library: true` edits
the invented two-level library instead (`tests/fixtures/library`, with mini copied in as its
`province/` package) and checks the whole library: paths are then relative to the library.
Run `pytest --update-golden` to rewrite the `.txt` files, and review the diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent
MINI = HERE.parent.parent / "fixtures" / "mini"
LIBRARY = HERE.parent.parent / "fixtures" / "library"
CASES = sorted(HERE.glob("*.yaml"))


def apply_edits(root: Path, edits: dict[str, Any]) -> None:
    for name, edit in edits.items():
        path = root / name
        if "copy" in edit:  # a folder of the case's copy, copied to `name`
            shutil.copytree(root / edit["copy"], path)
        elif "write" in edit:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(edit["write"], encoding="utf-8")
        elif edit.get("delete"):
            path.unlink()
        else:  # replace: [old, new], or a list of such pairs applied in turn
            pairs = edit["replace"]
            text = path.read_text(encoding="utf-8")
            for old, new in pairs if isinstance(pairs[0], list) else [pairs]:
                assert text.count(old) == 1, f"{name}: {old!r} must occur exactly once"
                text = text.replace(old, new)
            path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_broken_package(case_file: Path, tmp_path: Path, monkeypatch, clause, request) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    target = "lib" if case.get("library") else "mini"
    if case.get("library"):
        shutil.copytree(LIBRARY, tmp_path / "lib")
        shutil.copytree(MINI, tmp_path / "lib" / "province")
    else:
        shutil.copytree(MINI, tmp_path / "mini")
    apply_edits(tmp_path / target, case.get("edits", {}))
    monkeypatch.chdir(tmp_path)

    result = clause("check", target, "--format", "json")
    findings = json.loads(result.out)["findings"]
    got = {(f["code"], f["file"], f["line"], f["col"]) for f in findings}
    for want in case["expect"]:
        key = (want["code"], f"{target}/{want['file']}", want["line"], want["col"])
        assert key in got, f"expected {key}, got {sorted(got)}"
    assert result.code == case.get("exit", 1)

    lang = ["--lang", case["lang"]] if "lang" in case else []
    text = clause("check", target, *lang)
    assert text.code == result.code
    golden = case_file.with_suffix(".txt")
    if request.config.getoption("--update-golden"):
        golden.write_text(text.out, encoding="utf-8")
    assert golden.exists(), "no golden file: run pytest --update-golden and review it"
    assert text.out == golden.read_text(encoding="utf-8")
