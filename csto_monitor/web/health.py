"""GET /healthz: 200 when every source is healthy, 503 otherwise, with the status report."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.exc import OperationalError

from csto_monitor.web.context import SETTINGS, in_thread
from monitor.status import status


async def healthz(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    try:
        report: dict[str, Any] = await in_thread(request, lambda s: status(s, settings))
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        report = {"healthy": False, "error": f"database unavailable: {reason}"}
    return web.json_response(report, status=200 if report["healthy"] else 503)
