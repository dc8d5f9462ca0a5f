"""Property-based API test: schemathesis generates requests from the live server's OpenAPI
description (bodies that fit the schemas, including random facts of the library's facts schema,
and bodies that break them) and sends them over loopback. No input may cause a server error;
every error is coded JSON; every success conforms to its response schema. Deterministic
(derandomised) and bounded in examples, on both databases."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from service_support import KEY, ROOT, ServerThread, migrant

from clause.engine import api
from clause.engine.service.app import build_app
from clause.engine.service.db import open_database
from clause.engine.service.service import Service

EXAMPLES = 40
#: Every code docs/codes.md lists: an error answer names one of them.
DOCUMENTED = frozenset(
    re.findall(
        r"^\|\s*([A-Z][0-9]{3})\s*\|",
        (ROOT / "docs" / "codes.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("property")
    library = api.open_library(ROOT / "policies")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'clause.db'}"
    else:
        url = request.getfixturevalue("pg").create_database("property")
    database = open_database(url)
    service = Service(library, ROOT / "policies", database, KEY)
    with ServerThread(build_app(service)) as server:
        yield server.url
    database.close()


POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
# (path, method, mode): bodies that fit and bodies that break the schemas; the GETs take no
# body and a path parameter any string fits, so they have no negative cases
OPERATIONS = [
    ("/v1/decide", "POST", POSITIVE),
    ("/v1/decide", "POST", NEGATIVE),
    ("/v1/apply", "POST", POSITIVE),
    ("/v1/apply", "POST", NEGATIVE),
    ("/v1/decisions/{id}", "GET", POSITIVE),
    ("/v1/rules", "GET", POSITIVE),
    ("/v1/health", "GET", POSITIVE),
]


@pytest.fixture(scope="module")
def api_schema(server_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server_url}/openapi.json")


# Cases are drawn through Hypothesis directly (schemathesis' own pytest plugin does not run
# under this pytest); the CI profile's derandomisation and the bound below apply.
@pytest.mark.parametrize(("path", "method", "mode"), OPERATIONS)
def test_no_input_makes_a_server_error(
    api_schema: schemathesis.BaseSchema,
    server_url: str,
    path: str,
    method: str,
    mode: GenerationMode,
) -> None:
    operation = api_schema[path][method]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=server_url, timeout=30)
        assert response.status_code < 500, response.text
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/json")
        if response.status_code >= 400:
            errors = response.json()["errors"]
            assert errors and all(e["code"] in DOCUMENTED for e in errors), errors
        else:
            case.validate_response(response)

    check()


#: Pieces of text that break a JSON reader or its bounds when put anywhere in a body.
BREAKERS = [
    "", "\\", '"', "{", "}", "[", "]", ",", ":", "NaN", "-Infinity", "1e400", "9" * 400,
    "0.1e-400", "\ud800", "\x00", "\u202e", "[" * 300, '"date": "2021-02-30", ',
    '"facts": {}, ', "null", "true", "\"\\u",
]  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = [*migrant()["person"], "birth_date", "sex", "work_county", "unknown_field"]


def _text(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes no UTF-8 has


def malformed(path: str) -> st.SearchStrategy[bytes]:
    """Bodies for `path` that a client should never send: not JSON, JSON cut or patched with
    a breaking piece anywhere, random values for the facts or for some of a person's facts."""
    envelope: dict[str, object] = {"facts": migrant(), "date": "2021-10-15"}
    if path == "/v1/apply":
        envelope["idempotency_key"] = "k"
    valid = _text(envelope)

    def cut(ij: tuple[int, int]) -> bytes:
        return _bytes(valid[: min(ij)] + valid[max(ij) :])

    def put(where: int, piece: str) -> bytes:
        return _bytes(valid[:where] + piece + valid[where:])

    def facts(value: object) -> bytes:
        return _bytes(_text({**envelope, "facts": value}))

    def person(values: dict[str, object]) -> bytes:
        case = migrant()
        case["person"].update(values)
        return _bytes(_text({**envelope, "facts": case}))

    at = st.integers(0, len(valid))
    return st.one_of(
        st.binary(max_size=300),
        st.tuples(at, at).map(cut),
        st.builds(put, at, st.sampled_from(BREAKERS) | st.text(max_size=12)),
        JSON.map(facts),
        st.dictionaries(st.sampled_from(FIELDS), JSON, min_size=1, max_size=3).map(person),
    )


@pytest.mark.parametrize("path", ["/v1/decide", "/v1/apply"])
def test_malformed_bodies_get_a_coded_answer_never_a_server_error(
    server_url: str, path: str
) -> None:
    """Bytes that are not JSON, JSON cut or patched anywhere, numbers out of bounds, deep
    nesting, random values where the facts go: always a JSON answer under 500, an error one
    naming documented codes (the byte-level cases schemathesis never sends)."""
    import httpx

    with httpx.Client(base_url=server_url, timeout=30) as client:

        @settings(max_examples=EXAMPLES * 2, deadline=None, database=None)
        @given(body=malformed(path))
        def check(body: bytes) -> None:
            r = client.post(path, content=body, headers={"content-type": "application/json"})
            assert r.status_code < 500, (body, r.text)
            assert r.headers["content-type"].startswith("application/json")
            if r.status_code >= 400:
                errors = r.json()["errors"]
                assert errors and all(e["code"] in DOCUMENTED for e in errors), errors

        check()


def test_the_description_is_written_from_the_project_schemas(server_url: str) -> None:
    import httpx

    document = httpx.get(f"{server_url}/openapi.json").json()
    components = document["components"]["schemas"]
    assert "Trace_decision" in components and "Facts_grant" in components
    refs = [v for v in _values(document) if isinstance(v, str) and v.startswith("#/")]
    assert refs and all(r.removeprefix("#/components/schemas/") in components for r in refs)
    assert Path(ROOT / "schemas" / "trace.schema.json").exists()


def _values(node: object) -> Iterator[object]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
