"""The OpenAPI 3.1 document of /api/v1/, generated from the models in schemas.py."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from monitor.read.schemas import (
    RESPONSES,
    ChangesPage,
    ChangesQuery,
    Error,
    ItemDetail,
    ItemsPage,
    ItemsQuery,
    WebhookPayload,
)

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
DESCRIPTION = """\
The stored history of the CSTO news: items with every revision, and change events
(new, edited, removed). Read-only. Lists are newest first and paged with `cursor`
(`next_cursor` of the page before); a listing paged with cursors holds the rows stored
when its first page was read. Every 200 has an `ETag`; send it back as `If-None-Match`
to get a 304 when nothing changed. With `http.api_tokens` configured, every request needs
`Authorization: Bearer <token>`. Errors are `{"error": {"code", "message"}}`."""


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": _ref(model)}}}


def parameters(query: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters of an endpoint, from the fields of its query model."""
    schema = query.model_json_schema(mode="validation")
    found = []
    for name, prop in schema["properties"].items():
        prop = _not_null(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in schema.get("required", []),
                 "schema": prop}
        if description:
            param["description"] = description
        found.append(param)
    return found


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without pydantic's `anyOf [..., null]` (absent is not null)."""
    prop = dict(prop)
    options = [o for o in prop.pop("anyOf", []) if o != {"type": "null"}]
    if len(options) == 1:
        prop = {**options[0], **prop}
    elif options:
        prop["anyOf"] = options
    if prop.get("default", 0) is None:
        del prop["default"]
    return prop


ERRORS = {
    "400": "A bad parameter (named in the message)",
    "401": "No valid bearer token (only when http.api_tokens is set)",
    "429": "Too many requests; see Retry-After",
    "503": "The database cannot be reached",
}
ETAG = {"ETag": {"description": "Of the body; send it as If-None-Match",
                 "schema": {"type": "string"}}}


def _get(operation: str, summary: str, params: list[dict[str, Any]],
         model: type[BaseModel], description: str, *, not_found: bool = False
         ) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {**_json(model, description), "headers": ETAG},
                                 "304": {"description": "Not modified (If-None-Match)",
                                         "headers": ETAG}}
    codes = {**ERRORS, **({"404": "No such item"} if not_found else {})}
    responses.update({code: _json(Error, text) for code, text in sorted(codes.items())})
    return {"get": {"operationId": operation, "summary": summary, "parameters": params,
                    "responses": responses}}


def _paths() -> dict[str, Any]:
    item_id = {"name": "id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1}}
    return {
        f"{PREFIX}/items": _get("listItems", "Stored items, newest first",
                                parameters(ItemsQuery), ItemsPage, "A page of items"),
        f"{PREFIX}/items/{{id}}": _get("getItem", "One item with every revision",
                                       [item_id], ItemDetail, "The item", not_found=True),
        f"{PREFIX}/changes": _get("listChanges", "Change events, newest first",
                                  parameters(ChangesQuery), ChangesPage,
                                  "A page of change events"),
        f"{PREFIX}/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document",
            "responses": {"200": {"description": "The OpenAPI document", "headers": ETAG,
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}},
                          **{code: _json(Error, ERRORS[code]) for code in ("401", "429")}},
        }},
    }


def _webhooks() -> dict[str, Any]:
    headers = [
        {"name": "X-CSTO-Signature", "in": "header", "required": True,
         "description": "sha256=<hex HMAC-SHA256 of the raw body, keyed with the webhook's "
                        "secret>", "schema": {"type": "string"}},
        {"name": "X-CSTO-Event", "in": "header", "required": True,
         "description": "new, edited or removed", "schema": {"type": "string"}},
        {"name": "X-CSTO-Delivery", "in": "header", "required": True,
         "description": "The same on every attempt of one delivery: drop repeats by it",
         "schema": {"type": "string"}},
    ]
    return {"changeEvent": {"post": {
        "summary": "One change event, POSTed to each matching configured webhook",
        "parameters": headers,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref(WebhookPayload)}}},
        "responses": {"2XX": {"description": "Delivered"},
                      "410": {"description": "Gone: the webhook is disabled"}}}}}


@cache
def document() -> dict[str, Any]:
    _, schemas = models_json_schema([(m, "serialization") for m in RESPONSES],
                                    ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "csto-monitor API", "version": "1.0.0", "description": DESCRIPTION},
        "paths": _paths(),
        "webhooks": _webhooks(),
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],  # open unless http.api_tokens is set
    }
