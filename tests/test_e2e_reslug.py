"""Issue 24 end to end, with the real `csto-monitor` commands on both databases: a re-slug
is merged only when the old URL confirms it, a failed probe defers the new story, and a
merge is shown and can be undone (the swallowed story announced once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import cli, count_events, source, write_config
from tests.replica import ReplicaServer, World


@pytest.fixture
def config(tmp_path: Path, replica: ReplicaServer, database_url: str) -> Path:
    return write_config(tmp_path / "config.yaml", [source(replica.listing_url)], database_url)


def changes(config: Path) -> list[dict]:
    result = cli(config, "history", "--changes", "--format", "json", "--limit", "1000")
    assert result.code == 0, result.err
    return result.json()


def items(config: Path) -> dict[str, dict]:
    result = cli(config, "history", "--format", "json", "--limit", "1000")
    assert result.code == 0, result.err
    return {item["url"]: item for item in result.json()}


def test_a_redirect_confirms_a_reslug(config: Path, world: World,
                                      replica: ReplicaServer) -> None:
    assert cli(config, "check").code == 0
    story = world.articles_in("en")[2]
    old = replica.url_for(story)
    moved = world.reslug(story.id, story.slug.rstrip("-") + "-fixed", redirect=True)
    result = cli(config, "check")
    assert result.code == 0, result.err
    assert count_events(result.out) == {"new": 0, "edited": 1, "removed": 0}
    (event,) = changes(config)
    assert (event["fields"], event["url"]) == (["url"], replica.url_for(moved))
    shown = cli(config, "show", str(event["item_id"]))
    assert f"URL history: merged from {old} at revision 2 (the old URL redirected to the " \
           "new one)" in shown.out


def test_a_failed_probe_defers_the_new_story_then_the_merge_happens(
        config: Path, world: World, replica: ReplicaServer) -> None:
    assert cli(config, "check").code == 0
    story = world.articles_in("en")[2]
    moved = world.reslug(story.id, story.slug.rstrip("-") + "-fixed")
    world.set_detail_fault(story.path, "http_503", times=2)  # the probe and its retry
    deferred = cli(config, "check")
    assert "HTTP 503 (probe)" in deferred.out + deferred.err
    assert count_events(deferred.out) == {"new": 0, "edited": 0, "removed": 0}
    assert replica.url_for(moved) not in items(config)  # not stored, not announced
    settled = cli(config, "check")
    assert settled.code == 0, settled.err
    assert count_events(settled.out) == {"new": 0, "edited": 1, "removed": 0}
    assert [(e["kind"], e["fields"]) for e in changes(config)] == [("edited", ["url"])]


def test_unmerge_restores_both_stories_and_announces_the_swallowed_one_once(
        config: Path, world: World, replica: ReplicaServer) -> None:
    assert cli(config, "check").code == 0
    story = world.articles_in("en")[2]
    old = replica.url_for(story)
    moved = world.reslug(story.id, story.slug.rstrip("-") + "-fixed")
    world.edit(story.id, body=[*moved.body, "A paragraph of the story at its new URL."])
    assert count_events(cli(config, "check").out)["edited"] == 1
    new_url = replica.url_for(moved)
    merged = items(config)[new_url]
    assert merged["revisions"] == 2 and old not in items(config)

    undone = cli(config, "unmerge", str(merged["id"]))
    assert undone.code == 0, undone.err
    assert f"unmerged #{merged['id']}: back at {old}" in undone.out
    stored = items(config)
    assert stored[old]["id"] == merged["id"] and stored[old]["revisions"] == 1
    split = stored[new_url]
    assert split["id"] != merged["id"] and split["revisions"] == 1
    news = [e for e in changes(config) if e["kind"] == "new"]
    assert [(e["item_id"], e["url"]) for e in news] == [(split["id"], new_url)]
    shown = cli(config, "show", str(merged["id"]))
    assert "A paragraph of the story" not in shown.out and "Revision 2" not in shown.out
    assert f"URL history: merged from {old} at revision 2 (the old URL answered 404 Not " \
           f"Found); undone on" in shown.out and f": #{split['id']}" in shown.out
    assert f"split off #{merged['id']}" in cli(config, "show", str(split["id"])).out

    again = cli(config, "unmerge", str(merged["id"]))
    assert again.code == 2 and again.err.count("\n") == 1
    assert "already undone" in again.err and "Traceback" not in again.err
    missing = cli(config, "unmerge", "99999")
    assert missing.code == 2 and "no item 99999" in missing.err
    # The next poll announces nothing again (the listing is unchanged: it answers 304).
    after = cli(config, "check")
    assert after.code == 0 and count_events(after.out) == {"new": 0, "edited": 0, "removed": 0}
    assert len([e for e in changes(config) if e["kind"] == "new"]) == 1
