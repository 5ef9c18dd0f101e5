"""Statements as a source: a source pointing at /documents/statements/ (English and
Russian) stores, diffs and announces its items like news items (section `statements`),
with their attached files. Real polls on the replica, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import ChangeEvent, Document, Item
from monitor.poll import PollOutcome, SourcePoller
from notifier import outbox
from notifier.channels.console import ConsoleNotifier
from scraper.runner import SourceCrawler
from tests.documents import files
from tests.replica import ReplicaServer, make_article, sample_world


@pytest.mark.parametrize("language", ["en", "ru"])
def test_statements_listing_is_a_source(db_sessions: sessionmaker[Session],
                                        source_crawler: SourceCrawler, run: Any,
                                        language: str) -> None:
    world = sample_world(30, language)
    with ReplicaServer(world, markup="bitrix", language=language).start() as server:
        settings = Settings.model_validate({
            "sources": [{"name": f"statements-{language}", "language": language,
                         "url": f"{server.url}/documents/statements/", "pages": 1}],
            "crawl": {"download_delay": "0s", "autothrottle": False},
        })
        poller = SourcePoller(settings, db_sessions, source_crawler, outbox.announcer(
            {"console": ConsoleNotifier()}, settings.notify_on))

        def poll() -> PollOutcome:
            outcome: PollOutcome = run(poller.poll(settings.sources[0]))
            assert outcome.clean, outcome.line()
            return outcome

        baseline = poll()
        assert baseline.outcome == "baseline" and baseline.new >= 1
        with db_sessions() as session:
            assert set(session.scalars(select(Item.section))) == {"statements"}

        world.put_file("Statement.pdf", files.pdf(["The foreign ministers call for dialogue."]))
        statement = world.publish(make_article(
            "Statement of the CSTO Council of Foreign Ministers", language=language,
            section="statements", slug="statement-of-the-council", published=date.today(),
            attachments=[("Statement.pdf", "Statement.pdf")]))
        assert poll().new == 1
        world.edit(statement.id, body=["The ministers call for dialogue and restraint."])
        world.edit(statement.id, title="Statement of the CSTO Council of Foreign Ministers "
                                       "on the situation")  # the listing shows it
        assert poll().edited == 1
        with db_sessions() as session:
            kinds = [e.kind for e in session.scalars(select(ChangeEvent).order_by(ChangeEvent.id))]
            assert kinds == ["new", "edited"]
            assert session.scalar(select(Document.status)) == "ok"
