"""Telegram's flood limits, kept by sliding windows, and waits after a 429.

Limits: 30 messages a second overall, 1 a second per private chat, 20 a minute per group
or channel. A sliding window (the times of the last N sends) guarantees "at most N in any
window", which a leaky bucket (aiolimiter, used by AIORateLimiter) does not: it lets a
full bucket go out at once and then drains, up to ~2N in the first window.
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
MARGIN = 1.05  # windows a little longer than Telegram's: our clock is not theirs


class Window:
    """At most `count` events in any `period` seconds."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period * MARGIN
        self.times: deque[float] = deque(maxlen=count)

    def wait(self, now: float) -> float:
        """Seconds to wait before the next event is allowed."""
        if len(self.times) < self.count:
            return 0.0
        return max(0.0, self.times[0] + self.period - now)

    def record(self, now: float) -> None:
        self.times.append(now)


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

    async def acquire(self, chat_id: object) -> None:
        """Wait until one more message may go to `chat_id`, then count it."""
        while True:
            now = time.monotonic()
            windows = [self._overall, self._window(chat_id)]
            delay = max(self._paused_until - now, *(w.wait(now) for w in windows))
            if delay <= 0:
                for window in windows:
                    window.record(now)
                return
            await asyncio.sleep(delay)

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[Any]]],
        args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[Any]:
        for attempt in range(self.max_retries + 1):
            if endpoint in SENDING and "chat_id" in data:
                await self.acquire(data["chat_id"])
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self.max_retries:
                    raise
                seconds = retry_after_seconds(error)
                log.warning("telegram asked to slow down: waiting %.0f s", seconds)
                self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        raise AssertionError("unreachable")
