"""Issue 24: on a busy day of formulaic titles, with a small listing and page furniture,
no story is merged into another, every real re-slug is one story, and nothing is lost.

The real `csto-monitor check`, run after every second publication (an edit or a re-slug
among them now and then), on both databases.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import cli, write_config
from tests.noise.furniture import FurnishedReplica
from tests.noise.long_run import LongRun, busy_world, judge

PUBLICATIONS = 52
PER_CHECK = 2  # publications between two checks (half as many checks: the suite's time)


def test_busy_day_of_formulaic_titles(tmp_path: Path, database_url: str) -> None:
    world = busy_world()
    with FurnishedReplica(world, markup="bitrix") as replica:
        source = {"name": "csto-en", "url": replica.listing_url, "language": "en",
                  "pages": 2, "recheck_latest": 10}
        config = write_config(tmp_path / "config.yaml", [source], database_url,
                              crawl={"download_delay": "0s", "autothrottle": False,
                                     "download_timeout": "3s", "retries": 1,
                                     "retry_backoff": "0.05s", "recheck_interval": "0s"})
        assert cli(config, "check").code == 0  # the baseline, silent
        run = LongRun(world, replica.url)
        for first in range(0, PUBLICATIONS, PER_CHECK):
            for n in range(first, first + PER_CHECK):
                run.step(n)
            result = cli(config, "check")
            assert result.code == 0, result.err
        assert len(run.expected.reslugs) >= 10 and len(run.expected.edits) >= 7
        verdict = judge(database_url, world, run)
    assert verdict.false_events == [], (verdict.false_events, verdict.misplaced)
    assert verdict.misplaced == [], verdict.misplaced
    assert verdict.events == {"new": PUBLICATIONS,
                              "edited": len(run.expected.edits) + len(run.expected.reslugs)}
