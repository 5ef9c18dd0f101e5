"""Between crawl and diff: learned furniture dropped, suspected edits read again (no I/O:
the second read is a function handing out prepared pages)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from monitor.diff import diff
from monitor.noise import NoiseRule, NoiseRules, clean_stored
from monitor.settle import Settled, settle
from monitor.snapshot import EditedChange, StoredItem
from scraper.items import ListingEntry
from scraper.report import CrawlReport
from tests.monitor.test_volatility import entry, item, stored, story, url

COUNTER = NoiseRule("shape", "Views: #", "Views: 1", "test")


def run(pages: dict[int, list[str]], before: dict[int, list[str]],
        again: dict[int, list[str]], known: NoiseRules | None = None
        ) -> tuple[Settled, list[EditedChange], list[str]]:
    """Settle a crawl of `pages` against `before`; a re-read answers `again`."""
    known = known or NoiseRules()
    asked: list[str] = []

    async def reread(entries: Sequence[ListingEntry]) -> CrawlReport:
        asked.extend(e.url for e in entries)
        return CrawlReport(source="s", items=[item(n, again[n]) for n in again
                                              if url(n) in asked],
                           finish_reason="finished", requests=len(entries))

    report = CrawlReport(source="s", listing=[entry(n) for n in pages],
                         items=[item(n, body) for n, body in pages.items()],
                         finish_reason="finished", requests=1 + len(pages))
    snapshot = {url(n): stored(n, body) for n, body in before.items()}
    settled = asyncio.run(settle(report, snapshot, known, reread))
    clean = {u: clean_stored(s, settled.rules) for u, s in snapshot.items()}
    edits = [c for c in diff(clean, settled.report, allow_removals=False)
             if isinstance(c, EditedChange)]
    return settled, edits, asked


def test_nothing_changed_reads_nothing_again() -> None:
    pages = {n: story(n) for n in (1, 2)}
    settled, edits, asked = run(pages, pages, {})
    assert (edits, asked, settled.confirmations, settled.report.requests) == ([], [], 0, 3)


def test_an_edit_with_a_counter_tick_is_one_edit_without_the_counter() -> None:
    old = [*story(1), "Views: 10"]
    new = [story(1)[0], "Delegations agreed on a joint statement.", "Views: 11"]
    settled, edits, asked = run({1: new}, {1: old},
                                {1: [*new[:2], "Views: 12"]})
    assert asked == [url(1)]
    assert [(e.item.url, e.fields) for e in edits] == [(url(1), ("body",))]
    assert edits[0].item.body == new[:2]
    assert [(r.kind, r.pattern) for r in settled.new_rules] == [("shape", "Views: #")]
    assert settled.report.requests == 2 + 1  # the second read is counted


def test_a_flapping_edit_is_not_announced() -> None:
    old, new = story(1), [story(1)[0], "Delegations agreed on a joint statement."]
    settled, edits, asked = run({1: new}, {1: old}, {1: old})
    assert asked == [url(1)] and edits == [] and settled.new_rules == []


def test_a_stable_edit_of_a_paragraph_that_looks_like_furniture_is_announced() -> None:
    old = [*story(1), "The exercise involved 1,500 troops.", "Views: 10"]
    new = [*story(1), "The exercise involved 2,000 troops.", "Views: 11"]
    _, edits, _ = run({1: new}, {1: old}, {1: [*new[:3], "Views: 12"]},
                      NoiseRules([COUNTER]))
    assert [e.fields for e in edits] == [("body",)]
    assert edits[0].item.body == new[:3]


def test_known_furniture_alone_reads_nothing_again() -> None:
    settled, edits, asked = run({1: [*story(1), "Views: 11"]}, {1: [*story(1), "Views: 10"]},
                                {}, NoiseRules([COUNTER]))
    assert (edits, asked) == ([], [])
    assert sum(settled.hits.values()) == 1


def test_a_failed_second_read_defers_the_item() -> None:
    new = [story(1)[0], "Delegations agreed on a joint statement."]
    settled, edits, _ = run({1: new, 2: story(2)}, {1: story(1), 2: story(2)}, {})
    assert edits == []
    assert [i.url for i in settled.report.items] == [url(2)]
    assert settled.report.detail_errors == [f"{url(1)}: not read again to confirm an edit; "
                                            "deferred"]


def test_a_stored_item_keeps_its_id_through_cleaning() -> None:
    before = StoredItem(7, url(1), None, "T", "Views: 1", "Views: 1\n\nText", True)
    assert clean_stored(before, NoiseRules([COUNTER])).id == 7
