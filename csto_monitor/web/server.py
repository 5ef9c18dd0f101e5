"""The HTTP server as a daemon service (see csto_monitor/services.py)."""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING, Any

from aiohttp import web

from core.config import ConfigError, Http, Settings
from csto_monitor.web.application import make_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from csto_monitor.runtime import Monitor

log = logging.getLogger(__name__)


def bind(http: Http) -> socket.socket:
    """The listening socket, or a ConfigError naming the address and the fix."""
    try:
        family = socket.getaddrinfo(http.host, http.port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((http.host, http.port), family=family, backlog=128)
    except OSError as exc:
        raise ConfigError(
            f"http.listen {http.listen}: cannot listen there ({exc.strerror or exc}); "
            "choose another address or port in http.listen, or stop the program using it"
        ) from None


class HttpService:
    """aiohttp on the daemon's loop, listening on `http.listen`.

    The socket is bound when the service is built (`http_services`), before the scheduler
    starts, so that a busy port stops the daemon with one readable line before any poll.
    """

    name = "HTTP server"

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 sock: socket.socket, scheduler: Any = None) -> None:
        self._settings = settings
        self._sessions = sessions
        self._socket = sock
        self._scheduler = scheduler
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(make_app(self._settings, self._sessions, self._scheduler),
                               access_log=None)
        await runner.setup()
        await web.SockSite(runner, self._socket).start()
        self._runner = runner
        log.info("HTTP server on http://%s/ (liveness /healthz, sources /readyz, metrics "
                 "/metrics, feed /feed.atom)", self._settings.http.listen)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._socket.close()


def http_services(monitor: Monitor, scheduler: Any = None) -> list[HttpService]:
    """The HTTP server, unless `http.enabled` is false; /healthz checks `scheduler`.

    An address written in the configuration must be served: a busy one is fatal. The
    default one is a convenience that another program, or a second daemon on the same
    host, may hold: then the daemon warns and polls without the HTTP server.
    """
    http = monitor.settings.http
    if not http.enabled:
        return []
    try:
        sock = bind(http)
    except ConfigError as exc:
        if "listen" in http.model_fields_set:
            raise
        log.warning("%s; running without the HTTP server", exc)
        return []
    return [HttpService(monitor.settings, monitor.sessions, sock, scheduler)]
