"""Probes: GET /healthz (is this process alive?) and GET /readyz (are the sources healthy?).

`/healthz` is the daemon's own liveness, for the image's HEALTHCHECK and an orchestrator's
liveness probe: 200 while its event loop answers, its database answers a query and its
scheduler is running and firing its jobs; 503 otherwise. It does not look at the site:
restarting the daemon cannot fix an outage of the CSTO site.

`/readyz` reports every source's state (the `csto-monitor status` report): 200 while no
source is failing, 503 from a failed poll until the next successful one (and while the
database is unreachable). Use it for monitoring, alerting, or a readiness probe.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from csto_monitor.web.context import SCHEDULER, SETTINGS, in_thread
from monitor.read.status import status

DATABASE_TIMEOUT = 3.0  # seconds; the image's HEALTHCHECK gives the whole probe 5 s
# A job due longer ago than this has not been fired: the scheduler has stopped working.
# (A running poll does not hold its next run back: APScheduler skips that run and
# schedules the following one.)
OVERDUE_AFTER = timedelta(minutes=2)


class _Job(Protocol):
    id: str
    next_run_time: datetime | None


class Scheduler(Protocol):
    """What /healthz reads of APScheduler's scheduler."""

    @property
    def state(self) -> int: ...

    def get_jobs(self) -> list[Any]: ...


def scheduler_problem(scheduler: Scheduler, now: datetime | None = None) -> str | None:
    """Why the scheduler is not working, or None when it is."""
    from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING

    if scheduler.state == STATE_PAUSED:
        return "scheduler paused"
    if scheduler.state != STATE_RUNNING:
        return "scheduler not running"
    now = now or datetime.now(UTC)
    overdue = sorted(job.id for job in scheduler.get_jobs()
                     if job.next_run_time is not None
                     and now - job.next_run_time > OVERDUE_AFTER)
    if overdue:
        return (f"scheduler stalled: job(s) {', '.join(overdue)} overdue by more than "
                f"{int(OVERDUE_AFTER.total_seconds())} s")
    return None


def _db_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {DATABASE_TIMEOUT:.0f} s"
    orig = getattr(exc, "orig", None)
    lines = str(orig or exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


async def healthz(request: web.Request) -> web.Response:
    """Liveness: loop, database, scheduler. Never depends on the sites being polled."""
    # Answering at all means the event loop runs (the server shares the daemon's loop).
    checks: dict[str, str] = {"loop": "ok"}
    try:
        await asyncio.wait_for(
            in_thread(request, lambda s: s.execute(text("SELECT 1")).scalar_one()),
            DATABASE_TIMEOUT)
        checks["database"] = "ok"
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        checks["database"] = f"unavailable: {_db_reason(exc)}"
    scheduler = request.app.get(SCHEDULER)
    if scheduler is not None:
        checks["scheduler"] = scheduler_problem(scheduler) or "ok"
    alive = all(value == "ok" for value in checks.values())
    return web.json_response({"alive": alive, "checks": checks}, status=200 if alive else 503)


async def readyz(request: web.Request) -> web.Response:
    """The sources' health: 503 while one is failing or the database cannot be read."""
    settings = request.app[SETTINGS]
    try:
        report: dict[str, Any] = await asyncio.wait_for(
            in_thread(request, lambda s: status(s, settings)), DATABASE_TIMEOUT)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        report = {"healthy": False, "error": f"database unavailable: {_db_reason(exc)}"}
    return web.json_response(report, status=200 if report["healthy"] else 503)

