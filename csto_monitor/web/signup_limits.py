"""How often one client may sign up and one address may be mailed: fixed-size windows
of recent times per key, in memory (a restart forgets them; the limits are about bursts)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_KEYS = 50_000  # keys kept; the least recently seen is forgotten first


class WindowLimit:
    """At most `limit` events per key within `window` seconds."""

    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window = limit, window
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, key: str) -> float:
        """0 if one more event may happen now (and count it), else the seconds until then."""
        now = self._clock()
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        wait = 0.0 if len(times) < self.limit else times[0] + self.window - now
        if wait == 0:
            times.append(now)
        self._seen[key] = times
        if len(self._seen) > MAX_KEYS:
            self._seen.popitem(last=False)
        return wait
