"""The silent baseline: how long it lasts when detail pages fail (see also
tests/test_e2e_baseline.py for what a user sees)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, Item
from monitor.poll import BASELINE_POLLS
from tests.monitor.test_poll import BASE, ReplayCrawler, count, news, report, run_poll

TIMEOUT = f"timeout on {BASE}story-3/"


@pytest.fixture
def crawler() -> ReplayCrawler:
    return ReplayCrawler()


def test_items_whose_page_failed_in_the_baseline_are_stored_silently_later(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    first = run_poll(db_sessions, crawler, report([1, 2, 3], details=[news(1), news(2)],
                                                  detail_errors=[TIMEOUT]))
    assert (first.outcome, first.new) == ("baseline", 2)
    second = run_poll(db_sessions, crawler, report([1, 2, 3], details=[news(3)]))
    assert (second.outcome, second.new) == ("baseline", 1)
    assert count(db_sessions, Item) == 3 and count(db_sessions, ChangeEvent) == 0
    third = run_poll(db_sessions, crawler, report([1, 2, 3, 4], details=[news(4)]))
    assert (third.outcome, third.new) == ("changed", 1)  # the baseline ended with poll 2


def test_a_page_that_never_loads_does_not_keep_the_source_silent(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    for _ in range(BASELINE_POLLS):
        outcome = run_poll(db_sessions, crawler, report([1, 2, 3], details=[news(1), news(2)],
                                                        detail_errors=[TIMEOUT]))
        assert outcome.outcome == "baseline"
    later = run_poll(db_sessions, crawler, report([1, 2, 3, 4], details=[news(4)],
                                                  detail_errors=[TIMEOUT]))
    assert (later.outcome, later.new) == ("changed", 1)
