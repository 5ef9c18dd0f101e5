"""Worker: the daemon's poll path in a loop, in its own process; prints one JSON line.

`Monitor.build` + `SourcePoller.poll` is exactly what the daemon's poll job runs (Scrapy
in-process on the asyncio reactor, the real database); only APScheduler's timer is left out
so that 1,000 polls take a minute, not hours. The replica runs in another process, so
`time.process_time()` here is the poll's own CPU.

With `--daemon` the loop runs inside the daemon as `csto-monitor run` builds it: its
scheduler started, its services (HTTP server; the bot when configured) serving, and each
poll is the daemon's poll job (poll, then delivery), so RSS counts what the daemon imports.

The monitor is built as the daemon builds it (`csto_monitor.daemon.build_monitor`: crawls in
a worker process) where the tree has it, else in process (older commits). CPU counts this
process and its children (the crawl worker: live ones from /proc, exited ones from
`os.times()`); RSS is this process's, and the worker's apart ("worker_rss").

With `--changed N` it measures changed polls instead: it starts the replica itself (on the
configured port, N articles held back), and N times publishes one and polls (CPU of that
poll, the worker's included), then polls again (the re-read that follows, not timed).
`--cold` stops the crawl worker after every crawl (each changed poll starts one, as when
changes come further apart than its idle time).

    .venv/bin/python -m bench.poll_loop CONFIG POLLS [--access-log PATH] [--daemon]
        [--changed N [--cold]]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import rss_mb, start_replica, stop


def log_totals(path: Path | None) -> tuple[int, int]:
    """(requests, bytes) the replica has answered so far, from its access log."""
    if path is None or not path.exists():
        return 0, 0
    lines = path.read_text(encoding="utf-8").splitlines()
    return len(lines), sum(int(line.rsplit(" ", 1)[1]) for line in lines)


def _read(path: str) -> str:
    """A /proc file's text. Not through pathlib: `Path` interns each part of a path
    (`sys.intern`), and every PID of the machine, read on every poll, grew the
    interpreter's table of interned strings: its resizes (a ~1.9 MB block each, kept by
    malloc) were the ~4 MB of "growth" this loop used to report (tracemalloc)."""
    with open(path, encoding="ascii") as file:
        return file.read()


def _children(zombies: bool = False) -> list[int]:
    """This process's children (the crawl worker), from /proc: live ones, or also those
    exited but not reaped yet."""
    me, found = str(os.getpid()), []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = _read(f"{entry.path}/stat").rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[1] == me and (zombies or stat[0] != "Z"):
                found.append(int(entry.name))
    return found


def _schedstat_cpu(pid: int) -> float:
    """CPU seconds of a live process, all its threads (ns resolution)."""
    total = 0
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            total += int(_read(f"{task.path}/schedstat").split()[0])
    except OSError:  # exited meanwhile: os.times() has it once reaped
        pass
    return total / 1e9


def children_cpu() -> float:
    """CPU seconds of this process's children: live ones and those reaped."""
    times = os.times()
    return (times.children_user + times.children_system
            + sum(_schedstat_cpu(pid) for pid in _children()))


def _build(settings: Any, cold: bool) -> Any:
    """The monitor as the daemon builds it (as `Monitor.build` did before the worker)."""
    try:
        from csto_monitor.daemon import build_monitor
    except ImportError:
        from csto_monitor.runtime import Monitor

        return Monitor.build(settings)
    if not cold:
        return build_monitor(settings)
    from csto_monitor.runtime import Monitor
    from monitor.crawl_settings import crawl_options
    from scraper.worker_crawler import ProcessCrawler

    return Monitor.build(settings, inner=ProcessCrawler(crawl_options(settings),
                                                        idle_after=0.0))


async def _shutdown(monitor: Any) -> None:
    await monitor.crawler.stop()
    import sys

    if "twisted.internet.reactor" in sys.modules:  # a tree that crawled in process
        from scraper.reactor import shutdown_reactor

        shutdown_reactor()  # or the reactor's thread pool keeps the process alive


async def poll_loop(config: Path, polls: int, access_log: Path | None,
                    daemon: bool = False) -> dict[str, Any]:
    from core.config import load_settings

    settings = load_settings(config, env={})
    monitor = _build(settings, cold=False)
    spec = settings.sources[0]
    poll = monitor.poller.poll
    running = await _start_daemon(monitor) if daemon else None
    if running is not None:
        poll = _daemon_poll(running)
    try:
        first = await monitor.poller.poll(spec)  # stores the listing silently
        if first.outcome != "baseline":
            raise RuntimeError(f"first poll: {first.line()}")
        await poll(spec)  # the first conditional poll
        _freeze_startup_objects(monitor)  # as the daemon does once started
        return await _timed_polls(poll, spec, polls, access_log)
    finally:
        if running is not None:
            await running.stop()
        await _shutdown(monitor)


def _freeze_startup_objects(monitor: Any) -> None:
    try:
        from csto_monitor.daemon import freeze_startup_objects
    except ImportError:  # bench.startup runs this loop on older commits too
        return
    freeze_startup_objects(monitor)


async def _start_daemon(monitor: Any) -> Any:
    """The daemon with its scheduler and services running, but no poll job of its own:
    the loop polls instead, through the same job function."""
    import csto_monitor.cli  # noqa: F401  (`csto-monitor run` starts through the CLI)
    from csto_monitor.daemon import Daemon

    daemon = Daemon(monitor)
    daemon.scheduler.start()
    for service in daemon.services:
        await service.start()
    return daemon


def _daemon_poll(daemon: Any) -> Any:
    async def poll(spec: Any) -> Any:
        await daemon.poll_job(spec)
        return None

    return poll


async def _timed_polls(poll: Any, spec: Any, polls: int,
                       access_log: Path | None) -> dict[str, Any]:
    rss: dict[str, float] = {"0": rss_mb()}
    cpu, outcomes = [], set()
    requests_before, bytes_before = log_totals(access_log)
    for n in range(1, polls + 1):
        kids = children_cpu()  # first: reading /proc is not the poll's CPU
        before = time.process_time()
        outcome = await poll(spec)
        own = time.process_time() - before
        cpu.append(own + children_cpu() - kids)
        outcomes.add(outcome.outcome if outcome is not None else "polled by the daemon's job")
        if n % 100 == 0 or n == polls:
            rss[str(n)] = rss_mb()
    requests_after, bytes_after = log_totals(access_log)
    return {"cpu": cpu, "rss": rss, "outcomes": sorted(outcomes),
            "worker_rss": sum(rss_mb(pid) for pid in _children()),
            "requests": (requests_after - requests_before) / polls,
            "bytes": (bytes_after - bytes_before) / polls}


async def changed_polls(config: Path, rounds: int, cold: bool) -> dict[str, Any]:
    """CPU of `rounds` polls that each find one new article (see the module's docstring)."""
    from core.config import load_settings

    settings = load_settings(config, env={})
    port = int(str(settings.sources[0].url).split(":")[2].split("/")[0])
    replica = start_replica(port, 45, "--hold-back", str(rounds))
    monitor = _build(settings, cold)
    spec = settings.sources[0]
    cpu, outcomes = [], []
    try:
        await monitor.poller.poll(spec)  # the baseline
        await monitor.poller.poll(spec)  # the re-read that follows the first poll
        for _ in range(rounds):
            _publish(replica)
            kids = children_cpu()
            before = time.process_time()
            outcome = await monitor.poller.poll(spec)
            own = time.process_time() - before
            await _reaped(cold)
            cpu.append(own + children_cpu() - kids)
            outcomes.append(f"{outcome.outcome} ({outcome.new} new)")
            await monitor.poller.poll(spec)
    finally:
        await _shutdown(monitor)
        stop(replica)
    return {"cpu": cpu, "outcomes": sorted(set(outcomes))}


def _publish(replica: subprocess.Popen[bytes]) -> None:
    assert replica.stdout is not None
    os.kill(replica.pid, signal.SIGUSR1)
    line = replica.stdout.readline().decode()  # once the article is live
    if not line.startswith("published http"):
        raise RuntimeError(f"replica did not publish: {line!r}")


async def _reaped(cold: bool) -> None:
    """With `--cold`, wait until the poll's worker has exited and been reaped (its CPU is
    then in os.times())."""
    deadline = time.monotonic() + 10
    while cold and _children(zombies=True) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("polls", type=int)
    parser.add_argument("--access-log", type=Path)
    parser.add_argument("--daemon", action="store_true",
                        help="inside the daemon: scheduler and services running")
    parser.add_argument("--changed", type=int, default=0, metavar="N",
                        help="measure N changed polls instead (starts the replica)")
    parser.add_argument("--cold", action="store_true",
                        help="with --changed: a new crawl worker for every crawl")
    args = parser.parse_args()
    if args.changed:
        result = asyncio.run(changed_polls(args.config, args.changed, args.cold))
    else:
        result = asyncio.run(poll_loop(args.config, args.polls, args.access_log, args.daemon))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
