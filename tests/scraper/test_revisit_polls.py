"""Decaying revisits through real polls (SourcePoller, the real spider, the replica) on
SQLite and PostgreSQL: an idle revisit costs one request answered 304, an edit the listing
does not show is found by a revisit (one `edited` event, the schedule restarted), and
revisits are capped per poll. Time passing is simulated by moving `next_revisit_at`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import ChangeEvent, Item, utcnow
from monitor.poll import PollOutcome, SourcePoller
from notifier import outbox
from notifier.channels.console import ConsoleNotifier
from scraper.runner import SourceCrawler
from tests.replica import ReplicaServer, World, make_article, sample_world


@pytest.fixture
def site() -> Iterator[tuple[World, ReplicaServer]]:
    world = sample_world(8, "en")
    server = ReplicaServer(world, markup="bitrix", language="en").start()
    yield world, server
    server.stop()


def _poller(server: ReplicaServer, sessions: sessionmaker[Session], crawler: SourceCrawler,
            **revisits: Any) -> tuple[SourcePoller, Settings]:
    settings = Settings.model_validate({
        "sources": [{"name": "csto", "url": server.listing_url, "language": "en",
                     "pages": 1}],
        "crawl": {"download_delay": "0s", "autothrottle": False},
        "revisits": revisits,
    })
    announce = outbox.announcer({"console": ConsoleNotifier()}, settings.notify_on)
    return SourcePoller(settings, sessions, crawler, announce), settings


def _make_due(sessions: sessionmaker[Session], urls: list[str]) -> None:
    """As if each item's next revisit had come: a minute ago."""
    with sessions() as session, session.begin():
        session.execute(update(Item).where(Item.url.in_(urls))
                        .values(next_revisit_at=utcnow() - timedelta(minutes=1)))


def _items(sessions: sessionmaker[Session]) -> dict[str, Item]:
    with sessions() as session:
        return {item.url: item for item in session.scalars(select(Item))}


def _details(server: ReplicaServer) -> list[tuple[str, int]]:
    return [(r.path, r.status) for r in server.requests if r.path.startswith("/news/news_")]


@pytest.fixture
def polled(db_sessions: sessionmaker[Session], source_crawler: SourceCrawler, run: Any,
           site: tuple[World, ReplicaServer]) -> Any:
    """A poll function on a source whose baseline is stored."""
    _world, server = site

    def poll(**revisits: Any) -> PollOutcome:
        poller, settings = _poller(server, db_sessions, source_crawler, **revisits)
        outcome: PollOutcome = run(poller.poll(settings.sources[0]))
        assert outcome.clean, outcome.line()
        return outcome

    assert poll().outcome == "baseline"
    return poll


def test_an_idle_revisit_costs_one_request_answered_304(
        db_sessions: sessionmaker[Session], polled: Any,
        site: tuple[World, ReplicaServer]) -> None:
    world, server = site
    article = world.publish(make_article("The CSTO Secretary General met the press",
                                         published=datetime.now(UTC).date()))
    url = server.url_for(article)
    assert polled().new == 1
    item = _items(db_sessions)[url]
    assert item.page_etag and item.page_last_modified  # kept from the first read
    assert (item.revisit_step, item.next_revisit_at - item.first_seen) == (
        0, timedelta(minutes=15))
    _make_due(db_sessions, [url])
    server.clear_log()
    outcome = polled()
    assert outcome.outcome == "not_modified" and outcome.requests == 2  # listing + revisit
    assert [r.status for r in server.requests] == [304, 304]
    assert server.requests[1].path == article.path
    assert server.requests[1].headers["if-none-match"] == item.page_etag
    after = _items(db_sessions)[url]
    assert (after.revisit_step, after.next_revisit_at - after.first_seen) == (
        1, timedelta(hours=1))
    server.clear_log()
    assert polled().requests == 1  # not due any more: the listing alone, answered 304


def test_an_edit_the_listing_does_not_show_is_found_by_a_revisit_and_restarts_it(
        db_sessions: sessionmaker[Session], polled: Any,
        site: tuple[World, ReplicaServer]) -> None:
    world, server = site
    article = world.articles_in("en")[2]
    url = server.url_for(article)
    world.edit(article.id, body=[*article.body, "The ministers also agreed on a new date."])
    server.clear_log()
    assert polled().outcome == "not_modified"  # not due: the listing does not show it
    with db_sessions() as session:  # step on past the first revisits, as if days passed
        session.execute(update(Item).where(Item.url == url).values(revisit_step=3))
        session.commit()
    _make_due(db_sessions, [url])
    server.clear_log()
    outcome = polled()
    assert (outcome.outcome, outcome.edited, outcome.new) == ("changed", 1, 0)
    assert _details(server) == [(article.path, 200), (article.path, 200)]  # read, confirmed
    with db_sessions() as session:
        [event] = session.scalars(select(ChangeEvent).where(ChangeEvent.kind == "edited"))
        assert event.url == url and event.fields == ["body"]
    item = _items(db_sessions)[url]
    assert item.revisit_step == 0  # restarted: the first step (15 min) comes next
    assert timedelta(minutes=14) < item.next_revisit_at - item.last_changed <= timedelta(
        minutes=15)
    server.clear_log()
    assert polled().requests == 1  # and nothing more to find


def test_revisits_are_capped_per_poll_most_overdue_first(
        db_sessions: sessionmaker[Session], polled: Any,
        site: tuple[World, ReplicaServer]) -> None:
    world, server = site
    articles = world.articles_in("en")[:5]
    urls = [server.url_for(a) for a in articles]
    _make_due(db_sessions, urls)
    with db_sessions() as session, session.begin():  # the oldest two are the most overdue
        session.execute(update(Item).where(Item.url.in_(urls[3:]))
                        .values(next_revisit_at=utcnow() - timedelta(hours=1)))
    server.clear_log()
    polled(max_per_poll=2)
    assert sorted(_details(server)) == sorted((a.path, 304) for a in articles[3:])
    server.clear_log()
    polled(max_per_poll=2)
    assert sorted(_details(server)) == sorted((a.path, 304) for a in articles[:2])
    server.clear_log()
    polled(max_per_poll=2)
    assert _details(server) == [(articles[2].path, 304)]


def test_new_items_are_scheduled_and_revisits_can_be_turned_off(
        db_sessions: sessionmaker[Session], polled: Any,
        site: tuple[World, ReplicaServer]) -> None:
    _world, server = site
    items = _items(db_sessions)
    # The baseline's items were published long ago: their schedules are over.
    assert all(i.next_revisit_at is None and i.revisit_step == 7 for i in items.values())
    _make_due(db_sessions, list(items))
    server.clear_log()
    assert polled(enabled=False).requests == 1
