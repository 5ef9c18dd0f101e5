"""GET /api/v1/items, /api/v1/items/{id}, /api/v1/changes and /api/v1/openapi.json."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from csto_monitor.web.api import cursor, openapi, queries
from csto_monitor.web.api.replies import ApiError, bad_parameters, json_reply
from csto_monitor.web.context import in_thread
from monitor.read.schemas import (
    ChangesPage,
    ChangesQuery,
    ItemDetail,
    ItemsPage,
    ItemsQuery,
)

Q = TypeVar("Q", bound=BaseModel)


def parse(request: web.Request, model: type[Q]) -> Q:
    """The query parameters as `model`, or a 400 naming the first bad one."""
    params = dict(request.query)
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise bad_parameters(exc, list(model.model_fields)) from None


def position(query: ItemsQuery | ChangesQuery) -> cursor.Position | None:
    if query.cursor is None:
        return None
    try:
        return cursor.decode(query.cursor, query)
    except cursor.BadCursor as exc:
        raise ApiError(400, "bad_parameter", f"cursor: {exc}") from None


def _next(found: cursor.Position | None, query: BaseModel) -> str | None:
    return cursor.encode(found, query) if found else None


async def items(request: web.Request) -> web.Response:
    query = parse(request, ItemsQuery)
    if query.since and query.until and query.since > query.until:
        raise ApiError(400, "bad_parameter", "since: after until; swap the two dates")
    start = position(query)
    # Two threads, two connections: the page's Python work (snippets, JSON rows) runs
    # while SQLite counts the facets (it lets go of the GIL).
    (rows, found), counts = await asyncio.gather(
        in_thread(request, lambda s: queries.items_page(s, query, start)),
        in_thread(request, lambda s: queries.search_facets(s, query)))
    page = ItemsPage.model_validate({"items": rows, "next_cursor": _next(found, query),
                                     "facets": counts})
    return json_reply(request, page)


async def item(request: web.Request) -> web.Response:
    key = request.match_info["id"]
    if not key.isdigit() or len(key) > 18:
        raise ApiError(400, "bad_parameter", f"id: {key!r} is not an item id (a number)")
    row = await in_thread(request, lambda s: queries.item_detail(s, int(key)))
    if row is None:
        raise ApiError(404, "not_found", f"no item {key}; list them at /api/v1/items")
    return json_reply(request, ItemDetail.model_validate(row))


async def changes(request: web.Request) -> web.Response:
    query = parse(request, ChangesQuery)
    start = position(query)
    rows, found = await in_thread(request, lambda s: queries.changes_page(s, query, start))
    page = ChangesPage.model_validate({"changes": rows, "next_cursor": _next(found, query)})
    return json_reply(request, page)


async def openapi_document(request: web.Request) -> web.Response:
    return json_reply(request, openapi.document())
