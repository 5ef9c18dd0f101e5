"""How a poll judges a crawl and what it writes: outcomes, events, outbox, source health.

The crawler here replays prepared CrawlReports (plain values, as the spider would produce);
the database is real (SQLite and PostgreSQL). The real spider is covered end to end in
tests/test_e2e_check.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.models import ChangeEvent, CrawlRun, Delivery, Item, ItemRevision, Source
from monitor.poll import SourcePoller
from notifier.channels.console import ConsoleNotifier
from scraper.items import KnownItem, ListingEntry, NewsItem, ProbeResult
from scraper.report import CrawlReport

BASE = "https://en.odkb-csto.org/news/news_odkb/"


class ReplayCrawler:
    """Hands out the next prepared report and remembers what it was told; a re-read to
    confirm an edit reads the same pages again (they are stable)."""

    def __init__(self) -> None:
        self.reports: list[CrawlReport] = []
        self.calls: list[dict[str, Any]] = []
        self.last: CrawlReport | None = None

    async def crawl(self, **kwargs: Any) -> CrawlReport:
        self.calls.append(kwargs)
        self.last = self.reports.pop(0)
        return self.last

    async def reread(self, **kwargs: Any) -> CrawlReport:
        self.calls.append(kwargs)
        wanted = {entry.url for entry in kwargs["entries"]}
        items = [i for i in self.last.items if i.url in wanted] if self.last else []
        return CrawlReport(source="csto-en", items=items, finish_reason="finished",
                           requests=len(wanted))


def entry(n: int, title: str | None = None) -> ListingEntry:
    return ListingEntry(url=f"{BASE}story-{n}/", published=date(2025, 1, n),
                        title=title or f"Story {n}", lead=f"Lead {n}.", page=1, position=30 - n)


def news(n: int, title: str | None = None, body: str = "Body.") -> NewsItem:
    e = entry(n, title)
    return NewsItem(url=e.url, section="news_odkb", slug=f"story-{n}", language="en",
                    published=e.published, title=e.title, lead=e.lead, body=[body],
                    listing_hash=e.fingerprint())


def report(ns: list[int], details: list[NewsItem] | None = None, **extra: Any) -> CrawlReport:
    listing = [entry(n) for n in sorted(ns, reverse=True)]
    items = details if details is not None else [news(n) for n in ns]
    return CrawlReport(source="csto-en", listing=listing, items=items, listing_pages_ok=1,
                       finish_reason="finished", etag='"v1"', requests=len(items) + 1, **extra)


def settings(**overrides: Any) -> Settings:
    data: dict[str, Any] = {"sources": [{"name": "csto-en", "language": "en",
                                         "url": "https://en.odkb-csto.org/news/"}]}
    return Settings.model_validate({**data, **overrides})


def run_poll(sessions: sessionmaker[Session], crawler: ReplayCrawler, rep: CrawlReport,
             cfg: Settings | None = None) -> Any:
    cfg = cfg or settings()
    crawler.reports.append(rep)
    poller = SourcePoller(cfg, sessions, crawler, {"console": ConsoleNotifier()})
    return asyncio.run(poller.poll(cfg.sources[0]))


def count(sessions: sessionmaker[Session], model: Any, *where: Any) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def crawler() -> ReplayCrawler:
    return ReplayCrawler()


def test_first_poll_is_a_silent_baseline(db_sessions: sessionmaker[Session],
                                         crawler: ReplayCrawler) -> None:
    outcome = run_poll(db_sessions, crawler, report([1, 2, 3]))
    assert (outcome.outcome, outcome.new) == ("baseline", 3)
    assert count(db_sessions, Item) == 3
    assert count(db_sessions, ItemRevision) == 3
    assert count(db_sessions, ChangeEvent) == 0
    assert count(db_sessions, Delivery) == 0


def test_first_poll_notifies_when_configured(db_sessions: sessionmaker[Session],
                                             crawler: ReplayCrawler) -> None:
    outcome = run_poll(db_sessions, crawler, report([1, 2]), settings(first_run="notify"))
    assert (outcome.outcome, outcome.new) == ("changed", 2)
    assert count(db_sessions, Delivery, Delivery.channel == "console") == 2


def test_new_edit_and_removal_are_recorded_with_deliveries(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report([1, 2, 3, 4]))
    second = report([2, 3, 4, 5], details=[news(5), news(4, body="Body, corrected.")],
                    probes=[ProbeResult(f"{BASE}story-1/", 404)])
    outcome = run_poll(db_sessions, crawler, second)
    assert (outcome.new, outcome.edited, outcome.removed) == (1, 1, 1)
    with db_sessions() as s:
        kinds = sorted(s.scalars(select(ChangeEvent.kind)))
        assert kinds == ["edited", "new", "removed"]
        edited = s.scalar(select(ChangeEvent).where(ChangeEvent.kind == "edited"))
        assert edited is not None and edited.fields == ["body"]
        assert edited.previous == {"body": "Body."}
        assert s.scalar(select(Item.status).where(Item.url == f"{BASE}story-1/")) == "removed"
    assert count(db_sessions, Delivery) == 3
    assert count(db_sessions, ItemRevision) == 5 + 1


def test_known_items_are_passed_to_the_spider(db_sessions: sessionmaker[Session],
                                              crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report([1, 2]))
    run_poll(db_sessions, crawler, report([1, 2], details=[]))
    known: Mapping[str, KnownItem] = crawler.calls[1]["known"]
    assert known[f"{BASE}story-1/"] == KnownItem(entry(1).fingerprint(), date(2025, 1, 1), True)
    assert crawler.calls[1]["etag"] == '"v1"'


def test_unchanged_poll_writes_nothing_new(db_sessions: sessionmaker[Session],
                                           crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report([1, 2]))
    outcome = run_poll(db_sessions, crawler, report([1, 2]))
    assert outcome.outcome == "unchanged" and outcome.clean
    assert count(db_sessions, ChangeEvent) == 0
    assert count(db_sessions, ItemRevision) == 2


def test_not_modified_keeps_validators(db_sessions: sessionmaker[Session],
                                       crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report([1, 2]))
    outcome = run_poll(db_sessions, crawler,
                       CrawlReport(source="csto-en", not_modified=True, finish_reason="finished"))
    assert outcome.outcome == "not_modified"
    with db_sessions() as s:
        assert s.scalar(select(Source.etag)) == '"v1"'


@pytest.mark.parametrize("broken", [
    CrawlReport(source="csto-en", finish_reason="finished",
                listing_errors=["cannot reach https://en.odkb-csto.org/news/: DNS failure"]),
    CrawlReport(source="csto-en", finish_reason="finished"),
    CrawlReport(source="csto-en", finish_reason="shutdown", listing=[entry(9)]),
], ids=["unreachable", "empty-listing", "unfinished"])
def test_failed_crawl_changes_nothing(db_sessions: sessionmaker[Session],
                                      crawler: ReplayCrawler, broken: CrawlReport) -> None:
    run_poll(db_sessions, crawler, report([1, 2, 3]))
    outcome = run_poll(db_sessions, crawler, broken)
    assert outcome.outcome == "error" and not outcome.clean
    assert "poll failed" in outcome.line()
    assert count(db_sessions, ChangeEvent) == 0
    assert count(db_sessions, Item, Item.status == "active") == 3
    with db_sessions() as s:
        source = s.scalars(select(Source)).one()
        assert source.consecutive_failures == 1 and source.etag == '"v1"'


def test_far_fewer_items_than_usual_is_distrusted(db_sessions: sessionmaker[Session],
                                                  crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report(list(range(1, 21))))
    shrunk = report([20], details=[], probes=[ProbeResult(f"{BASE}story-{n}/", 404)
                                              for n in range(1, 20)])
    outcome = run_poll(db_sessions, crawler, shrunk)
    assert outcome.outcome == "error"
    assert "found only 1 items on the listing, far fewer than the usual 20" in outcome.errors[0]
    assert count(db_sessions, ChangeEvent) == 0


def test_detail_failure_defers_the_item_and_suppresses_removals(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report([1, 2, 3]))
    partial = report([2, 3, 4, 5], details=[news(5)],
                     probes=[ProbeResult(f"{BASE}story-1/", 404)],
                     detail_errors=[f"HTTP 500 on {BASE}story-4/"])
    outcome = run_poll(db_sessions, crawler, partial)
    assert (outcome.new, outcome.removed) == (1, 0)
    assert not outcome.clean and "HTTP 500" in outcome.line()
    with db_sessions() as s:
        # The listing ETag is not kept, or a 304 would hide story-4 for good.
        assert s.scalars(select(Source)).one().etag is None
        assert s.scalar(select(func.count()).select_from(CrawlRun)) == 2


def test_notify_on_filters_deliveries_not_events(db_sessions: sessionmaker[Session],
                                                 crawler: ReplayCrawler) -> None:
    cfg = settings(notify_on=["new"])
    run_poll(db_sessions, crawler, report([1, 2]), cfg)
    run_poll(db_sessions, crawler, report([1, 2, 3], details=[news(3), news(2, "Story 2 (upd)")]),
             cfg)
    assert count(db_sessions, ChangeEvent) == 2
    assert count(db_sessions, Delivery) == 1
