"""The service's parts: marks in the facts schema, keyed hashes, the refusal to serve a library
whose rules read personal data or with another key, stored facts that read back to the same
values, content-addressed rule sets, and the migrations matching the tables the code uses."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given
from hypothesis import strategies as st
from service_support import KEY, POLICIES

from clause.engine import api
from clause.engine.library import Library
from clause.engine.load.jsondata import parse_json
from clause.engine.service.cases import facts_json
from clause.engine.service.db import open_database
from clause.engine.service.errors import SetupError
from clause.engine.service.pii import MarksError, Pseudonymizer, marks_of
from clause.engine.service.ruleset import capture, rebuild
from clause.engine.service.service import Service
from clause.engine.service.tables import METADATA

RULE = "hubei/ehrs-2021-25/rules/c2-1-transport-cross-province.yaml"


def test_the_shipped_facts_schema_marks_identities_and_personal_data(library: Library) -> None:
    marks = marks_of(library.facts_schema)
    assert ("person", "id_number") in marks.pii and ("person", "name") in marks.pii
    assert marks.identifiers["person"] == ("person", "id_number")
    assert marks.identifiers["employer"] == ("employer", "credit_code")
    assert marks.place == ("county", "name")


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ({"type": "integer", "x-pii": True}, "not text"),
        ({"type": "string", "x-pii": True, "pattern": "^[0-9]{18}$"}, r"narrowed \(pattern\)"),
    ],
)
def test_marks_the_service_cannot_honour_are_refused(field: dict[str, Any], error: str) -> None:
    schema = {"properties": {"person": {"type": "object", "properties": {"x": field}}}}
    with pytest.raises(MarksError, match=error):
        marks_of(schema)


def test_keyed_hashes_depend_on_the_key_and_the_field(library: Library) -> None:
    marks = marks_of(library.facts_schema)
    one, other = Pseudonymizer(KEY, marks), Pseudonymizer(b"k" * 32, marks)
    assert one.token(("person", "id_number"), "1") == one.token(("person", "id_number"), "1")
    assert one.token(("person", "id_number"), "1") != other.token(("person", "id_number"), "1")
    assert one.token(("person", "id_number"), "1") != one.token(("person", "name"), "1")
    masked = one.mask({"person": {"id_number": "420", "work_province": "广东省"}})
    assert masked["person"]["work_province"] == "广东省"
    assert one.subject_key(masked, "person") == one.key_of("person", "420")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(POLICIES, tmp_path / "policies")
    return tmp_path / "policies"


LIBRARY_YAML = """\
title: {zh: 测试政策库, en: Test library}
facts: shared.schema.json
places:
  - {name: 中国, level: national}
  - {name: 湖北省, level: province, parent: 中国}
"""
SHARED = {
    "title": "共用 / Shared",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "person": {
            "title": "人员 / Person",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "home_province": {"title": "省 / Province", "type": "string", "x-place": "province"}
            },
        }
    },
}


def _library_root(folder: Path) -> str:
    """Give the copied library a library.yaml with a shared vocabulary (unless it has one);
    the name of that vocabulary file."""
    if not (folder / "library.yaml").exists():
        (folder / "library.yaml").write_text(LIBRARY_YAML, encoding="utf-8")
        (folder / "shared.schema.json").write_text(json.dumps(SHARED), encoding="utf-8")
    import yaml

    return str(yaml.safe_load((folder / "library.yaml").read_text(encoding="utf-8"))["facts"])


def test_a_library_whose_rules_read_personal_data_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    rule = folder / RULE
    text = rule.read_text(encoding="utf-8")
    rule.write_text(
        text.replace(
            "expr: person.organised_work", 'expr: person.organised_work and person.name != ""'
        ),
        encoding="utf-8",
    )
    database = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    with pytest.raises(SetupError) as err:
        Service(api.open_library(folder), folder, database, KEY)
    found = err.value.diagnostics[0]
    assert found.code == "H010" and "person.name" in found.message
    assert found.span.file.endswith(RULE) and found.span.line > 1  # at the expression
    database.close()


def test_a_database_refuses_another_key(tmp_path: Path, library: Library, monkeypatch) -> None:
    monkeypatch.chdir(POLICIES.parent)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    database = open_database(url)
    Service(library, Path("policies"), database, KEY)
    with pytest.raises(SetupError) as err:
        Service(library, Path("policies"), database, b"another key, 32 bytes long......")
    assert err.value.diagnostics[0].code == "H012"
    database.close()


decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=2, min_value=-(10**6), max_value=10**6
)
values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8) | decimals | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(values)
def test_stored_facts_read_back_as_the_same_values(value: Any) -> None:
    back = parse_json(facts_json(value))
    assert facts_json(back) == facts_json(value)
    if isinstance(value, Decimal):
        assert back == value and str(back) == str(value)  # the same digits, not a float


def test_facts_json_keeps_exact_decimals() -> None:
    assert (
        facts_json({"a": Decimal("0.10"), "d": date(2021, 1, 2)}) == '{"a":0.10,"d":"2021-01-02"}'
    )
    assert json.loads(facts_json({"a": Decimal("0.10")}))["a"] == 0.1


def test_rule_sets_are_named_by_content_and_rebuild_with_their_names(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    vocabulary = _library_root(folder)
    library = api.open_library(folder)
    files = capture(library, folder)
    assert "hubei/ehrs-2021-25/document.yaml" in files.files
    assert {"library.yaml", vocabulary} <= set(files.files)  # the shared vocabulary too
    assert not any("/tests/" in f for f in files.files)
    again = rebuild(files)
    assert again.digest == library.digest
    assert [r.span for r in again.rules_by_id] == [r.span for r in library.rules_by_id]
    # a comment changes no data (same digest) but moves lines: another rule set
    rule = folder / RULE
    rule.write_text("# a new first line\n" + rule.read_text(encoding="utf-8"), encoding="utf-8")
    moved = capture(api.open_library(folder), folder)
    assert moved.ruleset_digest == files.ruleset_digest and moved.id != files.id


def test_a_library_opened_below_its_root_rebuilds_with_the_same_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened as `policies/hubei` (library.yaml one folder up), the stored files hold the
    root's files too, and the rebuilt library names every file as it was first named."""
    _library_root(_copy(tmp_path))
    monkeypatch.chdir(tmp_path)
    folder = Path("policies/hubei")
    library = api.open_library(folder)
    files = capture(library, folder)
    assert files.opened == "hubei" and "library.yaml" in files.files
    again = rebuild(files)
    assert again.digest == library.digest
    assert [r.span for r in again.rules_by_id] == [r.span for r in library.rules_by_id]
    assert again.roots == library.roots and again.roots[0].startswith("policies/hubei/")


def test_the_migrations_build_the_tables_the_code_uses(db_url: str) -> None:
    database = open_database(db_url)
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = [
            d
            for d in compare_metadata(context, METADATA)
            if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index"))
        ]
    assert diff == []
    database.close()
