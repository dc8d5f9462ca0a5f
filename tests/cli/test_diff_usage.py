"""`clause diff` refuses what it cannot compare, with U011 and exit 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_neither_folder_nor_revision_is_u011(clause, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = clause("diff", "no-such-folder-or-rev", "policies")
    assert result.code == 2
    assert "U011" in result.out + result.err
    assert "no-such-folder-or-rev" in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_a_library_compared_with_itself_has_no_change(clause, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = clause("diff", "policies", "policies", "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == {"changes": [], "register": None}
