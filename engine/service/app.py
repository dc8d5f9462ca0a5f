"""The HTTP API: Starlette routes over a `Service`, JSON in and out, errors as coded JSON.

In: a Service. Out: an ASGI app (run by uvicorn in `clause serve`) with
    POST /v1/decide            decide one case: the trace of `clause explain --format json`
    POST /v1/apply             decide and record the grants of payable benefits (idempotent)
    GET  /v1/decisions/{id}    one audit record, with its grants
    GET  /v1/rules             documents and rules, with the rule-set digest
    GET  /v1/health            the service and its database answer
    GET  /openapi.json         the OpenAPI description, built from the schemas in `schemas/`
Every error is `{"status", "errors": [{"code", "message", "path"}]}` with the CLI's codes and
catalog messages in the answer's language (the body's `lang`, else Accept-Language, else
English); an unexpected failure is a 500 with code H009 and no traceback (and is a bug).
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

from clause.engine.messages import DEFAULT_LANG, LANGS
from clause.engine.service.cases import MAX_BODY, read_body
from clause.engine.service.errors import ServiceError
from clause.engine.service.openapi import openapi_document
from clause.engine.service.service import Answer, Service

JSON_TYPE = "application/json"
_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,100}$")
_LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z*]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?"
)
log = logging.getLogger("clause.service")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return Response(body, status, headers, media_type=JSON_TYPE)


def error_response(err: ServiceError, lang: str, request_id: str | None = None) -> Response:
    headers = {"X-Request-Id": request_id} if request_id else None
    headers = {**(headers or {}), "Content-Language": lang}
    return json_response(err.to_json(lang), err.status, headers)


def request_id_of(request: Request) -> str:
    given = request.headers.get("x-request-id")
    return given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex


def accepted_language(header: str | None) -> str:
    """The language an `Accept-Language` header prefers among zh and en (by q-value, then
    order; `zh-CN`, `zh-Hans` count as zh, `en-GB` as en), else English.

    >>> accepted_language("fr, zh-CN;q=0.8, en;q=0.5"), accepted_language(None)
    ('zh', 'en')
    """
    best, best_q = DEFAULT_LANG, 0.0
    for part in (header or "").split(",")[:20]:
        found = _LANGUAGE_RANGE.match(part)
        if found is None:
            continue
        tag = found.group(1).lower()
        try:
            q = float(found.group(2)) if found.group(2) else 1.0
        except ValueError:
            continue
        if tag in LANGS and q > best_q:
            best, best_q = tag, q
    return best


def answer_language(request: Request, body: Any = None) -> str:
    """The language of an answer: the body's `lang` when it names one, else the client's
    Accept-Language, else English."""
    if isinstance(body, dict) and body.get("lang") in LANGS:
        return str(body["lang"])
    return accepted_language(request.headers.get("accept-language"))


async def request_body(request: Request) -> Any:
    """The request body as JSON data; ServiceError 413 (H001) when declared or found larger
    than MAX_BODY, 400 when it is not JSON (engine.service.cases.read_body)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise ServiceError.of(413, "H001/size", None, max=MAX_BODY)
    return read_body(await request.body())


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
            raise ServiceError.of(404, "H005", None, id=request.path_params["id"])
        return Response(found, 200, media_type=JSON_TYPE)

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
    body: Any = None
    try:
        body = await request_body(request)
        lang = answer_language(request, body)
        answer: Answer = await run_in_threadpool(run, body, request_id, lang)
    except ServiceError as err:
        return error_response(err, answer_language(request, body), request_id)
    except OperationalError as err:
        return _database_answer(request, err)
    except Exception as err:  # a bug: one line in the log, coded JSON to the client
        return _internal_answer(request, err, request_id)
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
    return error_response(exc, answer_language(request), request.headers.get("x-request-id"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    where = {"method": request.method, "path": request.url.path}
    if exc.status_code == 404:
        err = ServiceError.of(404, "H003", None, **where)
    elif exc.status_code == 405:
        err = ServiceError.of(405, "H004", None, **where)
    else:
        err = ServiceError.of(exc.status_code, "H001/http", None, status=exc.status_code)
    return error_response(err, answer_language(request))


async def _database_error(request: Request, exc: Exception) -> Response:
    return _database_answer(request, exc)


async def _internal_error(request: Request, exc: Exception) -> Response:
    return _internal_answer(request, exc, request_id_of(request))


def _database_answer(request: Request, exc: Exception) -> Response:
    log.error("database unavailable: %s", exc.__class__.__name__)
    return error_response(ServiceError.of(503, "H008"), answer_language(request))


def _internal_answer(request: Request, exc: Exception, request_id: str) -> Response:
    log.error("internal error (request %s): %s: %s", request_id, type(exc).__name__, exc)
    err = ServiceError.of(500, "H009", None, request=request_id)
    return error_response(err, answer_language(request), request_id)
