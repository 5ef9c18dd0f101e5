"""ProcessCrawler: the daemon's crawls, run by a worker process (scraper/crawl_worker.py).

The daemon lives for months and mostly waits; Scrapy, Twisted, lxml and the extractors
(~50 MB of its RSS, docs/benchmarks.md section 12) are needed only while something is
crawled. So the daemon imports none of them: each crawl is sent, as a `CrawlRequest`
value, to a worker process that runs `SourceCrawler` and answers with the `CrawlReport`.
The worker stays up while crawls keep coming and is stopped after `idle_after` seconds
without one, which gives its memory back. A worker that dies (killed, out of memory)
fails the crawls it was running, as a listing error (the poll is an error, nothing of it
is stored, the next poll crawls again); the next crawl starts a new worker.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
import sys
from collections.abc import Mapping
from typing import Any

from scraper import worker_frames as frames
from scraper.report import CrawlReport
from scraper.request import CrawlRequest

log = logging.getLogger(__name__)
IDLE_AFTER = 600.0  # seconds without a crawl before the worker is stopped
STOP_GRACE = 3.0  # seconds a stopping worker is given before it is killed
COMMAND = (sys.executable, "-m", "scraper.crawl_worker")


def _levels() -> dict[str, int]:
    """The levels the daemon's loggers were given (the worker logs as they do)."""
    loggers = logging.Logger.manager.loggerDict.values()
    levels = {lg.name: lg.level for lg in loggers
              if isinstance(lg, logging.Logger) and lg.level != logging.NOTSET}
    return {"": logging.getLogger().level, **levels}


def _relog(fields: dict[str, Any]) -> None:
    record = logging.makeLogRecord(fields)
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


class _Worker:
    """One worker process and the crawls it runs, by request id."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.pending: dict[int, tuple[CrawlRequest, asyncio.Future[CrawlReport]]] = {}
        self.exited = False
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, options: Mapping[str, Any]) -> _Worker:
        proc = await asyncio.create_subprocess_exec(
            *COMMAND, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=1 << 20)
        worker = cls(proc)
        worker._send(("hello", dict(options), _levels()))
        log.info("crawl worker %d started", proc.pid)
        return worker

    def _send(self, message: tuple[Any, ...]) -> None:
        assert self.proc.stdin is not None
        if not self.proc.stdin.is_closing():
            self.proc.stdin.write(frames.encode(message))

    def submit(self, ident: int, request: CrawlRequest) -> asyncio.Future[CrawlReport]:
        future: asyncio.Future[CrawlReport] = asyncio.get_running_loop().create_future()
        self.pending[ident] = (request, future)
        self._send(("crawl", ident, request))
        return future

    def cancel(self, ident: int) -> None:
        """The poll was cancelled: the worker abandons the crawl, nobody waits for it."""
        if self.pending.pop(ident, None) is not None:
            self._send(("cancel", ident))

    def abandon(self) -> None:
        """Shutdown: every crawl under way ends now, as stopped (never diffed)."""
        for request, future in self.pending.values():
            if not future.done():
                future.set_result(CrawlReport(source=request.source_name, stopped=True))
        self.pending.clear()

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            while (message := await frames.read(self.proc.stdout)) is not None:
                if message[0] == "report":
                    _, future = self.pending.pop(message[1], (None, None))
                    if future is not None and not future.done():
                        future.set_result(message[2])
                elif message[0] == "log":
                    _relog(message[1])
        except Exception:  # a message that would not read: the worker cannot be trusted
            log.exception("crawl worker %d sent an unreadable message", self.proc.pid)
            self.proc.kill()
        self._lost(await self.proc.wait())

    def _lost(self, code: int) -> None:
        """The worker is gone: the crawls it was running fail (nothing of them is stored)."""
        self.exited = True
        if not self.pending:
            log.info("crawl worker %d stopped", self.proc.pid)
            return
        reason = f"the crawl worker (pid {self.proc.pid}) {_exit_reason(code)} during the crawl"
        log.error("%s of %d source(s); the next poll starts a new one", reason,
                  len(self.pending))
        for request, future in self.pending.values():
            if not future.done():
                future.set_result(CrawlReport(
                    source=request.source_name, listing_errors=[
                        f"{reason} of {request.source_url}; nothing of it was stored"]))
        self.pending.clear()

    async def close(self, grace: float = STOP_GRACE) -> None:
        """End its input (it stops its crawls and exits); kill it if it takes too long."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(asyncio.shield(self.reader), grace)
        except TimeoutError:
            log.warning("crawl worker %d did not stop within %.0f s: killing it",
                        self.proc.pid, grace)
            self.proc.kill()
            await self.reader


class ProcessCrawler:
    """A `monitor.poll.Crawler` whose crawls run in a worker process (module docstring).

    `options` are `scraper.settings.build_settings`'s keyword arguments (plain values: the
    daemon builds no Scrapy settings, which would import Scrapy).
    """

    def __init__(self, options: Mapping[str, Any], idle_after: float = IDLE_AFTER) -> None:
        self._options = dict(options)
        self._idle_after = idle_after
        self._worker: _Worker | None = None
        self._starting = asyncio.Lock()
        self._ids = itertools.count(1)
        self._idle: asyncio.TimerHandle | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._stopping = False

    @property
    def worker_pid(self) -> int | None:
        """The running worker's process id, if one runs (for the operator and benchmarks)."""
        worker = self._worker
        return worker.proc.pid if worker is not None and not worker.exited else None

    async def crawl(self, request: CrawlRequest) -> CrawlReport:
        """Crawl one source in the worker; failures end up in the report, never raised."""
        if self._stopping:  # a poll that reached its crawl after shutdown began
            return CrawlReport(source=request.source_name, stopped=True)
        try:
            worker = await self._running_worker()
        except OSError as exc:  # no process can be started (limits, memory)
            log.error("cannot start a crawl worker: %s", exc)
            return CrawlReport(source=request.source_name, listing_errors=[
                f"cannot start a crawl worker for {request.source_url}: {exc}"])
        ident = next(self._ids)
        future = worker.submit(ident, request)
        self._cancel_idle()
        try:
            return await future
        except asyncio.CancelledError:
            worker.cancel(ident)
            raise
        finally:
            self._arm_idle()

    async def _running_worker(self) -> _Worker:
        async with self._starting:
            if self._worker is None or self._worker.exited:
                self._worker = await _Worker.start(self._options)
            return self._worker

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _arm_idle(self) -> None:
        worker = self._worker
        if worker is None or worker.pending or self._stopping:
            return
        self._cancel_idle()
        self._idle = asyncio.get_running_loop().call_later(self._idle_after, self._retire)

    def _retire(self) -> None:
        """Quiet for `idle_after`: stop the worker (its memory goes back to the system)."""
        self._idle = None
        worker = self._worker
        if worker is None or worker.pending:
            return
        self._worker = None
        if not worker.exited:
            log.info("crawl worker %d: no crawl for %.0f s, stopping it", worker.proc.pid,
                     self._idle_after)
        task = asyncio.get_running_loop().create_task(worker.close())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    def collect_between_crawls(self) -> None:
        """Nothing to do here: the worker froze its own start and collects before each of
        its crawls (scraper/crawl_worker.py); this process keeps no crawl's objects."""

    async def stop(self) -> None:
        """Abandon the crawls under way (their reports say `stopped=True`), stop the worker
        and refuse new crawls; no worker process is left behind."""
        self._stopping = True
        self._cancel_idle()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.abandon()
            await worker.close()
        await asyncio.gather(*self._retiring, return_exceptions=True)
