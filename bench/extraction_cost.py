"""CPU per detail page of the body extraction and of its second opinion (trafilatura).

Reads every detail page of a 25-item replica on each markup and language (furniture on),
then times, per page, `extract_detail` and `second_opinion` (process CPU time, the best of
`--repeat` passes, so that a busy machine inflates it least). Not part of `make bench`:

    .venv/bin/python -m bench.extraction_cost [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from collections.abc import Callable

from scraper.extract.detail import extract_detail
from scraper.extract.second_opinion import second_opinion
from tests.replica import MARKUPS, ReplicaServer, sample_world

Page = tuple[str, str]  # (html, url)


def pages(markup: str, language: str, items: int = 25) -> list[Page]:
    """Every detail page of a replica of `items` articles, as served once."""
    world = sample_world(items, language)
    with ReplicaServer(world, markup=markup, language=language) as server:
        urls = [server.url_for(a) for a in world.articles_in(language)]
        return [(_get(url), url) for url in urls]


def _get(url: str) -> str:
    with urllib.request.urlopen(url) as reply:
        return str(reply.read().decode("utf-8"))


def per_page_ms(work: Callable[[str, str], object], batch: list[Page], repeat: int) -> float:
    """The best of `repeat` passes over the batch, in CPU milliseconds per page."""
    passes = []
    for _ in range(repeat):
        started = time.process_time()
        for html, url in batch:
            work(html, url)
        passes.append((time.process_time() - started) / len(batch) * 1000)
    return min(passes)


def _opinion(html: str, url: str) -> object:
    fields = extract_detail(html, url)
    return second_opinion(html, url, fields.title, fields.body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _opinion(*pages("bitrix", "en", 1)[0])  # imports trafilatura once, outside the timing
    print("| markup | language | pages | extraction ms/page | + second opinion ms/page |")
    print("| --- | --- | --- | --- | --- |")
    ratios = []
    for markup in sorted(MARKUPS):
        for language in ("en", "ru"):
            batch = pages(markup, language)
            own = per_page_ms(extract_detail, batch, args.repeat)
            both = per_page_ms(_opinion, batch, args.repeat)
            ratios.append((both - own) / own)
            print(f"| {markup} | {language} | {len(batch)} | {own:.2f} | {both - own:.2f} |")
    print(f"\nsecond opinion / extraction: median {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
