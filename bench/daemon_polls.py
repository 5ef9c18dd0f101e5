"""Daemon poll path: memory over 1,000 idle polls, CPU and requests per idle poll.

Runs the daemon's own poll path (`Monitor.build` + `SourcePoller.poll`, Scrapy in-process
on the asyncio reactor, real SQLite) in a loop against the site replica served by a
separate process, so the replica's CPU is not counted. Compares with `csto-monitor check`
as a whole process (what one poll costs without a daemon).

    .venv/bin/python -m bench.daemon_polls [--polls 1000] [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def start_replica(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.replica", "--port", str(port),
                             "--items", "45"], cwd=ROOT, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()  # "replica (...): URL" once it listens
    return proc


def write_config(folder: Path, port: int) -> Path:
    config = {
        "database_url": f"sqlite:///{folder / 'bench.db'}",
        "sources": [{"name": "csto-en", "url": f"http://127.0.0.1:{port}/news/",
                     "language": "en", "pages": 2}],
        "crawl": {"download_delay": "0s", "autothrottle": False, "recheck_interval": "30d"},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def poll_loop(config: Path, polls: int) -> dict[str, Any]:
    from monitor.app import Monitor
    from monitor.config import load_settings
    from scraper.reactor import shutdown_reactor

    settings = load_settings(config, env={})
    monitor = Monitor.build(settings)
    try:
        return await _polls(monitor, settings.sources[0], polls)
    finally:
        shutdown_reactor()  # or the reactor's thread pool keeps the process alive


async def _polls(monitor: Any, spec: Any, polls: int) -> dict[str, Any]:
    first = await monitor.poller.poll(spec)  # baseline: stores the listing silently
    assert first.outcome == "baseline", first.line()
    await monitor.poller.poll(spec)  # warm: first conditional poll
    marks: dict[str, float] = {"start": rss_mb()}
    cpu, requests, outcomes = [], [], set()
    for n in range(1, polls + 1):
        before = time.process_time()
        outcome = await monitor.poller.poll(spec)
        cpu.append(time.process_time() - before)
        requests.append(outcome.requests)
        outcomes.add(outcome.outcome)
        if n % 100 == 0 or n == polls:
            marks[str(n)] = rss_mb()
    return {"rss": marks, "cpu": cpu, "requests": requests, "outcomes": sorted(outcomes)}


def check_process_cpu(config: Path, runs: int) -> list[float]:
    """CPU seconds (user + sys) of `csto-monitor check` as a whole process, per run."""
    cli = [sys.executable, "-m", "monitor.cli", "--config", str(config), "check"]
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cli, cwd=ROOT, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return samples


def machine() -> str:
    from importlib.metadata import version

    packages = ", ".join(f"{p} {version(p)}" for p in ("scrapy", "sqlalchemy", "twisted"))
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()},"
            f" {platform.system()} {platform.release()}; {packages}")


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0] * 1000:.1f} ms (one run)"
    qs = statistics.quantiles(values, n=20)
    return f"median {statistics.median(values) * 1000:.1f} ms (p5 {qs[0] * 1000:.1f}, " \
           f"p95 {qs[-1] * 1000:.1f})"


def report(result: dict[str, Any], check_cpu: list[float], polls: int) -> str:
    rss = result["rss"]
    growth = rss[str(polls)] - rss["start"]
    idle_cpu = statistics.median(result["cpu"])
    lines = [
        "## Daemon: idle polls, memory and CPU", "",
        f"Machine: {machine()}.", "",
        "Command: `.venv/bin/python -m bench.daemon_polls --polls "
        f"{polls} --markdown docs/benchmarks.md` (the daemon's poll path in a loop against "
        "the replica in another process; SQLite).", "",
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| requests per idle poll | {statistics.median(result['requests']):g} "
        f"(max {max(result['requests'])}), outcomes: {', '.join(result['outcomes'])} "
        "| 1, answered 304 |",
        f"| CPU per idle poll (in the daemon) | {spread(result['cpu'])} | — |",
        f"| CPU of `csto-monitor check` as a process | {spread(check_cpu)} | — |",
        f"| ratio daemon poll / `check` process | {idle_cpu / statistics.median(check_cpu):.3f}"
        " | ≤ 0.1 |",
        f"| RSS at start (after the first polls) | {rss['start']:.1f} MB | ≤ 130 MB |",
        f"| RSS after 100 polls | {rss['100']:.1f} MB | — |",
        f"| RSS every 100 polls | {' '.join(f'{v:.1f}' for k, v in rss.items())} MB | — |",
        f"| RSS after {polls} polls | {rss[str(polls)]:.1f} MB "
        f"(growth {growth:+.1f} MB) | growth < 3 MB |",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section in the doc, keeping the others."""
    heading = section.splitlines()[0]
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if heading in text:
        before, _, rest = text.partition(heading)
        after = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=1000)
    parser.add_argument("--check-runs", type=int, default=10)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    port = free_port()
    replica = start_replica(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp), port)
            result = asyncio.run(poll_loop(config, args.polls))
            check_cpu = check_process_cpu(config, args.check_runs)
    finally:
        replica.terminate()
        replica.wait()
    section = report(result, check_cpu, args.polls)
    print(section)
    if args.markdown:
        write_section(args.markdown, section)


if __name__ == "__main__":
    main()
