"""A poll reads a window of the history, not all of it, and falls back when it must.

The spider is told about the newest items only (twice the recent listing size); when the
listing reaches past that window the poll crawls again with the whole history, so the
spider always chooses the details and probes it would choose knowing every item.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.models import Item, Source
from scraper.items import ListingEntry
from tests.monitor.test_poll import BASE, ReplayCrawler, entry, report, run_poll


def add_history(sessions: sessionmaker[Session], count: int) -> None:
    """Older articles (2024), as a long-running monitor or a backfill would have stored."""
    with sessions() as session, session.begin():
        source_id = session.scalar(select(Source.id).where(Source.name == "csto-en"))
        assert source_id is not None
        session.add_all(
            Item(source_id=source_id, url=f"{BASE}old-{n}/", section="news_odkb",
                 slug=f"old-{n}", language="en", published=date(2024, 1, 1) + timedelta(n),
                 title=f"Old {n}", listing_hash=f"hash-{n}")
            for n in range(count)
        )


def test_the_spider_is_told_about_the_newest_items_only(
        db_sessions: sessionmaker[Session]) -> None:
    crawler = ReplayCrawler()
    run_poll(db_sessions, crawler, report([1, 2, 3, 4]))
    add_history(db_sessions, 20)
    outcome = run_poll(db_sessions, crawler, report([1, 2, 3, 4], details=[]))
    assert outcome.outcome == "unchanged" and len(crawler.calls) == 2
    known = crawler.calls[1].known
    # Twice the listing size: the 4 listed stories and the 4 newest older items.
    assert set(known) == {f"{BASE}story-{n}/" for n in (1, 2, 3, 4)} | {
        f"{BASE}old-{n}/" for n in (16, 17, 18, 19)}


def test_a_listing_reaching_past_the_window_is_crawled_again_knowing_everything(
        db_sessions: sessionmaker[Session]) -> None:
    crawler = ReplayCrawler()
    run_poll(db_sessions, crawler, report([1, 2, 3, 4]))
    add_history(db_sessions, 20)
    old = ListingEntry(url=f"{BASE}old-0/", published=date(2024, 1, 1), title="Old 0",
                       lead="", page=1, position=4)
    reaching = report([1, 2, 3, 4], details=[])
    reaching.listing.append(old)
    crawler.reports.append(report([1, 2, 3, 4], details=[]))  # the second crawl's
    crawler.reports[-1].listing.append(old)
    outcome = run_poll(db_sessions, crawler, reaching)
    assert outcome.outcome == "unchanged" and len(crawler.calls) == 3
    second = crawler.calls[2]
    assert len(second.known) == 24 and second.etag is None
    assert crawler.calls[1].etag == '"v1"'


def test_an_unchanged_listing_inside_the_window_is_crawled_once(
        db_sessions: sessionmaker[Session]) -> None:
    crawler = ReplayCrawler()
    run_poll(db_sessions, crawler, report([1, 2, 3, 4]))
    add_history(db_sessions, 20)
    moved = report([2, 3, 4], details=[])
    moved.listing.insert(0, entry(5))  # a new story pushes story 1 off the listing
    outcome = run_poll(db_sessions, crawler, moved)
    assert len(crawler.calls) == 2 and outcome.outcome == "unchanged"
