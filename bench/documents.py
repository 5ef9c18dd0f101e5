"""Benchmark 8: attached documents.

Documents fetched per minute by a crawl with the default politeness (1 s download delay,
AutoThrottle, robots.txt) from the replica, whose newest items each link two files (a PDF
and a DOCX); the time to read a file's text per MB, for PDF (pypdf) and DOCX (python-docx);
the requests an idle revisit of a document costs once its validators are stored.

    .venv/bin/python -m bench.documents [--quick] [--markdown docs/benchmarks.md]

The crawls run in a worker process of their own (`--worker`): Scrapy's reactor stays bound
to the first event loop of a process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import DOC, PYTHON, ROOT, goal, write_sections

COMMAND = "`.venv/bin/python -m bench.documents --markdown docs/benchmarks.md`"
ITEMS_WITH_FILES = 10  # two files each
QUICK_ITEMS = 3


def _world(items: int) -> Any:
    from tests.documents import files
    from tests.replica import sample_world

    world = sample_world(max(items, 5), "en")
    for n, article in enumerate(world.articles_in("en")[:items]):
        names = [f"annex-{n}.pdf", f"agreement-{n}.docx"]
        world.edit(article.id, attachments=[(name, name) for name in names])
        world.put_file(names[0], files.pdf([f"Annex {n} to the declaration."] * 40))
        world.put_file(names[1], files.docx([f"Agreement {n}: the parties agree."] * 40))
    for article in world.articles_in("en")[items:]:
        world.edit(article.id, attachments=[])
    return world


async def _crawls(url: str, items: int) -> dict[str, Any]:
    from core.config import Settings
    from monitor.crawl_settings import scrapy_settings
    from scraper.items import KnownDocument
    from scraper.request import CrawlRequest
    from scraper.runner import SourceCrawler

    settings = Settings.model_validate(
        {"sources": [{"name": "bench", "url": url, "language": "en"}]})  # default politeness
    crawler = SourceCrawler(scrapy_settings(settings))
    request = CrawlRequest(source_name="bench", source_url=url, language="en", pages=1,
                           fetch_documents=True)
    started = time.perf_counter()
    first = await crawler.crawl(request)
    elapsed = time.perf_counter() - started
    fetched = [d for d in first.documents if d.body is not None]
    known = {d.url: KnownDocument(d.etag, d.last_modified) for d in fetched}
    again = await crawler.crawl(CrawlRequest(
        source_name="bench", source_url=url, language="en", pages=1, fetch_documents=True,
        documents=known))
    return {"documents": len(fetched), "seconds": elapsed, "requests": first.requests,
            "revisit": [d.http_status for d in again.documents],
            "revisit_requests": len(again.documents)}


def worker(items: int) -> dict[str, Any]:
    from scraper.reactor import ensure_reactor, shutdown_reactor
    from tests.replica import ReplicaServer

    loop = asyncio.new_event_loop()

    async def start() -> None:
        ensure_reactor()

    loop.run_until_complete(start())
    try:
        with ReplicaServer(_world(items), markup="bitrix", language="en").start() as server:
            return loop.run_until_complete(_crawls(server.listing_url, items))
    finally:
        shutdown_reactor()


def extraction(quick: bool) -> dict[str, float]:
    """Seconds per MB of file to read the text of a PDF and of a DOCX (larger in a full run)."""
    from scraper.documents.read import read_document
    from tests.documents import files

    rng = random.Random(14)
    words = ["collective", "security", "treaty", "organization", "member", "states",
             "council", "declaration", "peacekeeping", "contingent", "agreement", "annex",
             "ministers", "defence", "exercise", "border", "Armenia", "Belarus", "Kazakhstan",
             "Kyrgyzstan", "Russia", "Tajikistan", "2025", "joint"]

    def paragraphs(count: int) -> list[str]:  # varied text: it packs like a real document's
        return [" ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(count)]

    scale = 1 if quick else 4
    samples = {"pdf": files.pdf(paragraphs(300 * scale)),
               "docx": files.docx(paragraphs(2500 * scale))}
    result: dict[str, float] = {}
    for kind, data in samples.items():
        started = time.perf_counter()
        text = read_document(data)
        seconds = time.perf_counter() - started
        assert text.status == "ok", text.detail
        result[f"{kind}_mb"] = len(data) / (1 << 20)
        result[f"{kind}_s_per_mb"] = seconds / (len(data) / (1 << 20))
    return result


def report(crawl: dict[str, Any], reading: dict[str, float], quick: bool) -> str:
    per_minute = crawl["documents"] / crawl["seconds"] * 60
    revisit = crawl["revisit"]
    idle = crawl["revisit_requests"] / max(crawl["documents"], 1)
    rows = [
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| documents fetched per minute, default politeness (1 s delay, AutoThrottle) | "
        f"{per_minute:.0f} ({crawl['documents']} files in {crawl['seconds']:.1f} s, "
        f"{crawl['requests']} requests with the listing and the pages) | — |",
        f"| PDF text extraction (pypdf), {reading['pdf_mb']:.1f} MB file | "
        f"{reading['pdf_s_per_mb']:.2f} s per MB | — |",
        f"| DOCX text extraction (python-docx), {reading['docx_mb']:.1f} MB file | "
        f"{reading['docx_s_per_mb']:.2f} s per MB | — |",
        f"| requests per idle revisit of a document | {idle:.2f} (answered "
        f"{', '.join(sorted({str(s) for s in revisit}))}) | 1, answered 304: "
        f"{goal(idle == 1 and set(revisit) == {304})} |",
    ]
    command = "`.venv/bin/python -m bench.documents --quick`" if quick else COMMAND
    return "\n".join([
        "## 10. Attached documents", "", f"Reproduce: {command}.", "",
        __doc__.split("\n\n")[1].replace("\n", " "), "", *rows, "",
        "Files are fetched through the same downloader as pages: the rate is the site's "
        "politeness (one request per second), not the reading of the files.",
    ]) + "\n"


def run(quick: bool = False) -> str:
    items = QUICK_ITEMS if quick else ITEMS_WITH_FILES
    proc = subprocess.run([PYTHON, "-m", "bench.documents", "--worker", f"--items={items}"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"documents worker failed: {proc.stderr[-3000:]}")
    return report(json.loads(proc.stdout.splitlines()[-1]), extraction(quick), quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--markdown", type=Path, nargs="?", const=DOC)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--items", type=int, default=ITEMS_WITH_FILES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.items)), flush=True)
        return
    text = run(args.quick)
    print(text)
    if args.markdown:
        write_sections(args.markdown, text)


if __name__ == "__main__":
    main()
