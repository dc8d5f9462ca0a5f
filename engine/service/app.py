"""The HTTP API: Starlette routes over a `Service`, JSON in and out, errors as coded JSON.

In: a Service. Out: an ASGI app (run by uvicorn in `clause serve`) with
    POST /v1/decide            decide one case: the trace of `clause explain --format json`
    POST /v1/apply             decide and record the grants of payable benefits (idempotent)
    GET  /v1/decisions/{id}    one audit record, with its grants
    GET  /v1/rules             documents and rules, with the rule-set digest
    GET  /v1/health            the service and its database answer
    GET  /openapi.json         the OpenAPI description, built from the schemas in `schemas/`
Every error is `{"status", "errors": [{"code", "message", "path"}]}` with the CLI's codes; an
unexpected failure is a 500 with code A009 and no traceback (and is a bug).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clause.engine.service.cases import read_json
from clause.engine.service.errors import ServiceError
from clause.engine.service.openapi import openapi_document
from clause.engine.service.service import Answer, Service

#: The largest request body accepted (a case's facts are small).
MAX_BODY = 1_000_000
JSON_TYPE = "application/json"
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,100}$")
log = logging.getLogger("clause.service")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return Response(body, status, headers, media_type=JSON_TYPE)


def error_response(err: ServiceError, request_id: str | None = None) -> Response:
    headers = {"X-Request-Id": request_id} if request_id else None
    return json_response(err.to_json(), err.status, headers)


def request_id_of(request: Request) -> str:
    given = request.headers.get("x-request-id")
    return given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex


async def read_body(request: Request) -> Any:
    """The request body as JSON data (exact decimals). ServiceError 413/400 (A001) otherwise."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise ServiceError.one(413, "A001", f"request body over {MAX_BODY:,} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ServiceError.one(413, "A001", f"request body over {MAX_BODY:,} bytes")
    try:
        return read_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ServiceError.one(400, "A001", "request body is not UTF-8 text") from None
    except RecursionError:
        raise ServiceError.one(400, "A001", "request body is nested too deeply") from None
    except ValueError as err:
        raise ServiceError.one(400, "A001", f"request body is not JSON: {err}") from None


def build_app(service: Service) -> Starlette:
    """The ASGI application serving `service`."""
    document = openapi_document(service.library)

    async def decide(request: Request) -> Response:
        return await _decision(request, service.decide)

    async def apply(request: Request) -> Response:
        return await _decision(request, service.apply)

    async def decision(request: Request) -> Response:
        found = await run_in_threadpool(service.decision, request.path_params["id"])
        if found is None:
            raise ServiceError.one(404, "A005", "no decision with this id", None)
        return json_response(found)

    async def rules(_: Request) -> Response:
        return json_response(service.listing())

    async def health(_: Request) -> Response:
        return json_response(await run_in_threadpool(service.health))

    async def openapi(_: Request) -> Response:
        return json_response(document)

    routes = [
        Route("/v1/decide", decide, methods=["POST"]),
        Route("/v1/apply", apply, methods=["POST"]),
        Route("/v1/decisions/{id}", decision, methods=["GET"]),
        Route("/v1/rules", rules, methods=["GET"]),
        Route("/v1/health", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    handlers = {
        ServiceError: _service_error,
        HTTPException: _http_error,
        OperationalError: _database_error,
        Exception: _internal_error,
    }
    return Starlette(routes=routes, exception_handlers=handlers)


async def _decision(request: Request, run: Any) -> Response:
    request_id = request_id_of(request)
    try:
        body = await read_body(request)
        answer: Answer = await run_in_threadpool(run, body, request_id)
    except ServiceError as err:
        return error_response(err, request_id)
    except OperationalError as err:
        return await _database_error(request, err)
    except Exception as err:  # a bug: one line in the log, coded JSON to the client
        return await _internal_error(request, err)
    headers = {
        "X-Request-Id": request_id,
        "X-Decision-Id": answer.decision_id,
        "Location": f"/v1/decisions/{answer.decision_id}",
    }
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(answer.body, 200, headers, media_type=JSON_TYPE)


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return error_response(exc, request.headers.get("x-request-id"))


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(ServiceError.one(404, "A003", "no such endpoint"))
    if exc.status_code == 405:
        return error_response(ServiceError.one(405, "A004", "method not allowed here"))
    return error_response(ServiceError.one(exc.status_code, "A001", str(exc.detail)))


async def _database_error(_: Request, exc: Exception) -> Response:
    log.error("database unavailable: %s", exc.__class__.__name__)
    return error_response(ServiceError.one(503, "A008", "the database is not available"))


async def _internal_error(_: Request, exc: Exception) -> Response:
    log.error("internal error: %s: %s", type(exc).__name__, exc)
    message = "internal error (a bug: please report it with the request id)"
    return error_response(ServiceError.one(500, "A009", message))
