"""End to end: the real `csto-monitor check` against the site replica, world after world.

Every test here runs the command in a fresh process, on SQLite and on PostgreSQL, and
asserts what a user sees: the printed notifications, the exit code, and the stored history.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.e2e.harness import SWEEP_CRAWL, Result, cli, count_events, source, write_config
from tests.replica import ReplicaServer, World, make_article

HOSTILE = "<b>Bold</b> & <script>alert(1)</script>\nsecond line"


@pytest.fixture
def config(tmp_path: Path, replica: ReplicaServer, database_url: str) -> Path:
    return write_config(tmp_path / "config.yaml", [source(replica.listing_url)], database_url)


def changes(config: Path) -> list[dict]:
    result = cli(config, "history", "--changes", "--format", "json", "--limit", "1000")
    assert result.code == 0, result.err
    return result.json()


def items(config: Path, *args: str) -> list[dict]:
    result = cli(config, "history", "--format", "json", "--limit", "1000", *args)
    assert result.code == 0, result.err
    return result.json()


def check(config: Path) -> Result:
    return cli(config, "check")


def test_publish_edit_remove_then_quiet(tmp_path: Path, database_url: str, world: World,
                                        replica: ReplicaServer) -> None:
    # The fourth story is old: its schedule of revisits is over, and its hidden edit is
    # found by the sweep the configuration can still ask for (superseded by revisits).
    config = write_config(tmp_path / "config.yaml", [source(replica.listing_url)],
                          database_url, crawl=SWEEP_CRAWL)
    first = check(config)
    assert first.code == 0, first.err
    assert "csto-en: first poll: stored 25 items silently" in first.out
    assert count_events(first.out) == {"new": 0, "edited": 0, "removed": 0}
    assert changes(config) == []

    listed = world.articles_in("en")
    new = [make_article(f"New story number {n} of the CSTO", published=date(2025, 6, 10 + n))
           for n in range(3)]
    for article in new:
        world.publish(article)
    world.edit(listed[3].id, title="An edited title of the fourth story")
    world.remove(listed[5].id)

    second = check(config)
    assert second.code == 0, second.err
    # The listing prints the fourth story's lead, not its title: the title edit is found
    # when the newest pages are re-read, at the poll after the listing changed.
    assert count_events(second.out) == {"new": 3, "edited": 0, "removed": 1}
    assert "csto-en: 3 new, 0 edited, 1 removed" in second.out
    third = check(config)
    assert third.code == 0, third.err
    assert count_events(third.out) == {"new": 0, "edited": 1, "removed": 0}
    events = changes(config)
    assert sorted(e["kind"] for e in events) == ["edited", "new", "new", "new", "removed"]
    edited = next(e for e in events if e["kind"] == "edited")
    assert edited["fields"] == ["title"]
    assert edited["title"] == "An edited title of the fourth story"
    assert next(e for e in events if e["kind"] == "removed")["url"] == replica.url_for(listed[5])
    stored = {i["url"]: i for i in items(config)}
    for article in new:  # the articles' own dates, not the sidebar's or today's
        assert stored[replica.url_for(article)]["published"] == article.published.isoformat()
    assert stored[replica.url_for(listed[5])]["status"] == "removed"
    assert stored[replica.url_for(listed[3])]["revisions"] == 2

    fourth = check(config)
    assert fourth.code == 0, fourth.err
    assert count_events(fourth.out) == {"new": 0, "edited": 0, "removed": 0}
    assert "csto-en: unchanged" in fourth.out
    assert len(changes(config)) == 5


def test_reslug_is_an_edit_not_new_and_removed(config: Path, world: World,
                                               replica: ReplicaServer) -> None:
    assert check(config).code == 0
    story = world.articles_in("en")[2]
    world.reslug(story.id, story.slug.rstrip("-") + "-2")
    result = check(config)
    assert result.code == 0, result.err
    assert count_events(result.out) == {"new": 0, "edited": 1, "removed": 0}
    (event,) = changes(config)
    assert event["fields"] == ["url"]
    assert event["url"] == replica.url_for(world.get(story.id))


@pytest.mark.parametrize(("recheck", "detected"), [("0s", 1), ("6h", 0)])
def test_body_only_edit_is_caught_by_the_periodic_full_read(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        recheck: str, detected: int) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url,
                          crawl={"download_delay": "0s", "autothrottle": False,
                                 "recheck_interval": recheck})
    assert check(config).code == 0
    story = world.articles_in("en")[4]
    world.edit(story.id, body=[*story.body, "A paragraph added later."])
    replica.clear_log()
    result = check(config)
    assert count_events(result.out) == {"new": 0, "edited": detected, "removed": 0}
    if not detected:  # the listing answered 304: nothing else fetched but robots.txt
        site = [r for r in replica.requests if r.path != "/robots.txt"]
        assert [(r.path, r.status) for r in site] == [("/news/", 304)]
        assert "304 Not Modified" in result.out


def test_a_new_item_costs_the_listing_and_its_own_page_only(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    """Between the periodic full reads, a changed listing does not re-read other stories."""
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url,
                          crawl={"download_delay": "0s", "autothrottle": False,
                                 "recheck_interval": "6h"})
    assert check(config).code == 0
    fresh = world.publish(make_article("Published between full reads",
                                       published=date(2025, 7, 3)))
    replica.clear_log()
    result = check(config)
    assert count_events(result.out) == {"new": 1, "edited": 0, "removed": 0}
    details = [r.path for r in replica.requests
               if r.path != "/robots.txt" and not r.path.startswith("/news/?")
               and r.path != "/news/"]
    assert details == [fresh.path]


def test_hostile_title_is_stored_and_printed_literally(config: Path, world: World) -> None:
    assert check(config).code == 0
    world.publish(make_article(HOSTILE, slug="hostile-title", published=date(2025, 7, 1)))
    result = check(config)
    assert result.code == 0, result.err
    assert f"[NEW] {HOSTILE}\n" in result.out
    (event,) = changes(config)
    assert event["title"] == HOSTILE
    table = cli(config, "history", "--search", "second line", env={"COLUMNS": "300"})
    assert "<b>Bold</b>" in table.out and "<script>" in table.out


@pytest.mark.parametrize("fault", ["http_503", "reset", "truncated", "garbage",
                                   "empty_listing", "markup_changed"])
def test_site_fault_changes_nothing_and_fails_the_check(config: Path, world: World,
                                                        fault: str) -> None:
    assert check(config).code == 0
    world.publish(make_article("Published during the outage", published=date(2025, 7, 2)))
    world.remove(world.articles_in("en")[4].id)
    world.fault = fault
    result = check(config)
    assert result.code == 1
    assert count_events(result.out) == {"new": 0, "edited": 0, "removed": 0}
    assert result.err.count("csto-en: poll failed: ") == 1, result.err
    assert "Traceback" not in result.err
    assert changes(config) == []

    world.fault = None
    recovered = check(config)
    assert recovered.code == 0, recovered.err
    assert count_events(recovered.out) == {"new": 1, "edited": 0, "removed": 1}


def test_first_run_notify_announces_everything(tmp_path: Path, replica: ReplicaServer,
                                               database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url, pages=1)],
                          database_url, first_run="notify")
    result = check(config)
    assert result.code == 0, result.err
    assert count_events(result.out)["new"] == 20


def test_unreachable_site_is_one_clear_line(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source("http://127.0.0.1:9/news/")],
                          database_url)
    result = check(config)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if "poll failed" in line]
    assert len(lines) == 1 and "cannot reach http://127.0.0.1:9/news/" in lines[0], result.err
    assert "Traceback" not in result.err


def test_typography_is_not_an_edit_and_a_word_is(tmp_path: Path, world: World,
                                                 replica: ReplicaServer,
                                                 database_url: str) -> None:
    """Quote style, NBSP and spacing changes are no event; one changed word is, word by word."""
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url,
                          crawl={"download_delay": "0s", "autothrottle": False,
                                 "recheck_interval": "0s"})
    assert check(config).code == 0
    story = world.articles_in("en")[4]
    quoted = "The report «Issues of Policy Coordination» was heard at the fourth meeting."
    world.edit(story.id, title=story.title + " «Eurasia»", body=[*story.body, quoted])
    assert count_events(check(config).out) == {"new": 0, "edited": 1, "removed": 0}

    retyped = quoted.replace("«", "“").replace("»", "”").replace(" ", "\u00a0", 3)
    world.edit(story.id, title=(story.title + ' "Eurasia" ').replace(" ", "  ", 1),
               body=[p.replace(" ", " \u2009", 2) for p in story.body] + [retyped])
    result = check(config)
    assert result.code == 0, result.err
    assert count_events(result.out) == {"new": 0, "edited": 0, "removed": 0}
    assert [e["kind"] for e in changes(config)] == ["edited"]

    world.edit(story.id, body=[*story.body, retyped.replace("fourth", "fifth")])
    result = check(config)
    assert count_events(result.out) == {"new": 0, "edited": 1, "removed": 0}
    assert "  body: ~ … Policy Coordination” was heard at the [-fourth-]{+fifth+} meeting." \
        in result.out
    shown = cli(config, "show", replica.url_for(story))
    assert shown.code == 0, shown.err
    assert "Revision 3" in shown.out and "Revision 4" not in shown.out
    assert "[-fourth-]{+fifth+} meeting." in shown.out
