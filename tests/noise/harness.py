"""Polling a furnished replica in-process, as the daemon does, on a real database."""

from __future__ import annotations

import io
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select

from core.config import Settings
from core.models import ChangeEvent, Item, ItemRevision, LearnedRule
from csto_monitor.runtime import Monitor
from monitor.poll import PollOutcome
from tests.noise.furniture import FURNITURE_WORDS, FurnishedReplica

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def settings_for(replica: FurnishedReplica, database_url: str, **overrides: Any) -> Settings:
    """Every poll reads the whole listing and re-reads every page (the recheck is due)."""
    source = {"name": "csto-en", "url": replica.listing_url, "language": replica.language,
              "pages": 2, "recheck_latest": 50}
    data: dict[str, Any] = {
        "database_url": database_url, "sources": [source], "first_run": "silent",
        "crawl": {"download_delay": "0s", "autothrottle": False, "download_timeout": "3s",
                  "retries": 1, "retry_backoff": "0.05s", "recheck_interval": "0s"},
        "http": {"enabled": False},
    }
    return Settings.model_validate({**data, **overrides})


class Poller:
    """One Monitor (crawler, poller, database) polling the replica's one source."""

    def __init__(self, run: Run, settings: Settings) -> None:
        self.run, self.settings = run, settings
        self.monitor: Monitor = run(self._build())

    async def _build(self) -> Monitor:
        return Monitor.build(self.settings, io.StringIO())

    def poll(self) -> PollOutcome:
        outcome: PollOutcome = self.run(self.monitor.poller.poll(self.settings.sources[0]))
        assert outcome.clean, outcome.line()
        return outcome

    def edits(self) -> list[list[str]]:
        """The fields of every edited event so far, oldest first."""
        with self.monitor.sessions() as session:
            return [list(fields) for fields in session.scalars(
                select(ChangeEvent.fields).where(ChangeEvent.kind == "edited")
                .order_by(ChangeEvent.id))]

    def edits_by_url(self) -> list[tuple[str, list[str]]]:
        """(url, fields) of every edited event so far, oldest first."""
        with self.monitor.sessions() as session:
            rows = session.execute(select(ChangeEvent.url, ChangeEvent.fields)
                                   .where(ChangeEvent.kind == "edited")
                                   .order_by(ChangeEvent.id)).tuples()
            return [(url, list(fields)) for url, fields in rows]

    def rule_count(self) -> int:
        return self.count(LearnedRule)

    def item(self, url: str) -> Item:
        with self.monitor.sessions() as session:
            item = session.scalar(select(Item).where(Item.url == url))
            assert item is not None, url
            session.expunge(item)
            return item

    def furniture_stored(self) -> list[str]:
        """Stored bodies and leads (items and revisions) holding furniture text."""
        found = []
        with self.monitor.sessions() as session:
            for model in (Item, ItemRevision):
                for row in session.scalars(select(model)):
                    text = f"{row.lead}\n\n{row.body}"
                    found += [f"{row.url}: {w}" for w in FURNITURE_WORDS if w in text]
        return found

    def count(self, model: Any) -> int:
        with self.monitor.sessions() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0


@contextmanager
def poller(run: Run, replica: FurnishedReplica, database_url: str) -> Iterator[Poller]:
    polling = Poller(run, settings_for(replica, database_url))
    try:
        yield polling
    finally:
        run(polling.monitor.crawler.stop())  # its HTTP client, and Scrapy's crawls
        bind = polling.monitor.sessions.kw["bind"]
        bind.dispose()
