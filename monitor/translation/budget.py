"""When the provider may be asked: a request budget per minute, and a pause after a failure.

Pure (the caller passes the clock): neither ever waits, so a message is never delayed by
them; what cannot be asked now goes out untranslated.
"""

from __future__ import annotations

from collections import deque


class RequestBudget:
    """At most `count` requests in any `period` seconds."""

    def __init__(self, count: int, period: float = 60.0) -> None:
        self.count, self.period = count, period
        self._starts: deque[float] = deque()

    def take(self, now: float) -> bool:
        """Spend one request now if the budget allows it."""
        while self._starts and self._starts[0] <= now - self.period:
            self._starts.popleft()
        if len(self._starts) >= self.count:
            return False
        self._starts.append(now)
        return True


class Pause:
    """After a failure, the provider is left alone for a while (messages go untranslated)."""

    def __init__(self) -> None:
        self.until = 0.0

    def start(self, now: float, seconds: float) -> None:
        self.until = max(self.until, now + seconds)

    def active(self, now: float) -> bool:
        return now < self.until
