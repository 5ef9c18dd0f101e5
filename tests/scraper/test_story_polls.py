"""The article is the story only, judged where it matters: stored bodies and change events.

Real polls (the monitor's SourcePoller with the real spider, in process) against the
replica on each markup, whose detail pages carry furniture that changes on every request
(a view counter, a related list, a cache-busted photo with a timestamped caption, a
rotating promo, share widgets, breadcrumbs), on SQLite and PostgreSQL. Every poll reads
the listing in full and re-reads every detail page (`recheck_interval: 0s`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.config import Settings
from core.models import ChangeEvent, Item
from monitor.poll import PollOutcome, SourcePoller
from notifier import outbox
from notifier.channels.console import ConsoleNotifier
from scraper.runner import SourceCrawler
from tests.replica import MARKUPS, ReplicaServer, World, sample_world

ITEMS = 8  # the seed page's six (the long speech among them), then samples
REREADS = 20


@pytest.fixture(params=sorted(MARKUPS))
def markup(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _server(markup: str, language: str) -> Iterator[tuple[World, ReplicaServer]]:
    world = sample_world(ITEMS, language)
    server = ReplicaServer(world, markup=markup, language=language).start()
    yield world, server
    server.stop()


@pytest.fixture
def english(markup: str) -> Iterator[tuple[World, ReplicaServer]]:
    yield from _server(markup, "en")


@pytest.fixture
def russian(markup: str) -> Iterator[tuple[World, ReplicaServer]]:
    yield from _server(markup, "ru")


class Poller:
    """Polls one replica through the monitor, on the session's one crawl loop."""

    def __init__(self, server: ReplicaServer, sessions: sessionmaker[Session],
                 crawler: SourceCrawler, run: Any) -> None:
        self.settings = Settings.model_validate({
            "sources": [{"name": "csto", "url": server.listing_url, "language": server.language,
                         "pages": 2, "recheck_latest": 50}],
            "crawl": {"recheck_interval": "0s", "download_delay": "0s", "autothrottle": False},
        })
        self.sessions = sessions
        announce = outbox.announcer({"console": ConsoleNotifier()}, self.settings.notify_on)
        self._poller = SourcePoller(self.settings, sessions, crawler, announce)
        self._run = run

    def poll(self) -> PollOutcome:
        outcome: PollOutcome = self._run(self._poller.poll(self.settings.sources[0]))
        assert outcome.clean, outcome.line()
        return outcome

    def edited_fields(self) -> list[list[str]]:
        with self.sessions() as session:
            events = session.scalars(select(ChangeEvent).where(ChangeEvent.kind == "edited")
                                     .order_by(ChangeEvent.id))
            return [list(e.fields) for e in events]

    def stored(self) -> dict[str, Item]:
        with self.sessions() as session:
            return {item.url: item for item in session.scalars(select(Item))}


@pytest.fixture
def poller_for(db_sessions: sessionmaker[Session], source_crawler: SourceCrawler,
               run: Any) -> Any:
    def make(server: ReplicaServer) -> Poller:
        return Poller(server, db_sessions, source_crawler, run)

    return make


def _assert_stored_stories(poller: Poller, world: World, server: ReplicaServer) -> None:
    stored = poller.stored()
    articles = world.articles_in(server.language)
    assert len(stored) == len(articles)
    for article in articles:
        item = stored[server.url_for(article)]
        assert item.body.split("\n\n") == article.expected_paragraphs, article.slug
        assert " ".join(item.title.split()) == article.expected_title
        assert item.published == article.published


@pytest.mark.parametrize("language", ["en", "ru"])
def test_stored_bodies_are_the_stories_exactly(markup: str, language: str, poller_for: Any,
                                              request: pytest.FixtureRequest) -> None:
    world, server = request.getfixturevalue("english" if language == "en" else "russian")
    poller = poller_for(server)
    assert poller.poll().outcome == "baseline"
    _assert_stored_stories(poller, world, server)


# Extraction decides this, not the database: SQLite only (the other tests run on both).
@pytest.mark.parametrize("db_sessions", ["sqlite"], indirect=True)
def test_twenty_rereads_record_no_edit(english: tuple[World, ReplicaServer],
                                       poller_for: Any) -> None:
    world, server = english
    poller = poller_for(server)
    opinions = _second_opinions()
    poller.poll()
    pages = {a.path for a in world.articles}
    for _ in range(REREADS):
        server.clear_log()
        outcome = poller.poll()
        assert outcome.outcome == "unchanged", outcome.line()
        # every detail page was read again, each time with other furniture
        assert pages <= {r.path for r in server.requests if r.status == 200}
    assert poller.edited_fields() == []
    _assert_stored_stories(poller, world, server)
    # trafilatura read every page too, and agreed with every body
    read, disagreed = (now - then for now, then in zip(_second_opinions(), opinions,
                                                        strict=True))
    assert (read, disagreed) == ((REREADS + 1) * len(pages), 0)


def _second_opinions() -> tuple[float, float]:
    def value(name: str) -> float:
        sample = metrics.REGISTRY.get_sample_value(name, {"source": "csto"})
        return sample or 0.0

    return (value("csto_extraction_second_opinions_total"),
            value("csto_extraction_disagreements_total"))


def _edits(world: World) -> list[tuple[str, int, dict[str, Any], list[str]]]:
    """(what, article id, changed fields, expected event fields): one per kind of edit."""
    several = [a for a in world.articles if len(a.expected_body) >= 2]
    first, second, third = several[0], several[1], several[2]
    last = first.body[-1]
    changed = last.replace(" the ", " a ", 1) if " the " in last else last + " Indeed."
    return [
        ("a changed word", first.id, {"body": [*first.body[:-1], changed]}, ["body"]),
        ("an added paragraph", second.id,
         {"body": [*second.body, "A paragraph added later."]}, ["body"]),
        ("a removed paragraph", third.id, {"body": third.body[:-1]}, ["body"]),
        ("a changed title", first.id, {"title": first.title + " (updated)"}, ["title"]),
        ("a changed date", second.id, {"published": date(2025, 1, 2)}, ["published"]),
    ]


def test_each_edit_is_one_event_with_its_fields(english: tuple[World, ReplicaServer],
                                                poller_for: Any) -> None:
    world, server = english
    poller = poller_for(server)
    poller.poll()
    seen: list[list[str]] = []
    for what, article_id, fields, expected in _edits(world):
        world.edit(article_id, **fields)
        outcome = poller.poll()
        seen.append(expected)
        assert (outcome.edited, outcome.new, outcome.removed) == (1, 0, 0), what
        assert poller.edited_fields() == seen, what
        assert poller.poll().edited == 0, f"{what}: the next poll is quiet again"
    _assert_stored_stories(poller, world, server)


def test_edits_of_a_russian_story(russian: tuple[World, ReplicaServer],
                                  poller_for: Any) -> None:
    world, server = russian
    poller = poller_for(server)
    poller.poll()
    story = next(a for a in world.articles if len(a.expected_body) >= 3)
    middle = story.body[1]
    world.edit(story.id, body=[story.body[0], middle.replace("ОДКБ", "Организации", 1)
                               if "ОДКБ" in middle else middle + " Это так.", *story.body[2:]])
    assert poller.poll().edited == 1
    for _ in range(3):
        assert poller.poll().edited == 0
    assert poller.edited_fields() == [["body"]]
    _assert_stored_stories(poller, world, server)
