"""Polls that answer 304 skip the divergence check until a one-sided edit can be due; the
edit is still recorded as `diverged` by the first idle poll after `divergence_after`."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, utcnow
from monitor.poll import SourcePoller
from notifier import outbox
from notifier.channels.console import ConsoleNotifier
from scraper.report import CrawlReport
from tests.fixtures.digests import Timeline
from tests.monitor.test_poll import ReplayCrawler, settings

AFTER = 2.0  # seconds: bilingual.divergence_after


def not_modified() -> CrawlReport:
    return CrawlReport(source="csto-en", not_modified=True, finish_reason="finished",
                       requests=1)


def diverged(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(ChangeEvent.url)
                                    .where(ChangeEvent.kind == "diverged")))


def test_a_one_sided_edit_comes_due_between_idle_polls(db_sessions: sessionmaker[Session]
                                                        ) -> None:
    timeline = Timeline(db_sessions)
    start = utcnow() - timedelta(days=1)
    en = timeline.version("en", "Summit in Minsk", start)
    ru = timeline.version("ru", "Саммит в Минске", start)
    timeline.pair(en, ru, start)
    timeline.edit(ru, "Саммит в Минске (обновлено)", utcnow())  # the English one does not follow
    cfg = settings(bilingual={"divergence_after": f"{AFTER:g}s"})
    crawler = ReplayCrawler()
    poller = SourcePoller(cfg, db_sessions, crawler,
                          outbox.announcer({"console": ConsoleNotifier()}, cfg.notify_on))

    def poll() -> int:
        crawler.reports.append(not_modified())
        outcome = asyncio.run(poller.poll(cfg.sources[0]))
        assert outcome.outcome == "not_modified"
        return outcome.diverged

    assert poll() == 0 and diverged(db_sessions) == []  # not due yet
    time.sleep(AFTER + 0.3)
    assert poll() == 1  # an idle poll, but the edit has come due meanwhile
    assert len(diverged(db_sessions)) == 1
    assert poll() == 0 and len(diverged(db_sessions)) == 1  # recorded once
