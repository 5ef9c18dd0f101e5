"""The counters' label values stay in step with the poll outcomes."""

from __future__ import annotations

from typing import get_args

from monitor import metrics
from monitor.poll import Outcome


def test_every_counted_outcome_is_declared_and_stopped_is_not() -> None:
    assert set(metrics.POLL_OUTCOMES) == set(get_args(Outcome)) - {"stopped"}
