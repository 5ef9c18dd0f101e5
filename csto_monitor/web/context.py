"""What every page handler reaches for: the application's state, templates, error pages,
and a worker thread for database queries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from notifier.sections import section_name

if TYPE_CHECKING:
    import jinja2

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
SESSIONS: web.AppKey[sessionmaker[Session]] = web.AppKey("sessions")
TEMPLATES: web.AppKey[Templates] = web.AppKey("templates")
# The daemon's APScheduler scheduler, for /healthz; absent when the app runs without one.
SCHEDULER: web.AppKey[Any] = web.AppKey("scheduler")

# No script may run on these pages: even a scraped string that escaped escaping stays inert.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                               "data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Templates:
    """The pages' Jinja2 templates, set up when the first page is drawn: a daemon whose
    pages nobody opens never imports Jinja2. Two threads drawing the first pages at once
    may each build an environment; one is kept, both render alike."""

    def __init__(self) -> None:
        self._env: jinja2.Environment | None = None

    def get_template(self, name: str) -> jinja2.Template:
        if self._env is None:
            self._env = _environment()
        return self._env.get_template(name)


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.filters["section"] = lambda slug: section_name(slug, "en")  # the pages are English
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
