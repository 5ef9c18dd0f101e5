"""A job still running at its next tick: expected for a slow poll, so said once, at DEBUG.

APScheduler warns at every tick that finds the job still running ("skipped: maximum number
of running instances reached"). A poll slower than `poll_interval` (a slow site, a long
recheck) is normal and never run twice at once, so the warning is dropped and one DEBUG line
is logged per long run instead.
"""

from __future__ import annotations

import logging

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    JobEvent,
)
from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)
SCHEDULER_LOGGER = "apscheduler.scheduler"  # where APScheduler 3 logs unless told otherwise
_SKIPPED = "maximum number of running instances reached"


class SkippedTicks(logging.Filter):
    """Drops APScheduler's per-tick warning and says it once per long run of a job."""

    def __init__(self) -> None:
        super().__init__()
        self._told: set[str] = set()  # jobs whose current run was already reported

    def filter(self, record: logging.LogRecord) -> bool:
        return _SKIPPED not in str(record.msg)

    def on_event(self, event: JobEvent) -> None:
        if event.code != EVENT_JOB_MAX_INSTANCES:  # the run ended: a next long one is news
            self._told.discard(event.job_id)
        elif event.job_id not in self._told:
            self._told.add(event.job_id)
            log.debug("%s: still running at its next tick; ticks are skipped until it ends",
                      event.job_id)

    def install(self, scheduler: BaseScheduler) -> None:
        logging.getLogger(SCHEDULER_LOGGER).addFilter(self)
        scheduler.add_listener(self.on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_EXECUTED
                               | EVENT_JOB_ERROR)

    def uninstall(self) -> None:
        logging.getLogger(SCHEDULER_LOGGER).removeFilter(self)
