"""End to end: what was on the site before monitoring began is never announced as new,
even when some of its pages could not be read during the first poll."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import cli, count_events, source, write_config
from tests.replica import ReplicaServer, World, make_article


def test_pages_that_timed_out_in_the_first_poll_join_the_baseline_silently(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url)
    old = world.articles[0]  # on the site before monitoring began
    world.set_detail_fault(old.path, "hang")  # longer than download_timeout

    first = cli(config, "check")
    assert first.code == 1, first.err  # a page failed: said so, not hidden
    assert "first poll: stored" in first.out + first.err and "page(s) failed" in first.err

    world.set_detail_fault(old.path, None)
    second = cli(config, "check")
    assert second.code == 0, second.err
    assert count_events(second.out) == {"new": 0, "edited": 0, "removed": 0}
    stored = cli(config, "history", "--format", "json", "--limit", "1000").json()
    assert old.title in {row["title"] for row in stored}
    assert cli(config, "history", "--changes", "--format", "json").json() == []

    world.publish(make_article("Session of the CSTO Collective Security Council"))
    third = cli(config, "check")  # the baseline is over: news is news again
    assert third.code == 0, third.err
    assert count_events(third.out)["new"] == 1
    assert "Session of the CSTO Collective Security Council" in third.out
