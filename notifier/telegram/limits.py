"""Telegram's flood limits, kept by sliding windows, and waits after a 429.

Limits: 30 messages a second overall, 1 a second per private chat, 20 a minute per group
or channel. A sliding window guarantees "at most N in any window", which a leaky bucket
(aiolimiter, used by AIORateLimiter) does not: it lets a full bucket go out at once and
then drains, up to ~2N in the first window.

A send holds its place in a window from the moment it starts until `period` after its
answer came back: Telegram saw it at some moment in between, so any N+1 sends reach
Telegram at least `period` apart, however long each request took. (Counting from the
start alone, one request delayed 50 ms in a busy process let 31 arrive within a second.)
That makes the window safe without a wide margin, and lets sends overlap.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
# Methods that post into a chat; the rest (getUpdates, answerCallbackQuery, ...) pass.
SENDING = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument",
                     "copyMessage", "forwardMessage"})
# Windows a little longer than Telegram's: their limiter is not documented to the
# millisecond. Latency needs no margin (see above).
MARGIN = 1.01


class Window:
    """At most `count` sends in any `period` seconds, counting sends in flight."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period * MARGIN
        self.in_flight = 0
        self.ended: deque[float] = deque()  # when recent sends got their answer, in order

    def wait(self, now: float) -> float:
        """Seconds to wait before the next send may start."""
        while self.ended and self.ended[0] <= now - self.period:
            self.ended.popleft()
        if self.in_flight + len(self.ended) < self.count:
            return 0.0
        if not self.ended:  # every place is held by a send in flight: none frees sooner
            return self.period
        return self.ended[0] + self.period - now

    def start(self) -> None:
        self.in_flight += 1

    def end(self, now: float) -> None:
        self.in_flight -= 1
        self.ended.append(now)


def is_private(chat_id: object) -> bool:
    """Private chats have positive ids; groups negative ones, channels "@name" or -100..."""
    return isinstance(chat_id, int) or (isinstance(chat_id, str) and chat_id.isdigit())


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int or a timedelta, depending on PTB_TIMEDELTA
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class FloodLimiter(BaseRateLimiter[None]):
    """Throttles sends to Telegram's limits; after a 429 pauses every send, then retries."""

    def __init__(self, max_retries: int = 5, overall: int = 30) -> None:
        self.max_retries = max_retries
        self._overall = Window(overall, 1.0)
        self._chats: dict[str, Window] = {}
        self._paused_until = 0.0

    async def initialize(self) -> None:
        """Nothing to set up: windows are plain memory."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _window(self, chat_id: object) -> Window:
        key = str(chat_id)
        if key not in self._chats:
            if len(self._chats) > 10_000:  # forget idle chats, keep memory bounded
                self._chats.clear()
            self._chats[key] = Window(1, 1.0) if is_private(chat_id) else Window(20, 60.0)
        return self._chats[key]

    async def acquire(self, chat_id: object) -> list[Window]:
        """Wait until one more message may go to `chat_id`; its windows, to `end` after."""
        while True:
            now = time.monotonic()
            windows = [self._overall, self._window(chat_id)]
            delay = max(self._paused_until - now, *(w.wait(now) for w in windows))
            if delay <= 0:
                for window in windows:
                    window.start()
                return windows
            await asyncio.sleep(delay)

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[Any]]],
        args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[Any]:
        for attempt in range(self.max_retries + 1):
            windows = (await self.acquire(data["chat_id"])
                       if endpoint in SENDING and "chat_id" in data else [])
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self.max_retries:
                    raise
                seconds = retry_after_seconds(error)
                log.warning("telegram asked to slow down: waiting %.0f s", seconds)
                self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            finally:
                ended = time.monotonic()  # after the answer (or the error): see the docstring
                for window in windows:
                    window.end(ended)
        raise AssertionError("unreachable")
