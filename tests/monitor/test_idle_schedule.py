"""Idle polls do not give revisit schedules again: only after a poll of this process that
stored items, or once SCHEDULE_RECHECK has passed (items stored by another process)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import Item
from monitor import poll
from monitor.poll import SourcePoller
from notifier import outbox
from notifier.channels.console import ConsoleNotifier
from scraper.report import CrawlReport
from tests.monitor.test_poll import BASE, ReplayCrawler, report, settings

STORY = "https://en.odkb-csto.org/news/news_odkb/story-2/"
IDLE = CrawlReport(source="csto-en", not_modified=True, finish_reason="finished", requests=1)


def replaying(cfg: Settings, sessions: sessionmaker[Session],
              crawler: ReplayCrawler) -> Callable[[CrawlReport], str]:
    """Polls the source once per call, the crawler answering with the report given."""
    poller = SourcePoller(cfg, sessions, crawler,
                          outbox.announcer({"console": ConsoleNotifier()}, cfg.notify_on))

    def run(rep: CrawlReport) -> str:
        crawler.reports.append(rep)
        return asyncio.run(poller.poll(cfg.sources[0])).outcome
    return run


def unscheduled(sessions: sessionmaker[Session]) -> list[str]:
    """Items without a schedule (an old story's ended one has its steps counted instead)."""
    with sessions() as session:
        return list(session.scalars(select(Item.url).where(Item.next_revisit_at.is_(None),
                                                           Item.revisit_step == 0)))


def test_an_item_stored_elsewhere_is_scheduled_by_the_first_poll_after_the_recheck(
        db_sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(poll, "SCHEDULE_RECHECK", timedelta(seconds=1))
    cfg = settings()
    crawler = ReplayCrawler()
    run = replaying(cfg, db_sessions, crawler)
    assert run(report([1, 2, 3])) == "baseline"
    assert run(IDLE) == "not_modified" and unscheduled(db_sessions) == []  # stored: scheduled
    with db_sessions() as session, session.begin():  # as a backfill in another process
        session.execute(update(Item).where(Item.url == STORY).values(next_revisit_at=None,
                                                                      revisit_step=0))

    assert run(IDLE) == "not_modified"
    assert unscheduled(db_sessions) == [STORY]  # an idle poll within the recheck: left
    time.sleep(1.1)
    assert run(IDLE) == "not_modified"
    assert unscheduled(db_sessions) == []  # the recheck came due


def test_items_stored_by_another_process_are_known_to_the_next_changed_poll(
        db_sessions: sessionmaker[Session]) -> None:
    """Idle polls keep the known window; a poll elsewhere that stored items moved the
    source's validators, and the next poll's spider is told about those items."""
    cfg = settings()
    crawler = ReplayCrawler()
    run = replaying(cfg, db_sessions, crawler)
    assert run(report([1, 2, 3])) == "baseline"
    assert run(IDLE) == "not_modified" and run(IDLE) == "not_modified"
    assert set(crawler.calls[-1].known) == {f"{BASE}story-{n}/" for n in (1, 2, 3)}
    elsewhere = ReplayCrawler()  # a `check` beside the daemon
    assert replaying(cfg, db_sessions, elsewhere)(replace(report([1, 2, 3, 4]),
                                                          etag='"v2"')) == "changed"

    assert run(report([1, 2, 3, 4, 5])) == "changed"
    assert f"{BASE}story-4/" in crawler.calls[-1].known
    assert crawler.calls[-1].etag == '"v2"'
