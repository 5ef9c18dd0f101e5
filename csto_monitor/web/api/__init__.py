"""The read-only JSON API under /api/v1/, a sub-application of the daemon's HTTP server.

Every request under /api/ goes through the access checks (bearer tokens, rate limit) and
gets JSON errors; see docs/integrations.md.
"""

from __future__ import annotations

import ipaddress
import logging

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from csto_monitor.web.api.access import RateLimiter, Tokens, access_middleware
from csto_monitor.web.api.replies import json_errors
from csto_monitor.web.context import SESSIONS, SETTINGS
from csto_monitor.web.lazy import lazy

log = logging.getLogger(__name__)


def api_app(settings: Settings, sessions: sessionmaker[Session]) -> web.Application:
    """The API, to be mounted at /api."""
    http = settings.http
    tokens = Tokens(http.api_tokens)
    if not tokens.required and not _loopback(http.host):
        log.warning("the API at /api/v1/ is open to anyone who reaches %s; set "
                    "http.api_tokens (or env CSTO_MONITOR_API_TOKENS) to require a token",
                    http.listen)
    app = web.Application(middlewares=[json_errors,
                                       access_middleware(tokens, RateLimiter(http.api_rate))])
    app[SETTINGS], app[SESSIONS] = settings, sessions
    app.add_routes([
        # The handlers, their queries and schemas: imported by the first API request.
        web.get("/v1/items", lazy("api.handlers", "items")),
        web.get("/v1/items/{id}", lazy("api.handlers", "item")),
        web.get("/v1/changes", lazy("api.handlers", "changes")),
        web.get("/v1/openapi.json", lazy("api.handlers", "openapi_document")),
    ])
    return app


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
