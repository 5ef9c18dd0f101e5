"""`csto-monitor run`: one asyncio process polling every source on a schedule."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import update

from core import config, metrics
from core.models import Source, utcnow
from csto_monitor.runtime import Monitor, worker_crawler
from csto_monitor.services import build_services
from csto_monitor.skipped_ticks import SkippedTicks
from csto_monitor.triggers import SteadyIntervalTrigger
from monitor import rhythm_store
from monitor.poll import PollOutcome
from notifier.digest import Period
from notifier.digest_queue import due_periods, queue_due

log = logging.getLogger(__name__)
STOP_TIMEOUT = 5.0  # seconds given to an abandoned crawl before the process exits anyway


class Daemon:
    """The scheduler's jobs: one poll job per source, a delivery job and a digest job."""

    def __init__(self, monitor: Monitor, clock: Callable[[], datetime] = utcnow) -> None:
        self.monitor = monitor
        self.settings = monitor.settings
        self.clock = clock
        self.digests_queued: set[tuple[str, Period]] = set()  # by this process
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.skipped_ticks = SkippedTicks()
        self.learned: rhythm_store.Learned = {}  # each source's rhythm, between polls
        self.services = build_services(monitor, self.scheduler)
        self.stopping = False
        # Dashboards and alerts see every source's counters from the start, not at 1.
        translation = self.settings.translation
        metrics.declare([s.name for s in self.settings.sources], list(monitor.notifiers),
                        translation.provider if translation else None)

    def _abandoned(self, what: str) -> None:
        """A job cancelled by the shutdown: say so, or re-raise a cancellation from elsewhere.

        At SIGTERM the loop's remaining tasks, a poll or a delivery under way among them,
        are cancelled; that is the documented behaviour (the poll is redone, unsent
        deliveries stay queued), not a crash for APScheduler to log with a traceback.
        """
        if not self.stopping:
            raise  # the CancelledError being handled by the caller
        log.info("%s abandoned at shutdown", what)

    def _trigger(self) -> BaseTrigger:
        jitter = self.settings.jitter_seconds or None
        if self.settings.learned_polling:
            # Each poll sets the next one (_reschedule); this only fires if a poll crashed.
            return IntervalTrigger(seconds=self.settings.polling.max_interval.total_seconds())
        if self.settings.poll_cron:
            return CronTrigger.from_crontab(self.settings.poll_cron, timezone="UTC")
        return SteadyIntervalTrigger(seconds=self.settings.poll_interval.total_seconds(),
                                     jitter=jitter)

    def schedule(self) -> None:
        grace = max(int(self.settings.poll_interval.total_seconds()), 1)
        for spec in self.settings.sources:
            self.scheduler.add_job(
                self.poll_job, self._trigger(), args=(spec,), id=spec.name,
                name=f"poll {spec.name}", next_run_time=utcnow(), max_instances=1,
                coalesce=True, misfire_grace_time=grace)
        self.scheduler.add_job(
            self.deliver_job, IntervalTrigger(seconds=self.settings.delivery.interval
                                              .total_seconds()),
            id="deliver", name="deliver", max_instances=1, coalesce=True)
        self.scheduler.add_job(self.digest_job, IntervalTrigger(minutes=1), id="digests",
                               name="digests", next_run_time=utcnow(), max_instances=1,
                               coalesce=True)

    async def digest_job(self) -> None:
        """Queue the digests whose send time has come (idempotent), then deliver them."""
        try:
            queued = self.queue_digests()
        except Exception:
            log.exception("queueing digests failed; will try again in a minute")
            return
        if queued:
            log.info("queued %d digest(s)", queued)
            await self.deliver_job()

    def queue_digests(self) -> int:
        """Queue each period's digests once per process, when its send time has come.

        What they list ends at the send time, so another pass in the same period would only
        find events committed late, which the next period's digests list anyway: passing
        once saves reading every subscriber's pending events each minute."""
        current = due_periods(self.monitor.notifiers, self.clock())
        periods = [p for p in current if p not in self.digests_queued]
        if not periods:
            return 0
        with self.monitor.sessions() as session, session.begin():
            queued = queue_due(session, periods)
        self.digests_queued = set(current)
        return queued

    async def poll_job(self, spec: config.SourceSettings) -> None:
        """Poll one source, back off after failures, then deliver what it found (a poll
        that announced nothing leaves the outbox to the delivery job: its retries)."""
        try:
            outcome = await self.monitor.poller.poll(spec)
        except asyncio.CancelledError:
            self._abandoned(f"{spec.name}: poll")
            return
        except Exception:
            log.exception("%s: poll crashed; will try again at the next interval", spec.name)
            return
        if outcome.outcome == "stopped":  # shutdown: neither a failure nor a success
            log.info("%s", outcome.line())
            return
        (log.info if outcome.clean else log.error)("%s", outcome.line())
        self._reschedule(spec, outcome)
        if outcome.announced:
            await self.deliver_job()

    def _reschedule(self, spec: config.SourceSettings, outcome: PollOutcome) -> None:
        job = self.scheduler.get_job(spec.name)
        if job is None:
            return
        if outcome.outcome == "error":
            delay = self.settings.backoff(outcome.failures)
            job.modify(next_run_time=utcnow() + delay)
            reason = f"backing off after {outcome.failures} failed poll(s)"
            log.info("%s: next attempt in %s (backing off)", spec.name, _human(delay))
        elif self.settings.learned_polling:
            with self.monitor.sessions() as session:
                decision = rhythm_store.plan(session, spec.name, self.settings, self.clock(),
                                             self.learned)
            job.modify(next_run_time=decision.at)
            reason = decision.reason
            log.info("%s: next poll at %s (%s)", spec.name, decision.at.isoformat(), reason)
        else:
            reason = (f"fixed: cron {self.settings.poll_cron}" if self.settings.poll_cron
                      else f"fixed: every {_human(self.settings.poll_interval)}")
        self._record_next_poll(spec.name, job.next_run_time, reason)

    def _record_next_poll(self, name: str, when: object, reason: str) -> None:
        with self.monitor.sessions() as session, session.begin():
            session.execute(update(Source).where(Source.name == name)
                            .values(next_poll_at=when, next_poll_reason=reason[:200]))

    async def deliver_job(self) -> None:
        try:
            result = await self.monitor.deliver()
        except asyncio.CancelledError:
            self._abandoned("delivery (what was not sent stays queued)")
            return
        except Exception:
            log.exception("delivery crashed; queued notifications stay queued")
            return
        if result.sent or result.failed:
            log.info("delivered %d notification(s), %d failed for good", result.sent,
                     result.failed)

    async def start(self) -> None:
        self.schedule()
        self.skipped_ticks.install(self.scheduler)
        self.scheduler.start()
        for service in self.services:
            await service.start()
            log.info("%s started", service.name)

    async def stop(self) -> None:
        self.stopping = True
        self.scheduler.shutdown(wait=False)
        self.skipped_ticks.uninstall()
        for service in reversed(self.services):
            try:
                await asyncio.wait_for(service.stop(), STOP_TIMEOUT)
            except Exception:
                log.exception("%s did not stop cleanly", service.name)
        try:
            await asyncio.wait_for(self.monitor.crawler.stop(), STOP_TIMEOUT)
        except TimeoutError:
            log.warning("a crawl did not stop within %.0f s; exiting anyway", STOP_TIMEOUT)


def freeze_startup_objects(monitor: Monitor) -> None:
    """Leave the objects of the start (modules, settings, engine: most of the heap) out of
    the garbage collector's passes from now on: a collection then costs ~0.5 ms instead of
    walking the whole heap. (The crawl worker does the same, and collects before each crawl
    since each leaves Scrapy's reference cycles behind: scraper/crawl_worker.py.)"""
    gc.collect()
    gc.freeze()


def _human(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def build_monitor(settings: config.Settings) -> Monitor:
    """The daemon's parts: its crawls run in a worker process (scraper/worker_crawler.py),
    so that Scrapy and Twisted stay out of this long-lived one."""
    return Monitor.build(settings, inner=worker_crawler(settings))


async def run_daemon(settings: config.Settings) -> None:
    """Run until SIGTERM or SIGINT; a crawl under way is abandoned, the outbox kept."""
    daemon = Daemon(build_monitor(settings))
    log.info("%s", daemon.monitor.schema.line())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await daemon.start()
        freeze_startup_objects(daemon.monitor)
        names = ", ".join(s.name for s in settings.sources)
        every = ("as learned (see status)" if settings.learned_polling
                 else settings.poll_cron or f"every {settings.poll_interval}")
        log.info("daemon started: polling %s %s", names, every)
        await stop.wait()
        log.info("stopping: abandoning any crawl under way; queued notifications stay queued")
        await daemon.stop()
    finally:
        await daemon.monitor.crawler.stop()  # whatever happened: no worker outlives us
    log.info("stopped")
