"""The poll schedule: an interval with jitter that delays polls but never drifts."""

from __future__ import annotations

import math
from datetime import datetime

from apscheduler.triggers.interval import IntervalTrigger


class SteadyIntervalTrigger(IntervalTrigger):
    """Polls at start + k × interval, each delayed by up to `jitter` seconds.

    APScheduler's own IntervalTrigger counts each interval from the previous, jittered
    fire time, so a 60 s interval with 6 s of jitter polls every 63 s on average and a
    publication waits that much longer to be seen (docs/benchmarks.md, detection latency).
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime | None:
        if previous_fire_time is not None and self.jitter:
            previous_fire_time = self._slot(previous_fire_time)
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        return fire

    def _slot(self, fired: datetime) -> datetime:
        """The un-jittered time of the slot a (possibly jittered) fire time belongs to."""
        # Slots before `start_date` count too: by default it is one interval after the
        # trigger's creation, while the daemon's first poll runs at once.
        start = self.start_date.timestamp()
        slot = math.floor((fired.timestamp() - start) / self.interval_length)
        return datetime.fromtimestamp(start + slot * self.interval_length, tz=self.timezone)
