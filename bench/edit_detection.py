"""Benchmark 7: edit detection on pages whose furniture the extractor cannot recognise.

Each replica markup, in English and Russian, serves detail pages that carry inside the
article a view counter that grows on every request, a "related news" list that follows
each publication, a caption stamped with the time of the request and a promotion that
rotates (tests/noise/furniture.py: drawn as body paragraphs, so only learning and
confirmation can keep it out). Every poll re-reads every page (the recheck is due each
time), as the daemon's poll job runs it, on SQLite; real edits (a word, a paragraph added
or removed, a title, a date), pages that flap for one read and new publications are mixed
in. A real edit
must give exactly one `edited` event with the right fields; anything else is false.

    .venv/bin/python -m bench.edit_detection [--quick] [--markdown docs/benchmarks.md]

The polls run in a worker process of their own (`--worker`): Scrapy's reactor stays bound
to the first event loop of a process, and `make bench` runs other in-process crawls first.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import random
import subprocess
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.common import DOC, PYTHON, ROOT, goal, write_sections

COMMAND = "`.venv/bin/python -m bench.edit_detection --markdown docs/benchmarks.md`"
ITEMS = 20  # per source; every poll re-reads them all
REREADS = 1000
EDITS = 30
FLAPS = 10
KINDS = ("word", "added", "removed", "title", "date")
EXPECTED = {"word": ["body"], "added": ["body"], "removed": ["body"], "title": ["title"],
            "date": ["published"]}
QUICK = {"items": 10, "rereads": 200, "edits": 10, "flaps": 4}


@dataclasses.dataclass
class Plan:
    """What happens to one source in one poll: real edits and flapping pages."""

    edits: list[str] = dataclasses.field(default_factory=list)
    flaps: int = 0
    publish: bool = False  # a new item: the "related news" of every page follows it


def plans(sources: int, rounds: int, edits: int, flaps: int) -> list[list[Plan]]:
    """plans[source][round], edits and flaps spread round-robin over sources and rounds."""
    table = [[Plan(publish=r % 3 == 1) for r in range(rounds)] for _ in range(sources)]
    for n in range(edits):
        table[n % sources][(n // sources) % rounds].edits.append(KINDS[n % len(KINDS)])
    for n in range(flaps):
        table[(n + 1) % sources][(rounds - 1 - n // sources) % rounds].flaps += 1
    return table


# --- the worker: polls in-process against furnished replicas ---------------------------


def _edit(world: Any, article: Any, kind: str) -> Any:
    body = [p for p in article.body if p.strip()]  # blank paragraphs are not read
    if kind == "word":
        words = body[-1].split()
        body[-1] = " ".join([*words[:-1], "(corrected)", words[-1]])
        return world.edit(article.id, body=body)
    if kind == "added":
        return world.edit(article.id, body=[*body, "The Secretariat will report in July."])
    if kind == "removed":
        return world.edit(article.id, body=body[:-1])
    if kind == "title":
        return world.edit(article.id, title=article.title + " (updated)")
    return world.edit(article.id, published=article.published - timedelta(days=1))


def _detail_reads(paths: list[str]) -> tuple[int, Counter[str]]:
    """(first reads, second reads by path) of detail pages among the requested paths."""
    details = Counter(urlsplit(p).path for p in paths if urlsplit(p).path.count("/") >= 4)
    return len(details), details - Counter(details.keys())


def _source(run: Any, markup: str, language: str, rounds: list[Plan], items: int,
            rng: random.Random) -> dict[str, Any]:
    from tests.noise.furniture import FurnishedReplica
    from tests.noise.harness import Poller, settings_for
    from tests.replica import sample_world

    world = sample_world(items, language)
    result: dict[str, Any] = {
        "source": f"{markup}-{language}", "rereads": 0, "for_edits": 0, "for_flaps": 0,
        "for_other": 0, "real": 0, "false": 0, "missed": 0, "flaps": 0, "published": 0,
        "announced_new": 0, "misses": [], "falses": []}
    with tempfile.TemporaryDirectory() as folder, \
            FurnishedReplica(world, markup=markup, language=language) as replica:
        poller = Poller(run, settings_for(replica, f"sqlite:///{folder}/bench.db"))
        poller.poll()  # the baseline
        for plan in rounds:
            expected, flapped = _apply(world, replica, plan, rng, result)
            replica.clear_log()
            before = len(poller.edits_by_url())
            result["announced_new"] += poller.poll().new
            first, second = _detail_reads([r.path for r in replica.requests])
            result["rereads"] += first
            edited = {urlsplit(url).path for url, _ in expected}
            for path, n in second.items():
                key = "for_edits" if path in edited else "for_flaps" if path in flapped \
                    else "for_other"
                result[key] += n
            _score(expected, poller.edits_by_url()[before:], result)
        result["furniture_stored"] = len(poller.furniture_stored())
        result["rules"] = poller.rule_count()
        poller.monitor.sessions.kw["bind"].dispose()
    return result


def _apply(world: Any, replica: Any, plan: Plan, rng: random.Random,
           result: dict[str, Any]) -> tuple[Counter[tuple[str, str]], set[str]]:
    """Make this poll's edits and flaps; the events they should give, the flapping paths."""
    candidates = [a for a in world.articles if len(a.expected_body) >= 2]
    chosen = rng.sample(candidates, len(plan.edits) + plan.flaps)
    expected: Counter[tuple[str, str]] = Counter()
    for article, kind in zip(chosen, plan.edits, strict=False):
        edited = _edit(world, article, kind)
        expected[(replica.url_for(edited), ",".join(EXPECTED[kind]))] += 1
    flapped = set()
    for article in chosen[len(plan.edits):]:
        replica.serve_next(article.id, dataclasses.replace(
            article, body=[*article.body, "A sentence that was there for one read only."]))
        flapped.add(article.path)
    if plan.publish:
        _publish(world, len(world.articles))
    result["real"] += len(plan.edits)
    result["flaps"] += plan.flaps
    result["published"] += plan.publish
    return expected, flapped


def _publish(world: Any, n: int) -> None:
    from tests.replica import sample_articles

    newest = max(a.published for a in world.articles)
    language = world.articles[0].language
    story = sample_articles(1, language, start_date=newest + timedelta(days=1), seed=100 + n)[0]
    world.publish(dataclasses.replace(story, slug=f"{story.slug[:90]}-{n}"))


def _score(expected: Counter[tuple[str, str]], events: list[tuple[str, list[str]]],
           result: dict[str, Any]) -> None:
    seen = Counter((url, ",".join(fields)) for url, fields in events)
    result["missed"] += sum((expected - seen).values())
    result["false"] += sum((seen - expected).values())
    result["misses"] += [f"{u} [{f}]" for u, f in (expected - seen)]
    result["falses"] += [f"{u} [{f}]" for u, f in (seen - expected)]


def worker(items: int, rereads: int, edits: int, flaps: int) -> list[dict[str, Any]]:
    from scraper.reactor import ensure_reactor, shutdown_reactor
    from tests.replica import MARKUPS

    sources = [(m, lang) for m in sorted(MARKUPS) for lang in ("en", "ru")]
    rounds = math.ceil(rereads / (len(sources) * items))
    table = plans(len(sources), rounds, edits, flaps)
    loop = asyncio.new_event_loop()

    async def start() -> None:
        ensure_reactor()

    loop.run_until_complete(start())
    rng = random.Random(7)
    try:
        return [_source(loop.run_until_complete, markup, language, table[n], items, rng)
                for n, (markup, language) in enumerate(sources)]
    finally:
        shutdown_reactor()


# --- the report ------------------------------------------------------------------------


def report(results: list[dict[str, Any]], quick: bool, sizes: dict[str, int]) -> str:
    total = {key: sum(r[key] for r in results)
             for key in ("rereads", "for_edits", "for_flaps", "for_other", "real", "false",
                         "missed", "flaps",
                         "published", "announced_new", "furniture_stored")}
    real = total["real"]
    extra = total["for_edits"] + total["for_flaps"] + total["for_other"]
    rows = [
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| re-reads of detail pages | {total['rereads']:,} over {len(results)} sources "
        f"| ≥ {sizes['rereads']:,}: {goal(total['rereads'] >= sizes['rereads'])} |",
        f"| real edits (a word, a paragraph added or removed, a title, a date) | {real} | "
        f"{sizes['edits']}: {goal(real == sizes['edits'])} |",
        f"| pages that flapped for one read | {total['flaps']} | — |",
        f"| new items published meanwhile (announced as new) | {total['published']} "
        f"({total['announced_new']}) | all: {goal(total['announced_new'] == total['published'])} |",
        f"| false edits | {total['false']} | 0: {goal(total['false'] == 0)} |",
        f"| missed edits | {total['missed']} | 0: {goal(total['missed'] == 0)} |",
        f"| extra requests spent on confirmation per real edit | "
        f"{total['for_edits'] / max(real, 1):.2f} | — |",
        f"| extra requests in all (real edits, flapping pages, other) | {extra} "
        f"({total['for_edits']}, {total['for_flaps']}, {total['for_other']}) | — |",
        f"| furniture text in stored bodies | {total['furniture_stored']} | "
        f"0: {goal(total['furniture_stored'] == 0)} |",
    ]
    per_source = ["| source | re-reads | real edits | flaps | false | missed | extra "
                  "requests | rules learned |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    per_source += [f"| {r['source']} | {r['rereads']} | {r['real']} | {r['flaps']} | "
                   f"{r['false']} | {r['missed']} | "
                   f"{r['for_edits'] + r['for_flaps'] + r['for_other']} | {r['rules']} |"
                   for r in results]
    details = [f"- {r['source']}: false {', '.join(r['falses'])}; missed "
               f"{', '.join(r['misses'])}" for r in results if r["falses"] or r["misses"]]
    command = "`.venv/bin/python -m bench.edit_detection --quick`" if quick else COMMAND
    return "\n".join([
        "## 7. Edit detection: furniture the extractor does not recognise", "",
        f"Reproduce: {command}.", "", __doc__.split("\n\n")[1].replace("\n", " "), "",
        *rows, "", *per_source, "", *details,
        "Extra requests are the second reads of pages whose title, date, lead or body "
        "differed from what is stored once the learned furniture was dropped; \"other\" "
        "counts those of pages nobody edited (furniture not learned yet).",
    ]) + "\n"


def run(quick: bool = False) -> str:
    sizes = QUICK if quick else {"items": ITEMS, "rereads": REREADS, "edits": EDITS,
                                 "flaps": FLAPS}
    args = [f"--{key}={value}" for key, value in sizes.items()]
    proc = subprocess.run([PYTHON, "-m", "bench.edit_detection", "--worker", *args],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"edit detection worker failed: {proc.stderr[-3000:]}")
    return report(json.loads(proc.stdout.splitlines()[-1]), quick, sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--markdown", type=Path, nargs="?", const=DOC)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for key, value in (("items", ITEMS), ("rereads", REREADS), ("edits", EDITS),
                       ("flaps", FLAPS)):
        parser.add_argument(f"--{key}", type=int, default=value, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        results = worker(args.items, args.rereads, args.edits, args.flaps)
        print(json.dumps(results), flush=True)
        return
    text = run(args.quick)
    print(text)
    if args.markdown:
        write_sections(args.markdown, text)


if __name__ == "__main__":
    main()
