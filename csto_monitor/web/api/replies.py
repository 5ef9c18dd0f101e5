"""JSON replies of the API: bodies with an ETag (304 when the client has it), and errors."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError

from csto_monitor.web.context import Handler

log = logging.getLogger(__name__)
JSON = "application/json"


class ApiError(Exception):
    """An error answered as `{"error": {"code", "message"}}` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def error_reply(error: ApiError) -> web.Response:
    body = {"error": {"code": error.code, "message": error.message}}
    return web.json_response(body, status=error.status, headers=error.headers)


def bad_parameters(exc: ValidationError, names: list[str]) -> ApiError:
    """The first invalid query parameter, named, with the reason."""
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else "query"
    if err["type"] == "extra_forbidden":
        return ApiError(400, "bad_parameter", f"{name}: unknown parameter; this endpoint "
                        f"takes {', '.join(names)}")
    reason = err["msg"].removeprefix("Value error, ")
    return ApiError(400, "bad_parameter", f"{name}: {reason}")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def json_reply(request: web.Request, data: BaseModel | dict[str, Any]) -> web.Response:
    """200 with the JSON and its ETag, or 304 when If-None-Match already names it."""
    if isinstance(data, BaseModel):
        body = data.model_dump_json().encode()
    else:
        import json

        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=JSON, charset="utf-8", headers=headers)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure under /api/ as a JSON error (the HTML error pages are for people)."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_reply(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status, "http_error")
        return error_reply(ApiError(exc.status, code, exc.reason))
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        log.error("API %s: database unavailable: %s", request.path, reason)
        return error_reply(ApiError(503, "database_unavailable", "the database cannot be "
                                    "reached just now; try again in a minute",
                                    {"Retry-After": "60"}))
    except Exception:
        log.exception("API %s %s failed", request.method, request.path)
        return error_reply(ApiError(500, "internal", "something went wrong on the server; "
                                    "the log has the details"))
