"""changedetection.io, the self-hosted monitor many would run instead: installed from the
package registry into its own virtual environment under `.bench/` (nothing of its code is
in this repository), run as its server, watching the replica's listing.

What it costs is read from outside, from /proc: CPU (utime + stime of its process tree)
over windows of checks it makes on its own (a watch rechecked every second, its shortest
interval), its background CPU with the watch paused, and its RSS (summed over its
processes) after those checks. The replica's access log counts its requests: each check
must be one request of the listing, or the run fails.

Kept on 127.0.0.1: the watch is added on its command line (`-u`), so the datastore has no
default watches (on a fresh install it adds two on public sites); DISABLE_VERSION_CHECK
stops the daily version check (a POST with the install's id and watch count); LLM features
are off and litellm reads its bundled price map (LITELLM_LOCAL_MODEL_COST_MAP, no fetch
at import); its server listens on 127.0.0.1. ALLOW_IANA_RESTRICTED_ADDRESSES lets it
fetch from 127.0.0.1 at all (refused by default, an SSRF guard). Its sockets are listed
after each window and any peer off loopback fails the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT, free_port, goal, median, spread, wait_port
from bench.poll_loop import log_totals
from bench.proc_tree import descendants, foreign_peers, tree_cpu, tree_rss_mb

VERSION = "0.60.10"
PACKAGE = f"changedetection.io=={VERSION}"
VENV = ROOT / ".bench" / f"changedetection-{VERSION}"
WINDOWS = (5, 20)  # a full run: 5 windows of 20 checks each
INTERVAL_S = 1  # its shortest recheck interval with MINIMUM_SECONDS_RECHECK_TIME=1
QUIET_ENV = {
    "DISABLE_VERSION_CHECK": "true",
    "LLM_FEATURES_DISABLED": "true",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "ALLOW_IANA_RESTRICTED_ADDRESSES": "true",
    "MINIMUM_SECONDS_RECHECK_TIME": str(INTERVAL_S),
    # Its default is DEBUG, a line per step; production images run at INFO or above.
    "LOGGER_LEVEL": "WARNING",
}


@dataclass
class Checks:
    """changedetection.io measured: per window of checks, CPU per check (gross, and less
    its background CPU over the same time), seconds per check, RSS after the window."""

    cpu: list[float] = field(default_factory=list)
    net_cpu: list[float] = field(default_factory=list)
    interval: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    idle_cpu_per_s: float = 0.0
    checks: int = 0  # its own check count over the windows
    requests: int = 0  # what the replica answered it over the same span
    bytes: int = 0
    total: int = 0  # its requests from its start to the last window's end
    processes: int = 0  # in its tree after the last window
    foreign: list[str] = field(default_factory=list)


def ensure_changedetection() -> Path:
    """Its executable, installing it on first use (about 2 minutes)."""
    executable = VENV / "bin" / "changedetection.io"
    if executable.exists():
        return executable
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet",
                    "--disable-pip-version-check", PACKAGE], check=True)
    return executable


@dataclass
class Server:
    """A running changedetection.io with one watch on the listing."""

    proc: subprocess.Popen[bytes]
    port: int
    datastore: Path

    def api(self, query: str) -> dict[str, object]:
        settings = json.loads((self.datastore / "changedetection.json").read_text())
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/watch/{self.watch()}{query}",
            headers={"x-api-key": settings["settings"]["application"]["api_access_token"]})
        with urllib.request.urlopen(request, timeout=30) as answer:
            result: dict[str, object] = json.loads(answer.read())
        return result

    def watch(self) -> str:
        return next(p.name for p in self.datastore.iterdir() if p.is_dir() and "-" in p.name)


def start(folder: Path, listing_url: str) -> Server:
    port, datastore = free_port(), folder / "changedetection"
    watch = {"fetch_backend": "html_requests", "include_filters": [".news-list"],
             "time_between_check": {"seconds": INTERVAL_S},
             "time_between_check_use_default": False}
    log = (folder / "changedetection.log").open("wb")
    proc = subprocess.Popen(
        [str(ensure_changedetection()), "-d", str(datastore), "-C", "-h", "127.0.0.1",
         "-p", str(port), "-u", listing_url, "-u0", json.dumps(watch)],
        cwd=folder, env={**os.environ, **QUIET_ENV}, stdout=log, stderr=log)
    wait_port(port, timeout=120)
    return Server(proc, port, datastore)


def wait_requests(access_log: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while log_totals(access_log)[0] < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"changedetection.io made fewer than {count} requests in "
                               f"{timeout:.0f} s (replica log {access_log})")
        time.sleep(0.02)


def measure_windows(server: Server, access_log: Path, windows: int, per_window: int,
                    result: Checks) -> None:
    """CPU and seconds per check over windows that start and end at a request."""
    pid = server.proc.pid
    for _ in range(windows):
        first = log_totals(access_log)[0] + 1
        wait_requests(access_log, first)
        cpu, started = tree_cpu(pid), time.monotonic()
        wait_requests(access_log, first + per_window)
        result.cpu.append((tree_cpu(pid) - cpu) / per_window)
        result.interval.append((time.monotonic() - started) / per_window)
        result.rss.append(tree_rss_mb(pid))
        result.foreign += foreign_peers(pid)
    result.processes = len(descendants(pid))


def measure_idle(server: Server, access_log: Path, seconds: float) -> float:
    """Its CPU per second with the watch paused (server, scheduler, workers waiting)."""
    server.api("?paused=paused")
    time.sleep(2)  # a check under way ends
    requests, pid = log_totals(access_log)[0], server.proc.pid
    cpu = tree_cpu(pid)
    time.sleep(seconds)
    idle = (tree_cpu(pid) - cpu) / seconds
    if log_totals(access_log)[0] != requests:
        raise RuntimeError("changedetection.io requested the listing while paused")
    return idle


def measure(folder: Path, listing_url: str, access_log: Path, windows: int,
            per_window: int, idle_s: float = 20.0) -> Checks:
    """Start it, let it store the listing, then measure; stopped whatever happens."""
    start_requests = log_totals(access_log)[0]
    server = start(folder, listing_url)
    result = Checks()
    try:
        wait_requests(access_log, start_requests + 3)  # stored, then rechecked: warm
        checks, (requests, sent) = _check_count(server), log_totals(access_log)
        measure_windows(server, access_log, windows, per_window, result)
        result.checks = _check_count(server) - checks
        after_requests, after_sent = log_totals(access_log)
        result.requests, result.bytes = after_requests - requests, after_sent - sent
        result.total = after_requests - start_requests
        result.idle_cpu_per_s = measure_idle(server, access_log, idle_s)
        result.net_cpu = [cpu - result.idle_cpu_per_s * gap
                          for cpu, gap in zip(result.cpu, result.interval, strict=True)]
    finally:
        server.proc.terminate()
        try:
            server.proc.wait(20)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    _verify(result)
    return result


def _check_count(server: Server) -> int:
    return int(str(server.api("")["check_count"]))


def _verify(result: Checks) -> None:
    if result.foreign:
        raise RuntimeError(f"changedetection.io reached beyond 127.0.0.1: {result.foreign}")
    # The API's count is read before the first window and after the last: a check may
    # be under way at either end, hence one either way.
    if abs(result.requests - result.checks) > 1:
        raise RuntimeError(f"changedetection.io counted {result.checks} checks but the "
                           f"replica answered it {result.requests} requests")


def figures(result: Checks) -> list[tuple[str, str]]:
    """Its rows for a section's tables: (figure, value)."""
    gap = median(result.interval)
    return [
        ("changedetection.io: CPU per check (its process tree, /proc)", spread(result.cpu)),
        ("changedetection.io: CPU per check less its background CPU",
         spread(result.net_cpu)),
        ("changedetection.io: background CPU (watch paused)",
         f"{result.idle_cpu_per_s * 1000:.1f} ms per second"),
        ("changedetection.io: requests / bytes per check",
         f"{result.requests / max(result.checks, 1):.2f} / "
         f"{result.bytes / max(result.requests, 1):.0f} B (checks counted by its API: "
         f"{result.checks}, requests by the replica: {result.requests}; median {gap:.2f} s apart)"),
        (f"changedetection.io: RSS after each window ({_checks_in_all(result)} checks in all; "
         f"{result.processes} process{'es' if result.processes > 1 else ''})",
         spread(result.rss, "MB", 1)),
    ]


def _checks_in_all(result: Checks) -> int:
    return result.total


def cpu_goal(ours: float, result: Checks, what: str) -> str:
    """The goal row: our median CPU per idle poll below its median CPU per check (less its
    background, so that both are the work of one check)."""
    theirs = median(result.net_cpu)
    ratio = ours / theirs if theirs > 0 else float("inf")
    return (f"| {what} / changedetection.io's CPU per check (less background; medians) | "
            f"{ratio:.2f} ({ours * 1000:.1f} ms / {theirs * 1000:.1f} ms) | "
            f"< 1: {goal(ratio < 1)} |")


def rss_goal(ours: float, result: Checks, what: str) -> str:
    """The goal row: our RSS below its RSS after its checks (median over the windows)."""
    theirs = median(result.rss)
    return (f"| {what} / changedetection.io's RSS after {_checks_in_all(result)} checks | "
            f"{ours / theirs:.2f} ({ours:.1f} MB / {theirs:.1f} MB) | "
            f"< 1: {goal(ours < theirs)} |")


SETUP = (f"changedetection.io ({PACKAGE}, its own venv under `.bench/`, its server on "
         "127.0.0.1, one watch on the same listing: plain HTTP fetcher, CSS filter "
         f"`.news-list`, rechecked every {INTERVAL_S} s) is measured from /proc after the "
         "others, alone on the replica: CPU (utime + stime of its process tree) over windows "
         "of checks that start and end at a request in the replica's access log, its "
         "background CPU with the watch paused (subtracted for \"less background\"), RSS "
         "summed over its processes after each window; each check must be one request "
         "(its API's check count against the replica's log). Kept on loopback by its "
         "settings (DISABLE_VERSION_CHECK, no default watches, LLM features off, litellm's "
         "bundled price map, LOGGER_LEVEL=WARNING) and checked: after each window no socket "
         "of its tree had a peer off 127.0.0.1.")
