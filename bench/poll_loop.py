"""Worker: the daemon's poll path in a loop, in its own process; prints one JSON line.

`Monitor.build` + `SourcePoller.poll` is exactly what the daemon's poll job runs (Scrapy
in-process on the asyncio reactor, the real database); only APScheduler's timer is left out
so that 1,000 polls take a minute, not hours. The replica runs in another process, so
`time.process_time()` here is the poll's own CPU.

With `--daemon` the loop runs inside the daemon as `csto-monitor run` builds it: its
scheduler started, its services (HTTP server; the bot when configured) serving, and each
poll is the daemon's poll job (poll, then delivery), so RSS counts what the daemon imports.

    .venv/bin/python -m bench.poll_loop CONFIG POLLS [--access-log PATH] [--daemon]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from bench.common import rss_mb


def log_totals(path: Path | None) -> tuple[int, int]:
    """(requests, bytes) the replica has answered so far, from its access log."""
    if path is None or not path.exists():
        return 0, 0
    lines = path.read_text(encoding="utf-8").splitlines()
    return len(lines), sum(int(line.rsplit(" ", 1)[1]) for line in lines)


async def poll_loop(config: Path, polls: int, access_log: Path | None,
                    daemon: bool = False) -> dict[str, Any]:
    from core.config import load_settings
    from csto_monitor.runtime import Monitor
    from scraper.reactor import shutdown_reactor

    settings = load_settings(config, env={})
    monitor = Monitor.build(settings)
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
        close = getattr(monitor.crawler, "close", None)  # older commits have none
        if close is not None:
            await close()
        shutdown_reactor()  # or the reactor's thread pool keeps the process alive


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
        before = time.process_time()
        outcome = await poll(spec)
        cpu.append(time.process_time() - before)
        outcomes.add(outcome.outcome if outcome is not None else "polled by the daemon's job")
        if n % 100 == 0 or n == polls:
            rss[str(n)] = rss_mb()
    requests_after, bytes_after = log_totals(access_log)
    return {"cpu": cpu, "rss": rss, "outcomes": sorted(outcomes),
            "requests": (requests_after - requests_before) / polls,
            "bytes": (bytes_after - bytes_before) / polls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("polls", type=int)
    parser.add_argument("--access-log", type=Path)
    parser.add_argument("--daemon", action="store_true",
                        help="inside the daemon: scheduler and services running")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(poll_loop(args.config, args.polls, args.access_log,
                                           args.daemon))))


if __name__ == "__main__":
    main()
