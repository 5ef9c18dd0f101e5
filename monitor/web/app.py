"""The aiohttp application: routes, shared state, templates, error pages, headers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from aiohttp import web
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
SESSIONS: web.AppKey[sessionmaker[Session]] = web.AppKey("sessions")
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates")
# The daemon's APScheduler scheduler, for /healthz; absent when the app runs without one.
SCHEDULER: web.AppKey[Any] = web.AppKey("scheduler")

# No script may run on these pages: even a scraped string that escaped escaping stays inert.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                               "data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    return env


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(name).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return render(request, "message.html", status=status, title=title, message=message)


async def in_thread(request: web.Request, fn: Callable[[Session], T]) -> T:
    """Run `fn(session)` in a worker thread: SQLAlchemy is synchronous."""
    sessions = request.app[SESSIONS]

    def work() -> T:
        with sessions() as session:
            return fn(session)

    return await asyncio.to_thread(work)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Readable pages for 404s and database outages; a 500 page (and the log) for bugs."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return error_page(request, 404, "Not found",
                          "There is no such page. Start again from the history page.")
    except web.HTTPException:
        raise
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        log.error("HTTP %s: database unavailable: %s", request.path, reason)
        return error_page(request, 503, "Database unavailable",
                          "The database cannot be reached just now; try again in a minute.")
    except Exception:
        log.exception("HTTP %s %s failed", request.method, request.path)
        return error_page(request, 500, "Internal error",
                          "Something went wrong on the server; the log has the details.")


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def make_app(settings: Settings, sessions: sessionmaker[Session],
             scheduler: Any = None) -> web.Application:
    """The app; `scheduler` (the daemon's) is checked by /healthz when given."""
    from monitor.web import feed, health, metrics, pages, unsubscribe

    app = web.Application(middlewares=[errors])
    app[SETTINGS], app[SESSIONS], app[TEMPLATES] = settings, sessions, templates()
    if scheduler is not None:
        app[SCHEDULER] = scheduler
    app.on_response_prepare.append(_headers)
    metrics.setup(app)
    app.add_routes([
        web.get("/healthz", health.healthz),
        web.get("/readyz", health.readyz),
        web.get("/metrics", metrics.handler),
        web.get("/feed.atom", feed.handler),
        web.get("/unsubscribe", unsubscribe.confirm_page),
        web.post("/unsubscribe", unsubscribe.unsubscribe),
        web.get("/", pages.history_page),
        web.get("/items/{item_id}", pages.item_page),
    ])
    return app
