"""The OpenAPI description, assembled from the project's own JSON Schemas and the library's facts.

In: the library (its facts schema describes the `facts` of a request). Out: an OpenAPI 3.1
document whose components are `schemas/service-*.schema.json`, `schemas/trace.schema.json` and
the facts schema, each `$defs` entry hoisted to a component of its own and every reference
rewritten to point there, so any OpenAPI tool (and schemathesis) resolves them. In the facts,
every field may also be `null` (a missing fact), as the service accepts it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from clause.engine import __version__
from clause.engine.library import Library
from clause.engine.load.validate import load_schema

#: Component name -> schema file (without .schema.json).
COMPONENTS = {
    "DecideRequest": "service-decide-request",
    "ApplyRequest": "service-apply-request",
    "ApplyResponse": "service-apply-response",
    "DecisionRecord": "service-decision-record",
    "Rules": "service-rules",
    "Health": "service-health",
    "Error": "service-error",
    "Trace": "trace",
}
_URN = "urn:clause:schema:"
_DROP = ("$schema", "$id", "$defs")


def openapi_document(library: Library) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the service deciding under `library`."""
    by_urn = {_URN + name: component for component, name in COMPONENTS.items()}
    schemas: dict[str, Any] = {}
    for component, name in COMPONENTS.items():
        _hoist(component, load_schema(name), by_urn, schemas)
    _hoist("Facts", library.facts_schema, by_urn, schemas)
    for name in [n for n in schemas if n == "Facts" or n.startswith("Facts_")]:
        schemas[name] = _nullable_fields(schemas[name])
    for request in ("DecideRequest", "ApplyRequest"):
        facts = schemas[request]["properties"]["facts"]
        schemas[request]["properties"]["facts"] = {**facts, "$ref": "#/components/schemas/Facts"}
        schemas[request]["properties"]["facts"].pop("type", None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "clause decision service",
            "version": __version__,
            "description": (
                "Decisions under the library "
                + ", ".join(d.ref for d in library.documents)
                + f" (rule set {library.digest}), a grant ledger and an audit log."
            ),
        },
        "paths": _paths(),
        "components": {"schemas": schemas},
    }


def _hoist(
    component: str, schema: Mapping[str, Any], by_urn: Mapping[str, str], out: dict[str, Any]
) -> None:
    for name, sub in (schema.get("$defs") or {}).items():
        out[f"{component}_{name}"] = _rewrite(sub, component, by_urn)
    out[component] = _rewrite(
        {k: v for k, v in schema.items() if k not in _DROP}, component, by_urn
    )


def _rewrite(node: Any, component: str, by_urn: Mapping[str, str]) -> Any:
    if isinstance(node, list):
        return [_rewrite(v, component, by_urn) for v in node]
    if not isinstance(node, Mapping):
        return copy.deepcopy(node)
    out = {k: _rewrite(v, component, by_urn) for k, v in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str):
        out["$ref"] = _target(ref, component, by_urn)
    return out


def _nullable_fields(node: Any) -> Any:
    """A facts schema as the service reads it: any field may be `null`, which means the fact
    is missing (engine.facts), so a null field is accepted, not rejected."""
    if isinstance(node, list):
        return [_nullable_fields(v) for v in node]
    if not isinstance(node, Mapping):
        return node
    out = {k: _nullable_fields(v) for k, v in node.items()}
    properties = out.get("properties")
    if isinstance(properties, Mapping):
        out["properties"] = {
            name: {"anyOf": [field, {"type": "null"}]} for name, field in properties.items()
        }
    return out


def _target(ref: str, component: str, by_urn: Mapping[str, str]) -> str:
    base, _, fragment = ref.partition("#")
    owner = component if not base else by_urn.get(base)
    if owner is None:
        raise ValueError(f"unresolvable reference {ref!r} in the {component} schema")
    if fragment.startswith("/$defs/"):
        return f"#/components/schemas/{owner}_{fragment.removeprefix('/$defs/')}"
    return f"#/components/schemas/{owner}"


def _json(component: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "the body is not JSON",
        404: "not found",
        409: "idempotency key reused for another request",
        413: "the body is too large",
        422: "the body or its facts do not fit the schemas, or an expression failed",
        503: "the database is not available",
    }
    return {str(s): _json("Error", words[s]) for s in statuses}


def _body(component: str) -> dict[str, Any]:
    return {"required": True, **_json(component, "")}


def _paths() -> dict[str, Any]:
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/v1/decide": {
            "post": {
                "summary": "Decide one case (the trace of clause explain --format json)",
                "operationId": "decide",
                "requestBody": _body("DecideRequest"),
                "responses": {
                    "200": _json("Trace", "the decisions, traced"),
                    **_errors(400, 413, 422, 503),
                },
            }
        },
        "/v1/apply": {
            "post": {
                "summary": "Decide one case and record the grants of its payable benefits",
                "operationId": "apply",
                "requestBody": _body("ApplyRequest"),
                "responses": {
                    "200": _json("ApplyResponse", "the grants recorded, and the trace"),
                    **_errors(400, 409, 413, 422, 503),
                },
            }
        },
        "/v1/decisions/{id}": {
            "get": {
                "summary": "One logged decision, self-contained, with its grants",
                "operationId": "getDecision",
                "parameters": [id_param],
                "responses": {
                    "200": _json("DecisionRecord", "the audit record"),
                    **_errors(404, 503),
                },
            }
        },
        "/v1/rules": {
            "get": {
                "summary": "Documents and rules of the library, with the rule-set digest",
                "operationId": "listRules",
                "responses": {"200": _json("Rules", "the library")},
            }
        },
        "/v1/health": {
            "get": {
                "summary": "The service and its database answer",
                "operationId": "health",
                "responses": {"200": _json("Health", "healthy"), **_errors(503)},
            }
        },
    }
