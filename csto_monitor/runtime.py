"""Wiring: settings -> database -> crawler -> poller -> notifiers, for every command that
polls or delivers (`check`, `run`, `digest`, `backfill`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import open_database
from core.locks import try_lock, wait_lock
from core.migrate import Upgrade
from monitor import store
from monitor.crawl_settings import crawl_options
from monitor.poll import SourcePoller
from monitor.translation.service import Translator, build_translator
from notifier import outbox
from notifier.base import Notifier
from notifier.digest_queue import schedules
from notifier.dispatch import DispatchResult, deliver_due
from notifier.registry import build_notifiers
from scraper.crawler import LazyCrawler, ManagedCrawler
from scraper.idle import IdleOptions, IdlePollCrawler
from scraper.worker_crawler import ProcessCrawler

if TYPE_CHECKING:  # Scrapy and Twisted are imported when the first crawl is built
    from scraper.runner import SourceCrawler

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """What a process needs to deliver (`digest`): the database and the notifiers.

    It needs no crawler, so building it installs no Twisted reactor: a process may build
    one per event loop (a reactor stays bound to the first loop for good).
    """

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    notifiers: dict[str, Notifier]
    # The configured translator, or None: the notifiers' and pairing's (title similarity)
    # share its cache, request budget and failure log.
    translator: Translator | None
    # What opening the database did ("created the database at revision 0011", …).
    schema: Upgrade

    @classmethod
    def build(cls, settings: Settings, stream: TextIO | None = None) -> Delivery:
        return cls(**cls._parts(settings, stream))

    @staticmethod
    def _parts(settings: Settings, stream: TextIO | None) -> dict[str, Any]:
        database = open_database(settings.database_url)
        engine, sessions = database.engine, database.sessions
        with wait_lock(engine, "sources"), sessions() as session, session.begin():
            for spec in settings.sources:
                store.get_source(session, spec)
        translator = build_translator(settings.translation, sessions)
        notifiers = build_notifiers(settings, sessions, stream, translator)
        return {"settings": settings, "engine": engine, "sessions": sessions,
                "notifiers": notifiers, "translator": translator, "schema": database.schema}

    def digest_channels(self, mode: str | None = None) -> dict[str, Notifier]:
        """The channels that send digests (of `mode` if given)."""
        return {name: n for name, n in self.notifiers.items() if schedules(n, mode)}

    async def deliver(self, notifiers: Mapping[str, Notifier] | None = None
                      ) -> DispatchResult:
        """Send what is due in the outbox, on every channel or on these."""
        delivery = self.settings.delivery
        return await deliver_due(self.sessions, notifiers or self.notifiers,
                                 lease=delivery.lease, max_attempts=delivery.max_attempts)


@dataclass
class Monitor(Delivery):
    """Everything one process needs to poll and deliver; built inside the running loop
    (the loop the Twisted reactor is bound to for the life of the process)."""

    crawler: IdlePollCrawler  # what polls: an idle poll's 304 without Scrapy
    poller: SourcePoller

    @classmethod
    def build(cls, settings: Settings, stream: TextIO | None = None,
              inner: ManagedCrawler | None = None) -> Monitor:
        """Polls through `IdlePollCrawler`; what it cannot answer alone (a changed listing)
        goes to `inner`: given, or Scrapy in this process, built at its first crawl."""
        if inner is None:
            inner = LazyCrawler(partial(in_process_crawler, settings))
        parts = cls._parts(settings, stream)
        crawler = IdlePollCrawler(inner, IdleOptions(
            user_agent=settings.user_agent,
            download_timeout=settings.crawl.download_timeout.total_seconds(),
            obey_robots_txt=settings.crawl.obey_robots_txt,
            download_delay=settings.crawl.download_delay.total_seconds()))
        announce = outbox.announcer(parts["notifiers"], settings.notify_on)
        poller = SourcePoller(settings, parts["sessions"], crawler, announce,
                              partial(try_lock, parts["engine"]), parts["translator"])
        return cls(**parts, crawler=crawler, poller=poller)


def in_process_crawler(settings: Settings) -> SourceCrawler:
    """Scrapy on this process's loop (`check` once its listing changed, `backfill`): built
    inside the running loop, and before anything imports `twisted.internet.reactor`."""
    from monitor.crawl_settings import scrapy_settings
    from scraper.reactor import ensure_reactor

    ensure_reactor()  # first: the reactor is bound to the loop it is installed on
    from scraper.runner import SourceCrawler

    return SourceCrawler(scrapy_settings(settings))


def worker_crawler(settings: Settings) -> ProcessCrawler:
    """The daemon's: each crawl in a worker process, stopped when idle (Scrapy, Twisted and
    the extractors stay out of the long-lived process)."""
    return ProcessCrawler(crawl_options(settings),
                          idle_after=settings.crawl.worker_idle.total_seconds())
