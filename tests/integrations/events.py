"""A few stored change events, queued for the configured notifiers as a poll would."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import ChangeEvent, CrawlRun, Delivery, Item, ItemRevision, Source
from notifier import outbox
from notifier.base import Notifier
from notifier.dispatch import DispatchResult, deliver_due

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
# (section, language, kind) of each stored event
EVENTS = [("news_odkb", "en", "new"), ("speech", "en", "new"), ("news_odkb", "ru", "edited"),
          ("news_odkb", "en", "removed")]


def settings_with(database_url: str, **extra: Any) -> Settings:
    return Settings.model_validate({
        "database_url": database_url,
        "sources": [{"name": "csto-en", "url": "http://127.0.0.1:9/news/", "language": "en"}],
        **extra})


def store_events(sessions: sessionmaker[Session], notifiers: dict[str, Notifier]
                 ) -> list[int]:
    """EVENTS as items and change events, their deliveries queued; returns the event ids."""
    with sessions() as session, session.begin():
        source = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en")
        session.add(source)
        session.flush()
        run = CrawlRun(source_id=source.id, started_at=T0, outcome="changed")
        session.add(run)
        session.flush()
        events = [_event(session, source, run, n, *spec) for n, spec in enumerate(EVENTS)]
        session.flush()
        outbox.enqueue(session, events, notifiers, ["new", "edited", "removed"])
        return [e.id for e in events]


def _event(session: Session, source: Source, run: CrawlRun, n: int, section: str,
           language: str, kind: str) -> ChangeEvent:
    url = f"https://en.odkb-csto.org/news/{section}/item-{n}/"
    item = Item(source_id=source.id, url=url, section=section, slug=f"item-{n}",
                language=language, published=date(2026, 3, 1), title=f"Item {n} «title»",
                lead=f"Lead of item {n}.", body=f"Body of item {n}.", first_seen=T0,
                last_changed=T0, last_seen=T0, status="removed" if kind == "removed" else
                "active")
    session.add(item)
    session.flush()
    session.add(ItemRevision(item_id=item.id, number=1, captured_at=T0, url=url,
                             published=item.published, title=item.title, lead=item.lead,
                             body=item.body))
    event = ChangeEvent(item_id=item.id, run_id=run.id, kind=kind, detected_at=T0, url=url,
                        title=item.title, revision_number=1,
                        fields=["title"] if kind == "edited" else [],
                        previous={"title": "Old"} if kind == "edited" else {})
    session.add(event)
    event.item = item
    return event


def deliver(sessions: sessionmaker[Session], notifiers: dict[str, Notifier]
            ) -> DispatchResult:
    """One delivery round, as the daemon's delivery job runs it."""
    return asyncio.run(deliver_due(sessions, notifiers, max_attempts=8))


def due_now(sessions: sessionmaker[Session]) -> None:
    """Skip the backoff: every pending delivery is due again."""
    with sessions() as session, session.begin():
        session.execute(update(Delivery).where(Delivery.status == "pending")
                        .values(next_attempt_at=T0))
