"""`csto-monitor run`: one asyncio process polling every source on a schedule."""

from __future__ import annotations

import asyncio
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from scraper.reactor import shutdown_reactor

from monitor import config
from monitor.app import Monitor
from monitor.models import utcnow

log = logging.getLogger(__name__)


async def _poll_job(monitor: Monitor, spec: config.Source) -> None:
    """Poll one source and deliver what it found; never let an error kill the scheduler."""
    try:
        outcome = await monitor.poller.poll(spec)
        (log.info if outcome.clean else log.error)("%s", outcome.line())
    except Exception:
        log.exception("%s: poll crashed; will try again at the next interval", spec.name)
    try:
        await monitor.deliver()
    except Exception:
        log.exception("delivery crashed; queued notifications stay queued")


def _schedule(scheduler: AsyncIOScheduler, monitor: Monitor) -> None:
    interval = monitor.settings.poll_interval.total_seconds()
    for spec in monitor.settings.sources:
        scheduler.add_job(
            _poll_job, IntervalTrigger(seconds=interval, jitter=min(interval * 0.1, 30)),
            args=(monitor, spec), id=spec.name, name=f"poll {spec.name}",
            next_run_time=utcnow(), max_instances=1, coalesce=True,
            misfire_grace_time=int(interval),
        )


async def run_daemon(settings: config.Settings) -> None:
    """Run until SIGTERM or SIGINT; a crawl under way is abandoned, the outbox kept."""
    monitor = Monitor.build(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    scheduler = AsyncIOScheduler(timezone="UTC")
    _schedule(scheduler, monitor)
    scheduler.start()
    names = ", ".join(s.name for s in settings.sources)
    log.info("daemon started: polling %s every %s", names, settings.poll_interval)
    await stop.wait()
    log.info("stopping: abandoning any crawl under way; queued notifications stay queued")
    scheduler.shutdown(wait=False)
    await monitor.crawler.stop()
    shutdown_reactor()
    log.info("stopped")
