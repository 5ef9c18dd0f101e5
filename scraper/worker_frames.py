"""The messages between the daemon and its crawl worker: pickled values, length-prefixed.

Both ends are this program (the worker is started by the daemon, over a pipe of its own),
so pickle is safe here and carries `CrawlRequest` and `CrawlReport` as they are. Light to
import: the daemon's side must not load Scrapy.

Messages, as tuples:
- daemon -> worker: `("hello", options, levels)` first (the crawl options for
  `scraper.settings.build_settings`, the log levels of the daemon's loggers), then
  `("crawl", id, CrawlRequest)` and `("cancel", id)`; the end of its input stops the worker.
- worker -> daemon: `("report", id, CrawlReport)` and `("log", fields)` (one log record).
"""

from __future__ import annotations

import asyncio
import pickle
import struct
import threading
from typing import IO, Any

_HEAD = struct.Struct("!Q")


def encode(message: tuple[Any, ...]) -> bytes:
    body = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    return _HEAD.pack(len(body)) + body


async def read(stream: asyncio.StreamReader) -> tuple[Any, ...] | None:
    """The next message, or None at the end of the stream (the other side is gone)."""
    try:
        head = await stream.readexactly(_HEAD.size)
        (size,) = _HEAD.unpack(head)
        body = await stream.readexactly(size)
    except asyncio.IncompleteReadError:
        return None
    message: tuple[Any, ...] = pickle.loads(body)
    return message


class Writer:
    """Writes whole messages to a binary stream from any thread (log records come from
    Twisted's threads too), one at a time."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: tuple[Any, ...]) -> None:
        data = encode(message)
        with self._lock:
            self._stream.write(data)
            self._stream.flush()
