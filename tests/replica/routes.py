"""Maps one request to the replica's response: listings, details, files, errors and faults."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from types import ModuleType
from urllib.parse import parse_qs, unquote, urlsplit

from tests.replica import markup_bitrix, markup_broken, markup_modern, markup_portal
from tests.replica.common import STATIC_PAGES, Context, Pager
from tests.replica.furniture import furniture_for
from tests.replica.world import Article, World, fault_status

MARKUPS: dict[str, ModuleType] = {"bitrix": markup_bitrix, "modern": markup_modern,
                                   "portal": markup_portal}
LISTINGS: dict[str, str | None] = {
    "/news/": None, "/news/news_odkb/": "news_odkb", "/news/smi/": "smi",
    "/news/speech/": "speech", "/documents/statements/": "statements",
}
ROBOTS = "User-agent: *\nDisallow: /bitrix/\nDisallow: /auth/\nDisallow: /search/\nAllow: /\n"
HTML = "text/html; charset=UTF-8"
TRANSPORT_FAULTS = ("hang", "reset", "truncated")


@dataclass
class Response:
    """What to send; fault (hang, reset, truncated) tells the server how to misbehave."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None


@dataclass(frozen=True)
class Site:
    """What a request is answered from: the world, the current markup, the request context."""

    world: World
    markup: ModuleType
    ctx: Context


def respond(site: Site, target: str, headers: Mapping[str, str]) -> Response:
    """The response to a GET of target (path with query string)."""
    parts = urlsplit(target)
    path = parts.path or "/"
    if path == "/robots.txt":
        robots = ROBOTS if site.world.robots is None else site.world.robots
        return Response(200, robots.encode(), {"Content-Type": "text/plain; charset=UTF-8"})
    if path.startswith("/upload/"):
        return _upload(site.world, path, headers)
    if path == "/":
        return _html(site.markup.listing(site.ctx, _items(site, None)[:5], None))
    if path in STATIC_PAGES:
        title, paragraphs = STATIC_PAGES[path][site.ctx.language]
        return _html(site.markup.page(site.ctx, title, paragraphs))
    if path in LISTINGS:
        return _listing(site, path, parts.query, headers)
    return _detail(site, path, parts.query, headers)


def error_page(site: Site, status: int) -> Response:
    """An HTML error page (404/410 say 'not found'); 429/503 carry Retry-After."""
    key = "not_found" if status in (404, 410) else "error"
    title = site.ctx.labels[key]
    html = site.markup.page(site.ctx, title, [f"{status} {title}"])
    headers = {"Retry-After": "1"} if status in (429, 503) else {}
    return _html(html, status, headers)


def _html(html: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, html.encode("utf-8"), {"Content-Type": HTML, **(headers or {})})


def _garbage() -> Response:
    return Response(200, os.urandom(4096), {"Content-Type": HTML})


def _upload(world: World, path: str, headers: Mapping[str, str]) -> Response:
    """A file the test put in `world.files` (by file name), answered conditionally, or a
    placeholder; a name in `world.missing_files` answers 404, one in `world.redirects` 302."""
    name = unquote(path.rsplit("/", 1)[-1])
    if name in world.missing_files:
        return Response(404, b"not found", {"Content-Type": "text/plain"})
    if name in world.redirects:
        return Response(302, b"", {"Location": world.redirects[name]})
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    # A file the test did not give is a placeholder; like any static file it carries
    # validators (as nginx serves /upload/), so a revisit is answered 304.
    body = world.files.get(name, b"PK\x03\x04 replica attachment " + path.encode())
    response = Response(200, body, {"Content-Type": kind})
    _add_validators(response, world.file_changed.get(name, datetime(2025, 1, 1, tzinfo=UTC)))
    return _conditional(response, headers)


def _items(site: Site, section: str | None) -> list[Article]:
    return site.world.articles_in(site.ctx.language, section)


def _page_number(query: str, pages: int) -> int:
    """PAGEN_1 as Bitrix reads it: junk or < 1 is page 1, beyond the last is the last."""
    raw = parse_qs(query).get("PAGEN_1", ["1"])[-1]
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), pages)


def _listing(site: Site, path: str, query: str, headers: Mapping[str, str]) -> Response:
    fault = site.world.take_listing_fault()
    if (status := fault_status(fault)) is not None:
        return error_page(site, status)
    if fault == "reset":
        return Response(0, fault="reset")
    if fault == "garbage":
        return _garbage()
    items = _items(site, LISTINGS[path])
    size = max(1, site.world.page_size)
    pages = max(1, -(-len(items) // size))
    pager = Pager(_page_number(query, pages), pages, path)
    shown = items[(pager.page - 1) * size: pager.page * size]
    if fault == "empty_listing":
        html = site.markup.listing(site.ctx, [], None)
    elif fault == "markup_changed":
        html = markup_broken.listing(site.ctx, shown)
    else:
        html = site.markup.listing(site.ctx, shown, pager)
    response = _html(html)
    _add_validators(response, site.world.last_modified(site.ctx.language))
    if fault != "truncated":
        response = _conditional(response, headers)
    response.fault = fault if fault in TRANSPORT_FAULTS else None
    return response


def _add_validators(response: Response, last_modified: datetime) -> None:
    response.headers["ETag"] = '"' + hashlib.sha1(response.body).hexdigest() + '"'
    response.headers["Last-Modified"] = format_datetime(last_modified, usegmt=True)


def _conditional(response: Response, headers: Mapping[str, str]) -> Response:
    """304 (no body) on a matching If-None-Match, else on If-Modified-Since ≥ Last-Modified."""
    etag = response.headers["ETag"]
    if (none_match := headers.get("If-None-Match")) is not None:
        tags = [tag.strip().removeprefix("W/") for tag in none_match.split(",")]
        fresh = "*" in tags or etag in tags
    elif (since := headers.get("If-Modified-Since")) is not None:
        fresh = _not_before(since, response.headers["Last-Modified"])
    else:
        fresh = False
    if not fresh:
        return response
    kept = {key: response.headers[key] for key in ("ETag", "Last-Modified")}
    return Response(304, b"", kept)


def _not_before(since: str, last_modified: str) -> bool:
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when >= parsedate_to_datetime(last_modified)


def _detail(site: Site, path: str, query: str, headers: Mapping[str, str]) -> Response:
    world, ctx = site.world, site.ctx
    canonical = path if path.endswith("/") else path + "/"
    fault = world.take_detail_fault(canonical)
    if (status := fault_status(fault)) is not None:
        return error_page(site, status)
    if fault in ("reset", "garbage"):
        return Response(0, fault="reset") if fault == "reset" else _garbage()
    if canonical in world.page_redirects:
        return _html("", 301, {"Location": world.page_redirects[canonical]})
    article = world.find(canonical, ctx.language)
    if article is None:
        if (target := world.moved_to(canonical)) is not None:
            return _html("", 301, {"Location": ctx.base_url + target})
        return error_page(site, world.gone_status(canonical) or 404)
    if canonical != path and world.slashless != "serve":
        if world.slashless == "404":
            return error_page(site, 404)
        location = ctx.base_url + canonical + (f"?{query}" if query else "")
        return _html("", 301, {"Location": location})
    latest = _items(site, None)[:5]
    extras = furniture_for(article, latest, ctx.language) if world.furniture else None
    response = _html(site.markup.detail(ctx, article, latest, extras))
    # Validated by the article's own version, as a CMS caching its news element does: the
    # sidebar and the furniture around it do not change the ETag.
    version = f"{article.id}:{article.changed_at.isoformat()}".encode()
    response.headers["ETag"] = '"' + hashlib.sha1(version).hexdigest() + '"'
    response.headers["Last-Modified"] = format_datetime(article.changed_at, usegmt=True)
    response = _conditional(response, headers)
    response.fault = fault
    return response
