"""The aiohttp application: its routes, error handling and security headers."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from csto_monitor.web.context import (
    SCHEDULER,
    SECURITY_HEADERS,
    SESSIONS,
    SETTINGS,
    TEMPLATES,
    Handler,
    Templates,
    error_page,
)
from csto_monitor.web.lazy import lazy

log = logging.getLogger(__name__)


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
    """The app; `scheduler` (the daemon's) is checked by /healthz when given.

    The pages', feed's and API's modules are imported by their first request (`lazy`):
    /healthz and /metrics, which monitoring asks for all day, are loaded now."""
    from csto_monitor.web import health, prometheus
    from csto_monitor.web.api import api_app

    app = web.Application(middlewares=[errors])
    app[SETTINGS], app[SESSIONS], app[TEMPLATES] = settings, sessions, Templates()
    if scheduler is not None:
        app[SCHEDULER] = scheduler
    app.on_response_prepare.append(_headers)
    prometheus.setup(app)
    app.add_routes([
        web.get("/healthz", health.healthz),
        web.get("/readyz", health.readyz),
        web.get("/metrics", prometheus.handler),
        web.get("/feed.atom", lazy("feed", "handler")),
        web.get("/unsubscribe", lazy("unsubscribe", "confirm_page")),
        web.post("/unsubscribe", lazy("unsubscribe", "unsubscribe")),
        web.get("/", lazy("pages", "history_page")),
        web.get("/items/{item_id}", lazy("pages", "item_page")),
    ])
    account_routes(app, settings)
    app.add_subapp("/api", api_app(settings, sessions))  # the JSON API, /api/v1/
    return app


def account_routes(app: web.Application, settings: Settings) -> None:
    """The sign-up form, confirmation and preference pages (docs/email.md); answered
    "closed" when email.self_service is off (their modules then load at the first visit)."""
    if settings.email is not None and settings.email.sign_up_open:
        from csto_monitor.web import signup

        app[signup.SIGNUP] = signup.SignupState(settings.email, bot_link(settings))
        app.cleanup_ctx.append(signup.housekeeping)
    app.add_routes([
        web.get("/subscribe", lazy("signup", "subscribe_page")),
        web.post("/subscribe", lazy("signup", "subscribe")),
        web.get("/confirm/{token}", lazy("signup", "confirm_page")),
        web.post("/confirm/{token}", lazy("signup", "confirm")),
        web.get("/preferences/{token}", lazy("preferences", "preferences_page")),
        web.post("/preferences/{token}", lazy("preferences", "change")),
    ])


def bot_link(settings: Settings) -> str | None:
    """https://t.me/<bot>?start=email when the bot's name is configured."""
    telegram = settings.telegram
    name = getattr(telegram, "bot_username", None) if telegram and telegram.token else None
    return f"https://t.me/{name.lstrip('@')}?start=email" if name else None
