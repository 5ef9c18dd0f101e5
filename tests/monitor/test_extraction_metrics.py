"""The poll counts the crawl's second opinions on article bodies in /metrics."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from tests.monitor.test_poll import ReplayCrawler, report, run_poll


def _value(name: str) -> float:
    return metrics.REGISTRY.get_sample_value(f"{name}_total", {"source": "csto-en"}) or 0.0


def test_second_opinions_and_disagreements_are_counted(db_sessions: sessionmaker[Session]
                                                       ) -> None:
    before = (_value("csto_extraction_second_opinions"),
              _value("csto_extraction_disagreements"))
    crawler = ReplayCrawler()
    run_poll(db_sessions, crawler, report([1, 2, 3], second_opinions=3, disagreements=1))
    run_poll(db_sessions, crawler, report([1, 2, 3], second_opinions=2))
    after = (_value("csto_extraction_second_opinions"),
             _value("csto_extraction_disagreements"))
    assert (after[0] - before[0], after[1] - before[1]) == (5, 1)
