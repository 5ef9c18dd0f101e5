"""The crawl worker: `python -m scraper.crawl_worker`, started by the daemon's
`ProcessCrawler` (scraper/worker_crawler.py), which it serves over its stdin and stdout.

It holds what only a crawl needs (Scrapy, Twisted, lxml, the extractors, ~50 MB), so that
the long-lived daemon does not: it runs today's `SourceCrawler` on its own asyncio loop,
one crawl per request (several at a time when polls overlap), and sends each report back
as a value. Items are not stored here: the daemon diffs and stores the report. Its log
records go to the daemon's log. The end of its input (the daemon stopping or retiring it
after a quiet period, or gone) stops the crawls under way and ends the process.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from scraper import worker_frames as frames
from scraper.request import CrawlRequest

if TYPE_CHECKING:
    from scraper.runner import SourceCrawler

log = logging.getLogger(__name__)


class ForwardingHandler(logging.Handler):
    """Sends each record to the daemon, which logs it through its own handlers."""

    def __init__(self, writer: frames.Writer) -> None:
        super().__init__()
        self._writer = writer
        self._exceptions = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + self._exceptions.formatException(record.exc_info)
            self._writer.send(("log", {
                "name": record.name, "levelno": record.levelno,
                "levelname": record.levelname, "msg": message, "created": record.created,
                "msecs": record.msecs, "pathname": record.pathname, "lineno": record.lineno,
                "funcName": record.funcName, "process": record.process}))
        except Exception:  # the daemon is gone, or a record would not format
            self.handleError(record)


def forward_logs(writer: frames.Writer, levels: Mapping[str, int]) -> None:
    """Log as the daemon does: its loggers' levels, every record sent to it."""
    root = logging.getLogger()
    root.handlers[:] = [ForwardingHandler(writer)]
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)
    logging.captureWarnings(True)


async def _stdin() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


def _source_crawler(options: Mapping[str, Any]) -> SourceCrawler:
    """Scrapy on this loop: imported here, with the collector off (main()), which saves
    a quarter of the ~0.6 s of CPU these imports cost each time a worker starts."""
    from scraper.reactor import ensure_reactor
    from scraper.runner import SourceCrawler
    from scraper.settings import build_settings

    ensure_reactor()
    return SourceCrawler(build_settings(**options))


async def _crawl(crawler: SourceCrawler, writer: frames.Writer, ident: int,
                 request: CrawlRequest) -> None:
    report = await crawler.crawl(request)
    writer.send(("report", ident, report))


def _forget(crawls: dict[int, asyncio.Task[None]], ident: int, _: object) -> None:
    crawls.pop(ident, None)


async def serve(writer: frames.Writer) -> None:
    """Answer the daemon's requests until its messages end."""
    reader = await _stdin()
    hello = await frames.read(reader)
    if hello is None:
        return
    _, options, levels = hello
    forward_logs(writer, levels)
    crawler = _source_crawler(options)
    # Long-lived: leave the imports out of the collector's passes, collect before each crawl.
    gc.freeze()
    gc.enable()
    crawler.collect_between_crawls()
    crawls: dict[int, asyncio.Task[None]] = {}
    while (message := await frames.read(reader)) is not None:
        if message[0] == "crawl":
            _, ident, request = message
            crawls[ident] = asyncio.create_task(_crawl(crawler, writer, ident, request))
            crawls[ident].add_done_callback(partial(_forget, crawls, ident))
        elif message[0] == "cancel" and message[1] in crawls:
            crawls[message[1]].cancel()
    await crawler.stop()  # the daemon no longer waits for them
    for task in list(crawls.values()):
        task.cancel()
    await asyncio.gather(*crawls.values(), return_exceptions=True)


def main() -> None:
    # The messages get stdout to themselves; a stray print goes to stderr (the daemon's).
    writer = frames.Writer(os.fdopen(os.dup(1), "wb"))
    os.dup2(2, 1)
    # Ctrl-C in a terminal and a service manager's SIGTERM reach the whole process group:
    # the daemon stops this worker (or its input ends), which abandons the crawls cleanly.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    gc.disable()  # until the imports are done and frozen (serve())
    try:
        asyncio.run(serve(writer))
    except BrokenPipeError:  # the daemon went away while a report was being sent
        pass
    finally:
        if "twisted.internet.reactor" in sys.modules:
            from scraper.reactor import shutdown_reactor

            shutdown_reactor()  # or its thread pool keeps the process alive


if __name__ == "__main__":
    main()

