"""A crawl whose own code raised (scraper.code_errors) makes the poll an error; a first poll
that stores none of its listing is no baseline. Prepared reports, real databases.

The real spider and the real command are covered in tests/test_e2e_code_faults.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.models import ChangeEvent, Item, Source
from scraper.code_errors import STAGES, CodeError
from tests.monitor.test_poll import BASE, ReplayCrawler, count, news, report, run_poll, settings

BROKEN = [CodeError("detail", f"{BASE}story-2/", "ValueError: no dateline"),
          CodeError("pipeline", f"{BASE}story-3/", "KeyError: 'lead'")]


@pytest.fixture
def crawler() -> ReplayCrawler:
    return ReplayCrawler()


def _source(sessions: sessionmaker[Session]) -> Source:
    with sessions() as s:
        return s.scalars(select(Source)).one()


def _counted(stage: str) -> float:
    return metrics.REGISTRY.get_sample_value(
        "csto_code_errors_total", {"source": "csto-en", "stage": stage}) or 0.0


def test_an_exception_in_our_code_fails_the_poll_naming_page_and_exception(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    outcome = run_poll(db_sessions, crawler,
                       report([1, 2, 3], details=[news(1)], code_errors=BROKEN))
    assert outcome.outcome == "error" and not outcome.clean
    assert outcome.errors[0].startswith("our own code failed on 2 page(s)")
    assert f"first: {BASE}story-2/: ValueError: no dateline (in the detail stage)" in \
        outcome.errors[0]
    assert outcome.errors[1:] == [error.line() for error in BROKEN]
    assert count(db_sessions, Item) == 0  # the page read fine is not trusted either
    source = _source(db_sessions)
    assert source.consecutive_failures == 1 and source.last_error == outcome.errors[0]
    assert (source.etag, source.baseline_done) == (None, False)

    mended = run_poll(db_sessions, crawler, report([1, 2, 3]))
    assert (mended.outcome, mended.new) == ("baseline", 3)
    assert crawler.calls[-1].etag is None  # nothing kept from the failed poll


def test_it_is_alerted_after_alert_after_failures_like_an_outage(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    cfg = settings(alert_after_failures=2)
    run_poll(db_sessions, crawler, report([1, 2, 3]), cfg)
    polls = [run_poll(db_sessions, crawler, report([1, 2, 3, 4], details=[],
                                                   code_errors=BROKEN[:1]), cfg)
             for _ in range(3)]
    assert [(p.outcome, p.failures, p.alert) for p in polls] == [
        ("error", 1, False), ("error", 2, True), ("error", 3, False)]
    assert _source(db_sessions).alerted
    back = run_poll(db_sessions, crawler, report([1, 2, 3, 4], details=[news(4)]), cfg)
    assert (back.outcome, back.new, back.recovered_after) == ("changed", 1, 3)
    assert not _source(db_sessions).alerted


def test_a_revisit_that_raised_fails_a_304_poll(db_sessions: sessionmaker[Session],
                                                crawler: ReplayCrawler) -> None:
    run_poll(db_sessions, crawler, report([1, 2, 3]))
    revisit = CodeError("detail", f"{BASE}story-1/", "AttributeError: 'NoneType' object")
    outcome = run_poll(db_sessions, crawler, report(
        [], details=[], not_modified=True, code_errors=[revisit]))
    assert outcome.outcome == "error"
    assert f"{BASE}story-1/: AttributeError" in outcome.errors[0]
    assert _source(db_sessions).consecutive_failures == 1


def test_a_first_poll_that_stores_none_of_its_listing_is_an_error(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    failed = [f"{BASE}story-{n}/: HTTP 500" for n in (1, 2, 3)]
    outcome = run_poll(db_sessions, crawler, report([1, 2, 3], details=[],
                                                    detail_errors=failed))
    assert outcome.outcome == "error"
    assert outcome.errors == [f"the first poll read 3 items on the listing and stored none "
                              f"of them; first failure: {failed[0]}"]
    assert not _source(db_sessions).baseline_done

    baseline = run_poll(db_sessions, crawler, report([1, 2, 3]))
    assert (baseline.outcome, baseline.new) == ("baseline", 3)
    assert count(db_sessions, ChangeEvent) == 0


def test_a_partial_baseline_retried_is_not_that_error(db_sessions: sessionmaker[Session],
                                                      crawler: ReplayCrawler) -> None:
    """Pages of the first poll that timed out are retried by the next ones (BASELINE_POLLS):
    a retry that fails again has stored nothing new, but the baseline has items."""
    timeouts = [f"cannot reach {BASE}story-{n}/: timeout" for n in (2, 3)]
    run_poll(db_sessions, crawler, report([1, 2, 3], details=[news(1)],
                                          detail_errors=timeouts))
    again = run_poll(db_sessions, crawler, report([1, 2, 3], details=[],
                                                  detail_errors=timeouts))
    assert again.outcome == "baseline" and again.errors == timeouts


def test_a_baseline_that_stored_nothing_is_taken_again_silently(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    """A database left by a release that took an all-failed poll for a baseline (and kept
    the listing's ETag): the next poll reads the listing in full and stores it silently."""
    run_poll(db_sessions, crawler, report([], details=[]))  # creates the source (an error)
    with db_sessions() as s, s.begin():
        s.execute(update(Source).values(baseline_done=True, etag='"v1"',
                                        consecutive_failures=0))
    outcome = run_poll(db_sessions, crawler, report([1, 2, 3]))
    assert crawler.calls[-1].etag is None
    assert (outcome.outcome, outcome.new) == ("baseline", 3)
    assert count(db_sessions, ChangeEvent) == 0


def test_code_errors_are_counted_by_stage_and_the_second_opinion_does_not_fail_a_poll(
        db_sessions: sessionmaker[Session], crawler: ReplayCrawler) -> None:
    before = {stage: _counted(stage) for stage in STAGES}
    run_poll(db_sessions, crawler, report([1, 2, 3], code_errors=BROKEN))
    kept = run_poll(db_sessions, crawler, report([1, 2, 3], second_opinion_failures=3))
    assert (kept.outcome, kept.new, kept.clean) == ("baseline", 3, True)
    grown = {stage: _counted(stage) - before[stage] for stage in STAGES}
    assert grown == {"listing": 0, "detail": 1, "document": 0, "probe": 0, "pipeline": 1,
                     "second_opinion": 3}


def test_metrics_declare_every_stage_the_scraper_names() -> None:
    assert metrics.CODE_ERROR_STAGES == STAGES
