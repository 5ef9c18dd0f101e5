"""Benchmark 14: issue 24's long run — a busy day of formulaic titles, re-slugs mixed in.

One day's stories with the CSTO's formulaic titles ("CSTO Secretary General met with the
Ambassador of …", "A meeting of the CSTO Council of … was held in …", "Consultations of
representatives of the CSTO member states on …") are published one per poll onto a replica
with page furniture and a small listing (10 a page, `pages: 2`), with real body edits and
real re-slugs (the old URL answering 404, or 301 to the new URL) mixed in
(tests/noise/long_run.py; tests/noise/test_long_run.py runs the same day with the real
`check` on both databases). Every poll re-reads the listed pages, on SQLite, in-process as
the daemon's poll job runs it. Every publication must give one `new` event, every edit and
re-slug one `edited` event, and nothing else.

    .venv/bin/python -m bench.reslug_long_run [--quick] [--markdown docs/benchmarks.md]

The polls run in a worker process of their own (`--worker`), as in bench/edit_detection.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import DOC, PYTHON, ROOT, goal, write_sections

COMMAND = "`.venv/bin/python -m bench.reslug_long_run --markdown docs/benchmarks.md`"
PUBLICATIONS = 60
QUICK = 20
EDGE = 5  # polls averaged at the start and at the end


def worker(publications: int) -> dict[str, Any]:
    from scraper.reactor import ensure_reactor, shutdown_reactor
    from tests.noise.furniture import FurnishedReplica
    from tests.noise.harness import Poller, settings_for
    from tests.noise.long_run import LongRun, busy_world, judge

    loop = asyncio.new_event_loop()

    async def start() -> None:
        ensure_reactor()

    loop.run_until_complete(start())
    world = busy_world()
    cpu, requests = [], []
    try:
        with tempfile.TemporaryDirectory() as folder, \
                FurnishedReplica(world, markup="bitrix") as replica:
            url = f"sqlite:///{folder}/bench.db"
            source = {"name": "csto-en", "url": replica.listing_url, "language": "en",
                      "pages": 2, "recheck_latest": 10}
            settings = settings_for(replica, url, sources=[source])
            poller = Poller(loop.run_until_complete, settings)
            poller.poll()  # the baseline
            run = LongRun(world, replica.url)
            for n in range(publications):
                run.step(n)
                started = time.process_time()
                outcome = poller.poll()
                cpu.append(time.process_time() - started)
                requests.append(outcome.requests)
            verdict = judge(url, world, run)
            poller.monitor.sessions.kw["bind"].dispose()
    finally:
        shutdown_reactor()
    return {"publications": publications, "edits": len(run.expected.edits),
            "reslugs_404": sum(how == "404" for *_, how in run.expected.reslugs),
            "reslugs_redirect": sum(how == "redirect" for *_, how in run.expected.reslugs),
            "events": dict(verdict.events), "false": verdict.false_events,
            "misplaced": verdict.misplaced, "cpu": cpu, "requests": requests}


def report(result: dict[str, Any], quick: bool) -> str:
    events, cpu, requests = result["events"], result["cpu"], result["requests"]
    reslugs = result["reslugs_404"] + result["reslugs_redirect"]
    start, end = sum(cpu[:EDGE]) / EDGE, sum(cpu[-EDGE:]) / EDGE
    clean = not result["false"] and not result["misplaced"]
    lines = [
        "## 14. Re-slugs on a busy day of formulaic titles", "",
        f"Reproduce: {COMMAND}{' (--quick)' if quick else ''}.", "",
        f"{result['publications']} stories published on one day, one per poll, onto a "
        "furnished replica listing 10 a page (`pages: 2`), with "
        f"{result['edits']} body edits and {reslugs} re-slugs "
        f"({result['reslugs_404']} with the old URL answering 404, "
        f"{result['reslugs_redirect']} with a 301 to the new URL; half of them with the "
        "title lightly edited too).", "",
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| publications / `new` events | {result['publications']} / {events.get('new', 0)} "
        f"| equal: **{'met' if events.get('new', 0) == result['publications'] else 'MISSED'}"
        "** |",
        f"| edits + re-slugs / `edited` events | {result['edits']} + {reslugs} / "
        f"{events.get('edited', 0)} | equal: "
        f"**{'met' if events.get('edited', 0) == result['edits'] + reslugs else 'MISSED'}** |",
        f"| false or missing events | {len(result['false'])} | 0: {goal(not result['false'])} |",
        f"| stories not at their own URL with their own text | {len(result['misplaced'])} "
        f"| 0: {goal(not result['misplaced'])} |",
        f"| `removed` events | {events.get('removed', 0)} | — |",
        f"| requests per poll, first {EDGE} / last {EDGE} | "
        f"{sum(requests[:EDGE]) / EDGE:.1f} / {sum(requests[-EDGE:]) / EDGE:.1f} | — |",
        f"| CPU per poll, first {EDGE} / last {EDGE} | {start * 1000:.0f} ms / "
        f"{end * 1000:.0f} ms ({end / start:.2f}×) | — |", "",
        "Reading: a re-slug is merged only when the old URL's probe confirms it (404/410, or "
        "a redirect to the new URL); a story that only slid off the two crawled pages "
        "answers its probe 200 and stays a story of its own. The requests per poll grow "
        "with the day: every stored story of the listing's oldest date that is not listed "
        "is probed once per poll (one request each), which on a day this busy is most of "
        "the day's stories; the CPU per poll grows with them."
        + ("" if clean else f" Failures: {(result['false'] + result['misplaced'])[:5]}"), "",
    ]
    return "\n".join(lines)


def run(quick: bool = False) -> str:
    count = QUICK if quick else PUBLICATIONS
    proc = subprocess.run([PYTHON, "-m", "bench.reslug_long_run", "--worker",
                           f"--publications={count}"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"re-slug long run worker failed: {proc.stderr[-3000:]}")
    return report(json.loads(proc.stdout.splitlines()[-1]), quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--markdown", type=Path, nargs="?", const=DOC)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--publications", type=int, default=PUBLICATIONS,
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.publications)), flush=True)
        return
    text = run(args.quick)
    print(text)
    if args.markdown:
        write_sections(args.markdown, text)


if __name__ == "__main__":
    main()
