"""Stories written the way the poller writes them (item, revision, change event), in
either language, and the outbox drained the way the daemon drains it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import ExtBot

from core.models import ChangeEvent, CrawlRun, Item, ItemRevision, Source, Subscriber, utcnow
from notifier import outbox
from notifier.base import Notifier
from notifier.dispatch import DispatchResult, deliver_due

KINDS = ("new", "edited", "removed", "document_changed")
HOSTS = {"en": "https://en.odkb-csto.org", "ru": "https://odkb-csto.org"}


@dataclass
class Stories:
    sessions: sessionmaker[Session]

    def new(self, title: str, lead: str = "", *, language: str = "ru",
            section: str = "news_odkb", body: str = "Первый абзац.") -> ChangeEvent:
        with self.sessions() as session, session.begin():
            run = self._run(session, language)
            url = f"{HOSTS[language]}/news/{section}/{uuid.uuid4().hex[:10]}/"
            item = Item(source_id=run.source_id, url=url, section=section, slug="s",
                        language=language, published=date(2026, 11, 27), title=title,
                        lead=lead, body=body)
            session.add(item)
            session.flush()
            session.add(ItemRevision(item_id=item.id, number=1, url=url, title=title,
                                     lead=lead, body=body, published=item.published))
            return self._event(session, item, run.id, "new", revision_number=1)

    def edit(self, event: ChangeEvent, **fields: str) -> ChangeEvent:
        with self.sessions() as session, session.begin():
            item = session.get_one(Item, event.item_id)
            run = self._run(session, item.language)
            previous = {name: getattr(item, name) for name in fields}
            for name, value in fields.items():
                setattr(item, name, value)
            number = len(item.revisions) + 1
            session.add(ItemRevision(item_id=item.id, number=number, url=item.url,
                                     title=item.title, lead=item.lead, body=item.body,
                                     published=item.published, changed_fields=list(fields)))
            return self._event(session, item, run.id, "edited", fields=list(fields),
                               previous=previous, revision_number=number)

    def subscriber(self, channel: str, address: str, **preferences: Any) -> None:
        with self.sessions() as session, session.begin():
            defaults = {"mode": "instant", "languages": [], "sections": [], "keywords": []}
            session.add(Subscriber(channel=channel, address=address, status="active",
                                   **{**defaults, **preferences}))

    def _run(self, session: Session, language: str) -> CrawlRun:
        name = f"csto-{language}"
        source = session.scalar(select(Source).where(Source.name == name))
        if source is None:
            source = Source(name=name, url=f"{HOSTS[language]}/news/", language=language,
                            consecutive_failures=0, alerted=False, baseline_done=True)
            session.add(source)
            session.flush()
        run = CrawlRun(source_id=source.id, outcome="changed")
        session.add(run)
        session.flush()
        return run

    def _event(self, session: Session, item: Item, run_id: int, kind: str,
               **extra: Any) -> ChangeEvent:
        event = ChangeEvent(item_id=item.id, run_id=run_id, kind=kind, url=item.url,
                            title=item.title, detected_at=utcnow(), **extra)
        session.add(event)
        session.flush()
        session.refresh(event, ["item"])
        return event


def deliver(sessions: sessionmaker[Session], notifiers: Mapping[str, Notifier],
            events: Sequence[ChangeEvent], bots: Sequence[ExtBot[None]] = ()
            ) -> DispatchResult:
    """Queue the events as the poller does, then drain the outbox like the daemon."""
    with sessions() as session, session.begin():
        merged = [session.get_one(ChangeEvent, e.id) for e in events]
        outbox.enqueue(session, merged, notifiers, KINDS)

    async def drain() -> DispatchResult:
        try:
            return await deliver_due(sessions, notifiers)
        finally:
            for bot in bots:  # its HTTP client is bound to this loop
                await bot.shutdown()

    return asyncio.run(drain())
