"""Benchmarks 1 and 6: an idle poll (requests, bytes, CPU) beside urlwatch, and memory.

One replica process serves an unchanged listing; measured against it, in one run:
- the daemon's poll path, 1,000 polls in a worker process (bench/poll_loop.py),
- urlwatch checking the same listing, one whole process per check (its normal use),
- `csto-monitor check`, one whole process per poll.

    .venv/bin/python -m bench.idle_poll [--quick] [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.changedetection_peer import SETUP, WINDOWS, cpu_goal, figures, rss_goal
from bench.changedetection_peer import measure as measure_changedetection
from bench.common import (
    PYTHON,
    ROOT,
    free_port,
    goal,
    median,
    run_alone,
    run_cpu,
    spread,
    start_replica,
    stop,
)
from bench.poll_loop import log_totals
from bench.urlwatch_peer import URLWATCH, urlwatch_env, write_jobs

COMMAND = ".venv/bin/python -m bench.idle_poll --markdown docs/benchmarks.md"


@dataclass
class Process:
    """Whole-process runs of one command: CPU, peak RSS, requests and bytes per run."""

    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)

    def run(self, command: list[str], access_log: Path, **kwargs: Any) -> None:
        requests, sent = log_totals(access_log)
        cpu, rss = run_cpu(command, cwd=ROOT, **kwargs)
        requests_after, sent_after = log_totals(access_log)
        self.cpu.append(cpu)
        self.rss.append(rss)
        self.requests.append(requests_after - requests)
        self.bytes.append(sent_after - sent)


def write_config(folder: Path, port: int) -> Path:
    config = {
        "database_url": f"sqlite:///{folder / 'bench.db'}",
        "sources": [{"name": "csto-en", "url": f"http://127.0.0.1:{port}/news/",
                     "language": "en"}],
        # No full re-read during the run: that one is every 6 h by default, not idle.
        "crawl": {"download_delay": "0s", "autothrottle": False, "recheck_interval": "30d"},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def measure(folder: Path, polls: int, runs: int, windows: tuple[int, int]) -> dict[str, Any]:
    port, access_log = free_port(), folder / "access.log"
    replica = start_replica(port, 45, "--access-log", str(access_log))
    try:
        config = write_config(folder, port)
        # Migrated beforehand, as `make run` and the image do (`db upgrade`, then `run`):
        # migrating inside the loop would count Alembic's ~9 MB in the poller's RSS.
        subprocess.run([PYTHON, "-m", "csto_monitor.cli", "--config", str(config), "db",
                        "upgrade"], cwd=ROOT, check=True, capture_output=True)
        loop = subprocess.run([PYTHON, "-m", "bench.poll_loop", str(config), str(polls),
                               "--access-log", str(access_log)],
                              cwd=ROOT, check=True, capture_output=True, text=True)
        daemon = json.loads(loop.stdout.splitlines()[-1])
        watch, check = Process(), Process()
        urlwatch = write_jobs(folder, f"http://127.0.0.1:{port}/news/")
        run_cpu(urlwatch, env=urlwatch_env(folder))  # its first run stores the page
        cli = [PYTHON, "-m", "csto_monitor.cli", "--config", str(config), "check"]
        for _ in range(runs):  # interleaved, so that noise hits both alike
            watch.run(urlwatch, access_log, env=urlwatch_env(folder))
            check.run(cli, access_log)
        # Last and alone on the replica: its requests are counted from the access log.
        peer = measure_changedetection(folder, f"http://127.0.0.1:{port}/news/", access_log,
                                       *windows)
    finally:
        stop(replica)
    return {"daemon": daemon, "urlwatch": watch, "check": check, "changedetection": peer}


def idle_section(result: dict[str, Any], polls: int) -> str:
    daemon, watch, check = result["daemon"], result["urlwatch"], result["check"]
    poll_cpu, watch_cpu = median(daemon["cpu"]), median(watch.cpu)
    ratio = poll_cpu / watch_cpu
    one_304 = daemon["requests"] == 1 and daemon["outcomes"] == ["not_modified"]
    return "\n".join([
        "## 1. Idle poll", "",
        f"Command: `{COMMAND}`. The replica serves an unchanged 45-item listing (its own "
        f"process, SQLite). Daemon: {polls} polls through its poll path "
        "(`bench/poll_loop.py`); urlwatch "
        f"({URLWATCH}, its own venv under `.bench/`, job = the listing's news block as text) and "
        f"`csto-monitor check`: {len(watch.cpu)} whole-process runs each, interleaved. "
        + SETUP, "",
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| daemon: requests per idle poll | {daemon['requests']:g}, outcomes: "
        f"{', '.join(daemon['outcomes'])} | 1, answered 304: {goal(one_304)} |",
        f"| daemon: bytes received per idle poll | {daemon['bytes']:.0f} B | — |",
        f"| urlwatch: requests / bytes per check | {median(watch.requests):g} / "
        f"{median(watch.bytes):.0f} B | — |",
        f"| `check` process: requests / bytes per run | {median(check.requests):g} / "
        f"{median(check.bytes):.0f} B | — |",
        f"| daemon: CPU per idle poll | {spread(daemon['cpu'])} | ≤ 10 ms: "
        f"{goal(poll_cpu <= 0.010)} |",
        cpu_goal(poll_cpu, result["changedetection"], "daemon: CPU per idle poll"),
        f"| urlwatch: CPU per check (whole process) | {spread(watch.cpu)} | — |",
        *[f"| {figure} | {value} | — |" for figure, value in figures(result["changedetection"])
          if "RSS" not in figure],
        f"| `csto-monitor check`: CPU (whole process) | {spread(check.cpu)} | — |",
        f"| ratio daemon poll / urlwatch check | {ratio:.3f} | ≤ 0.1: {goal(ratio <= 0.1)} |",
        f"| ratio `check` process / urlwatch process | {median(check.cpu) / watch_cpu:.1f} "
        "| — |", "", IDLE_READING, ""])


IDLE_READING = """Reading: both tools spend one conditional request per idle check, answered 304
(urlwatch sends the ETag it stored; `check` also fetches robots.txt, which the daemon
caches for a day). Inside the running daemon an idle poll costs a few percent of one
urlwatch run, whose cost is mostly starting Python and importing requests and lxml; a
`csto-monitor check` process costs a few times more than urlwatch's, for the same
reason at a larger scale (SQLAlchemy, pydantic, the settings and ORM models; section 12
has the profile), which is why the daemon, not cron + `check`, is the way to run it.

Before/after: before the daemon issue the idle poll took a median of 26 ms; py-spy put
42 % of it in `Crawler.__init__` deep-copying Scrapy's settings, now copied by pickling
(`scraper.settings.CrawlSettings`), and the poll reads only the newest items (section
3). Issue 23, first part: a 304 poll no longer runs the divergence check (only after a
poll that may have recorded an edit or a pair, once the earliest pending edit can have
come due, and every 10 min), nor the revisit bookkeeping when it read no page; the
daemon keeps each source's learnt rhythm between polls: 26 -> 17.5 ms. cProfile of 200
idle polls then: building and running a Scrapy crawl for the one request ~50 % (a new
Crawler, engine, downloader and middlewares per poll; `inspect.signature` in
`build_from_crawler`, Twisted's HTTP client), the database ~35 % (scheduling unscheduled
revisits, an UPDATE and a SELECT, on every poll; the source row read twice; the newest
items' window and the recent listing sizes; the crawl run's row).
Issue 23, second part (`scraper/idle.py`): the listing's conditional GET is made by an
aiohttp client the process keeps, robots.txt checked with Protego against the process's
copy (fetched once a day, shared with Scrapy's middleware); a 304 ends the poll without
a Scrapy crawl, and any other answer is handed to the spider with the crawl request
(`scraper/middlewares/prefetched.py`), so a changed listing is still fetched once and its
retries, redirects and errors are Scrapy's. Scrapy and Twisted are imported at the first
poll with something to read (a `check` of an unchanged site never imports them). An idle
poll also keeps the known window and gives revisit schedules only after a poll of this
process that read the listing, when the source's validators moved, or every 10 min; the
daemon's poll job delivers only after a poll that announced something (the delivery job
keeps the retries). Before/after in one run (`bench/poll_loop.py` of main, then of this
tree, interleaved, 2 x 300 polls): median 14.4 ms (min 10.1, max 27.4) -> 4.0 ms (min
3.0, max 9.5). cProfile of 300 idle polls now (~17 % of the profile is the loop waiting
for the replica): SQLAlchemy ~58 % of the CPU (the crawl run's INSERT and the source's
UPDATE with their commit ~19 %, the source row read twice ~17 %, the attached files'
validators ~11 %, the due revisits ~8 %), the request through aiohttp ~12 %, the event
loop ~5 %. What is left is the poll's record (one small transaction) and its reads of
the source's state, which one query could gather.

changedetection.io (issue 23), watching the same listing in the same run (its rows above):
it sends no validators, so each check is a whole GET of the listing (12 KB answered 200,
where the daemon and urlwatch get a 304 of 177 B). Its CPU per check is read from /proc
around windows of checks it makes on its own, less its background (its server, scheduler
and workers waiting, measured with the watch paused). It runs at LOGGER_LEVEL=WARNING: its
default, DEBUG, logs every step and cost ~3 ms more per check in a separate run of the same
harness. In this round's runs before the idle GET (branch cdio-bench, 3 runs, load 3 to
10) it spent 9 to 11 ms per check less its background, 13 to 17 ms with it, and the poll
path 1.7x to 1.8x that; with the idle GET merged (this table's run) 8.8 against 11.5 ms,
0.76x: met. A check there is a `requests` GET, the CSS filter, text
extraction and an MD5 comparison with the previous check, in a process that stays
loaded."""


def memory_section(result: dict[str, Any], polls: int) -> str:
    rss, check, watch = result["daemon"]["rss"], result["check"], result["urlwatch"]
    start, end = rss["0"], rss[str(polls)]
    growth = end - start
    return "\n".join([
        "## 6. Memory", "",
        f"Command: `{COMMAND}` (the same run as the idle poll). RSS of the worker running "
        "the daemon's poll path, read from /proc after the baseline and the first "
        "conditional poll (\"start\"), then every 100 polls; peak RSS of whole processes "
        "from wait4(); changedetection.io's as in section 1.", "",
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| daemon RSS at start | {start:.1f} MB | ≤ 100 MB: {goal(start <= 100)} |",
        f"| daemon RSS after {polls} polls | {end:.1f} MB (growth {growth:+.1f} MB) | "
        f"growth ≤ 3 MB: {goal(growth <= 3)}; ≤ 100 MB: {goal(end <= 100)} |",
        f"| daemon RSS every 100 polls | {' '.join(f'{v:.1f}' for v in rss.values())} MB | — |",
        f"| daemon RSS growth after warm-up (polls 200 to {polls}) | "
        f"{_steady_growth(rss, polls)} | — |",
        "| crawl worker RSS after the polls (started by the baseline's crawl; idle polls do "
        "not crawl; it stops 10 min after the last crawl) | "
        f"{result['daemon'].get('worker_rss', 0.0):.1f} MB | — |",
        f"| `csto-monitor check` peak RSS | {spread(check.rss, 'MB', 1)} | — |",
        f"| urlwatch check peak RSS | {spread(watch.rss, 'MB', 1)} | — |",
        *[f"| {figure} | {value} | — |" for figure, value in figures(result["changedetection"])
          if "RSS" in figure],
        rss_goal(end, result["changedetection"], f"daemon RSS after {polls} polls"), "",
        MEMORY_READING, ""])


def _steady_growth(rss: dict[str, float], polls: int) -> str:
    if "200" not in rss or polls <= 200:
        return "— (fewer than 200 polls)"
    return f"{rss[str(polls)] - rss['200']:+.1f} MB"


MEMORY_READING = """Reading (issue 23, the daemon's memory): the "growth" of the earlier runs
below was this benchmark's own. Its loop read every process's /proc/PID/stat through
pathlib at each poll; `Path` interns each part of a path, and the interned-strings
table's resizes (a 1.9 MB block each, kept by malloc) made the two steps of ~1.9 MB over
the first 300 polls. It reads /proc with `open()` now: +0.5 MB over 1,000 polls, about
half of it SQLite's page cache holding the crawl log each poll appends (capped by SQLite's
`cache_size`). The daemon is also ~3.5 MB smaller here, since the settings' patterns are
ASCII (section 12 has the profile; the HTTP server's lazy pages do not run in this loop).

Reading (issue 23, the crawl worker): the daemon's crawls now run in a worker
process (`scraper/crawl_worker.py`, section 12 has what each import cost), so the process
that polls holds ~40 MB less (123.9 MB at start in the run before this change, same
loop); the worker (its row above) runs while crawls keep coming, here every poll, since
every idle poll still crawls, and exits after 10 min without one. The daemon grows ~4 MB
over its first 200 polls, then ~0.5 MB over the next 800: tracemalloc sees ~50 KB of
Python-level growth over 300 polls (the pickled requests and reports, SQLAlchemy's pool),
so it is the allocator's high-water mark of the first polls, not a leak; collecting
before each crawl, as the daemon did for Scrapy's reference cycles, did not change it
(+3.6 MB over 400 polls, tried) and was left out. The 3 MB growth goal is missed by that
warm-up; the growth after it is in the table.

Earlier (Scrapy in the daemon): RSS was flat from the first polls on. Until issue 16 it
rose by 4 to 5 MB over the first 200 polls, then levelled off: each poll's Scrapy
objects (crawler, engine, middlewares, stats) hold reference cycles that only full
collections free, and those come rarely, so a few hundred polls' garbage piled up in
pymalloc's arenas before being freed (tracemalloc saw ~0.3 MB of Python-level growth;
`malloc_trim`, `MALLOC_ARENA_MAX=1` and a smaller SQLite cache changed nothing). Now the
daemon, once started, freezes the objects of its start (`gc.freeze()`,
`csto_monitor/daemon.py`) and its crawler collects before each crawl: with the start
frozen a collection costs ~0.5 ms (a full one without the freeze, ~100 ms), CPU per idle
poll is unchanged, and one poll's garbage is freed before the next allocates. The worker
here (`bench/poll_loop.py`) runs the poll path alone, on a database migrated beforehand by
`db upgrade` as `make run` does (until this round it migrated a new database itself, and
Alembic's ~9 MB were in this table), and freezes after its first conditional poll as the
daemon does after its start; section 12 measures the daemon as `run` builds it (its
scheduler and HTTP server running).

changedetection.io (issue 23) holds its memory in one process (its row above: flat from
window to window, 85 to 86 MB in every run of this round); the goal "below
changedetection.io" asks for a daemon under that, stricter than ≤ 100 MB. The previous
run of this table (crawl worker merged, Alembic in the loop, the bench's own growth):
98.2 against 85.8 MB, 1.14x; the table above has this tree's."""


def run(quick: bool = False) -> str:
    polls, runs = (50, 2) if quick else (1000, 7)
    windows = (3, 5) if quick else WINDOWS  # changedetection.io: windows x checks each
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(Path(tmp), polls, runs, windows)
    return idle_section(result, polls) + "\n" + memory_section(result, polls)


def main() -> None:
    run_alone(run, __doc__)


if __name__ == "__main__":
    main()
