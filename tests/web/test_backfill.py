"""`csto-monitor backfill`: the archive's older pages stored silently, with progress."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import cli, count_events, source, write_config
from tests.replica import ReplicaServer


def test_backfill_stores_older_pages_without_events(tmp_path: Path, replica: ReplicaServer,
                                                    database_url: str) -> None:
    config = write_config(tmp_path / "config.yaml", [source(replica.listing_url, pages=1)],
                          database_url)
    first = cli(config, "check")
    assert first.code == 0, first.err
    known = len(cli(config, "history", "--format", "json", "--limit", "1000").json())

    result = cli(config, "backfill", "--pages", "10")
    assert result.code == 0, result.err
    total = len(cli(config, "history", "--format", "json", "--limit", "1000").json())
    assert total == 25 > known
    assert f"csto-en: stored {25 - known} new item(s) silently" in result.out
    assert "items/s" in result.err and "Traceback" not in result.err
    assert cli(config, "history", "--changes", "--format", "json").json() == []

    again = cli(config, "check")  # the daemon's next poll: nothing to announce
    assert again.code == 0 and count_events(again.out) == {"new": 0, "edited": 0, "removed": 0}
    assert cli(config, "backfill", "--pages", "10").out.count("stored 0 new item(s)") == 1


def test_backfill_of_an_unknown_source_says_which_exist(tmp_path: Path,
                                                        replica: ReplicaServer) -> None:
    config = write_config(tmp_path / "config.yaml", [source(replica.listing_url)],
                          f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = cli(config, "backfill", "--source", "nope")
    assert result.code == 2
    assert "--source nope: no such source; configured: csto-en" in result.err
