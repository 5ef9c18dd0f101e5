"""The daemon as a user runs it: real processes, the site replica, SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
import random
import re
import signal
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import (
    Daemon,
    cli,
    process_alive,
    source,
    with_own_http_port,
    write_config,
)
from tests.replica import LoggedRequest, ReplicaServer, World, make_article
from tests.web.helpers import fetch, free_port

# Real daemons in subprocesses, timed against their logs: one at a time per test run, so
# that on a 2-core machine they do not starve each other (tests of one xdist group share
# a worker).
pytestmark = pytest.mark.xdist_group("daemons")

FAULTS = ["http_500", "hang", "reset", "truncated", "garbage", "empty_listing",
          "markup_changed"]


def daemon_config(tmp_path: Path, replica: ReplicaServer, database_url: str,
                  **overrides: Any) -> Path:
    settings: dict[str, Any] = {
        "poll_interval": "1s", "poll_jitter": "0s", "max_backoff": "2s",
        "alert_after_failures": 2,
        "crawl": {"download_delay": "0s", "autothrottle": False, "download_timeout": "1s",
                  "retries": 0, "recheck_interval": "1h"},
        "delivery": {"interval": "1s", "lease": "3s"},
    }
    settings.update(overrides)
    return write_config(tmp_path / "config.yaml", [source(replica.listing_url)], database_url,
                        **settings)


def new_article(n: int) -> Any:
    return make_article(f"Published item number {n} of the run", slug=f"published-item-{n}",
                        published=date(2025, 7, 1) + timedelta(days=n))


def test_site_faults_never_become_news(tmp_path: Path, world: World, replica: ReplicaServer,
                                       database_url: str) -> None:
    world.hang_seconds = 3
    # Back off 1 s at most: the outages (two failed polls each) and recoveries come quicker.
    config = daemon_config(tmp_path, replica, database_url, max_backoff="1s")
    daemon = Daemon(config, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        for number, fault in enumerate(FAULTS, start=1):
            world.fault = fault
            daemon.wait_for_log("ALERT csto-en", count=number, timeout=40)
            status = cli(daemon.config, "status", "--format", "json")
            assert status.code == 1 and status.out, status.err
            assert status.json()["sources"][0]["state"] == "failing"
            world.fault = None
            daemon.wait_for_log("RECOVERED csto-en", count=number, timeout=40)
        world.publish(new_article(1))
        daemon.wait_for(lambda: "[NEW] Published item number 1" in daemon.out, 30, "the item")
    finally:
        assert daemon.stop() == 0
    assert daemon.err.count("ALERT csto-en") == len(FAULTS)
    assert daemon.err.count("RECOVERED csto-en") == len(FAULTS)
    assert daemon.out.count("[NEW]") == 1 and "[REMOVED]" not in daemon.out
    assert "Traceback" not in daemon.err
    status = cli(daemon.config, "status", "--format", "json")
    assert status.code == 0 and status.json()["sources"][0]["state"] == "ok"


def test_idle_poll_is_one_conditional_request(tmp_path: Path, replica: ReplicaServer,
                                              database_url: str) -> None:
    daemon = Daemon(daemon_config(tmp_path, replica, database_url), tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        replica.clear_log()
        daemon.wait_for(lambda: len(replica.requests) >= 4, 20, "four more polls")
    finally:
        assert daemon.stop() == 0
    assert {(r.path, r.status) for r in replica.requests} == {("/news/", 304)}
    assert all("if-none-match" in r.headers for r in replica.requests)


def test_sigterm_during_a_hanging_crawl_exits_cleanly_within_10_s(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    world.hang_seconds = 30
    config = daemon_config(tmp_path, replica, database_url, alert_after_failures=1,
                           crawl={"download_delay": "0s", "autothrottle": False,
                                  "download_timeout": "30s", "retries": 0})
    daemon = Daemon(config, tmp_path).start()
    daemon.wait_for_log("first poll: stored")
    world.publish(new_article(1))
    world.fault = "hang"
    daemon.wait_for(lambda: any(r.fault == "hang" for r in replica.requests), 20,
                    "a hanging request")
    started = time.monotonic()
    assert daemon.stop(timeout=10) == 0
    assert time.monotonic() - started < 10
    assert "stopped" in daemon.err and "[NEW]" not in daemon.out
    world.fault = None
    assert cli(config, "history", "--changes", "--format", "json").json() == []
    # Abandoned, not failed: no failure recorded, nobody alerted on the way out.
    assert "ALERT" not in daemon.err and "did not finish normally" not in daemon.err
    assert "csto-en: poll abandoned at shutdown" in daemon.err
    [row] = cli(config, "status", "--format", "json").json()["sources"]
    assert row["consecutive_failures"] == 0 and row["last_error"] is None, row


def test_kill_9_at_random_moments_loses_and_repeats_nothing(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    rng = random.Random(20261127)
    daemon = Daemon(daemon_config(tmp_path, replica, database_url), tmp_path).start()
    daemon.wait_for_log("first poll: stored")
    published = 0
    for kill in range(20):
        for _ in range(1 if kill % 2 else 2):
            if published < 30:
                published += 1
                world.publish(new_article(published))
        time.sleep(rng.uniform(0.1, 2.5))
        daemon.kill()
        daemon.start()
    assert published == 30
    try:
        daemon.wait_for(lambda: sum(f"[NEW] Published item number {n} of the run\n"
                                    in daemon.out for n in range(1, 31)) == 30,
                        90, "all 30 notifications")
        time.sleep(2)  # a duplicate, if any, would come with the next delivery rounds
    finally:
        assert daemon.stop() == 0
    events = cli(daemon.config, "history", "--changes", "--format", "json", "--limit", "1000")
    assert sorted(e["title"] for e in events.json()) == sorted(
        f"Published item number {n} of the run" for n in range(1, 31))
    assert {e["kind"] for e in events.json()} == {"new"}
    for n in range(1, 31):
        assert daemon.out.count(f"[NEW] Published item number {n} of the run\n") == 1


def test_two_daemons_on_one_postgresql_poll_and_send_once(
        tmp_path: Path, world: World, replica: ReplicaServer, new_pg_database: str) -> None:
    config = daemon_config(tmp_path, replica, new_pg_database)
    first = Daemon(config, tmp_path, "first").start()
    second = Daemon(with_own_http_port(config, "second"), tmp_path, "second").start()
    try:
        first.wait_for(lambda: "first poll: stored" in first.err + second.err, 30, "baseline")
        for n in range(1, 11):
            world.publish(new_article(n))
            time.sleep(0.4)
        first.wait_for(lambda: (first.out + second.out).count("[NEW]") >= 10, 40, "10 items")
        # Enough polls for the overlap check below to mean something (slow on a busy machine).
        first.wait_for(lambda: len(_crawl_runs(new_pg_database)) > 5, 40, "six polls")
        time.sleep(2)  # a duplicate, if any, would come with the next delivery rounds
    finally:
        assert first.stop() == 0 and second.stop() == 0
    both = first.out + second.out
    for n in range(1, 11):
        assert both.count(f"[NEW] Published item number {n} of the run\n") == 1
    assert "another process is polling" not in both
    runs = _crawl_runs(new_pg_database)
    assert len(runs) > 5
    for (_, end_a), (start_b, _) in itertools.pairwise(runs):
        assert end_a <= start_b, "two polls of one source overlapped"


def _crawl_runs(database_url: str) -> list[tuple[Any, Any]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT started_at, finished_at FROM crawl_runs "
                                 "ORDER BY started_at")).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


def test_no_secret_in_any_log_line(tmp_path: Path, replica: ReplicaServer, world: World,
                                   new_pg_database: str) -> None:
    token, smtp_password, db_password = "123456:AAE-SECRET_token_x", "smtp-pass-xyz", "db-pw-42"
    url = new_pg_database.replace("postgres@", f"postgres:{db_password}@")
    # The bot API and the SMTP server are unreachable ports on 127.0.0.1: their errors
    # must not carry the secrets into the log either.
    config = daemon_config(tmp_path, replica, url,
                           telegram={"token": token, "api_url": "http://127.0.0.1:9"},
                           email={"password": smtp_password, "smtp_host": "127.0.0.1",
                                  "smtp_port": 9, "sender": "CSTO <news@example.org>"})
    world.fault = "http_500"
    daemon = Daemon(config, tmp_path).start("--log-level", "DEBUG")
    try:
        daemon.wait_for_log("ALERT csto-en")
    finally:
        assert daemon.stop() == 0
    check = cli(config, "--log-level", "DEBUG", "check")
    logs = daemon.err + check.err + cli(config, "--log-format", "json", "status").err
    assert "poll failed" in logs
    for secret in (token, smtp_password, db_password):
        assert secret not in logs


def test_a_slow_first_poll_metrics_at_zero_and_one_debug_line_for_its_skipped_ticks(
        tmp_path: Path, world: World, replica: ReplicaServer) -> None:
    world.fault, world.hang_seconds = "hang", 4  # the first poll spans about 4 ticks
    port = free_port()
    config = daemon_config(tmp_path, replica, f"sqlite:///{tmp_path / 'csto.db'}",
                           http={"listen": f"127.0.0.1:{port}"},
                           crawl={"download_delay": "0s", "autothrottle": False,
                                  "download_timeout": "10s", "retries": 0})
    daemon = Daemon(config, tmp_path).start("--log-level", "DEBUG")
    try:
        daemon.wait_for_log("HTTP server started")
        before = fetch(f"http://127.0.0.1:{port}/metrics").text
        daemon.wait_for_log("first poll: stored", timeout=30)
        world.fault = None
        daemon.wait_for_log("unchanged", count=2)
    finally:
        assert daemon.stop() == 0
    series = _series(before)
    for outcome in ("baseline", "not_modified", "unchanged", "changed", "error", "skipped"):
        assert series[("csto_polls_total", f'outcome="{outcome}",source="csto-en"')] == 0
    for name in ("csto_poll_failures_total", "csto_requests_total", "csto_not_modified_total"):
        assert series[(name, 'source="csto-en"')] == 0
    assert series[("csto_change_events_total", 'kind="new"')] == 0
    # Only the hung first poll is certain to outlast its ticks: on a slow machine a later
    # poll may too, and it is rightly told once more.
    first_poll = daemon.err.split("first poll: stored")[0].splitlines()
    skipped = [line for line in first_poll if "ticks are skipped" in line]
    assert len(skipped) == 1 and " DEBUG " in skipped[0], daemon.err
    assert "maximum number of running instances" not in daemon.err
    assert " WARNING " not in daemon.err


def _series(exposition: str) -> dict[tuple[str, str], float]:
    """{(name, 'a="x",b="y"' with labels sorted): value} of a Prometheus text exposition."""
    found = {}
    for match in re.finditer(r"^(\w+)\{(.*)\} (\S+)$", exposition, re.MULTILINE):
        labels = ",".join(sorted(match.group(2).split(",")))
        found[(match.group(1), labels)] = float(match.group(3))
    return found


QUIET_OR_ACTIVE = re.compile(r"(active|quiet) hour (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:00 "
                             r"Europe/Moscow: every (1|3) s")


def test_learned_polling_sets_each_next_poll_with_its_reason_and_status_shows_it(
        tmp_path: Path, replica: ReplicaServer, database_url: str) -> None:
    """Between the bounds (1 s, 3 s here), as the hour of the week asks; `status` shows
    the learned active hours and the next poll with its reason."""
    config = daemon_config(tmp_path, replica, database_url,
                           polling={"mode": "learned", "max_interval": "3s"})
    daemon = Daemon(config, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        daemon.wait_for_log("next poll at")
        replica.clear_log()
        daemon.wait_for(lambda: len(_polls(replica)) >= 3, 20, "three more polls")
        status = cli(config, "status", "--format", "json")
        table = cli(config, "status")
    finally:
        assert daemon.stop() == 0
    _assert_polled_every(replica, low=0.9, high=3.6)
    [row] = status.json()["sources"]
    assert QUIET_OR_ACTIVE.fullmatch(row["next_poll_reason"]), row["next_poll_reason"]
    assert row["next_poll"] is not None
    assert row["polling"] == ("learned: active Mon-Fri 09-18 Europe/Moscow (0 items in 0.0 "
                              "weeks, + prior)")
    assert f"next poll {row['next_poll']}"[:30] in table.out
    assert "polling learned: active Mon-Fri 09-18" in table.out


def _polls(replica: ReplicaServer) -> list[LoggedRequest]:
    """A poll starts with the listing's first page; the detail pages a slow baseline left
    unread follow it within the same poll, so only the listing's requests time polls."""
    return [r for r in replica.requests if r.path == "/news/"]


def _assert_polled_every(replica: ReplicaServer, low: float, high: float) -> None:
    """Never sooner than `low`, and at `high` at the latest while polls are quick.

    A poll that outlasts its interval skips a tick (said once, at DEBUG), so on a loaded
    machine one gap may be a whole interval longer: only the quickest gap is held to `high`.
    """
    gaps = [b.time - a.time for a, b in itertools.pairwise(_polls(replica))]
    assert min(gaps) >= low and min(gaps) <= high, gaps


def test_fixed_polling_keeps_the_interval_and_says_so(
        tmp_path: Path, replica: ReplicaServer, database_url: str) -> None:
    config = daemon_config(tmp_path, replica, database_url)  # polling: fixed (harness)
    daemon = Daemon(config, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        replica.clear_log()
        daemon.wait_for(lambda: len(_polls(replica)) >= 3, 20, "three more polls")
        status = cli(config, "status", "--format", "json")
    finally:
        assert daemon.stop() == 0
    _assert_polled_every(replica, low=0.5, high=1.6)
    [row] = status.json()["sources"]
    assert (row["next_poll_reason"], row["polling"]) == ("fixed: every 1 s", "fixed: every 1 s")


WORKER_STARTED = re.compile(r"crawl worker (\d+) started")


def _worker_pids(daemon: Daemon) -> list[int]:
    return [int(pid) for pid in WORKER_STARTED.findall(daemon.err)]


def test_new_edited_and_removed_items_are_announced_once_through_the_crawl_worker(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    daemon = Daemon(daemon_config(tmp_path, replica, database_url), tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        listed = world.articles_in("en")
        world.publish(new_article(1))
        world.edit(listed[3].id, title="An edited title of the fourth story")
        world.remove(listed[5].id)
        daemon.wait_for(lambda: all(label in daemon.out for label in (
            "[NEW] Published item number 1", "[EDITED] An edited title of the fourth story",
            "[REMOVED]")), 40, "the three changes")
        time.sleep(2)  # a duplicate, if any, would come with the next polls
    finally:
        assert daemon.stop() == 0
    assert daemon.out.count("[NEW]") == 1
    assert daemon.out.count("[EDITED]") == 1 and daemon.out.count("[REMOVED]") == 1
    # The crawls ran in one worker process, which the daemon's stop ended.
    [pid] = _worker_pids(daemon)
    assert f"crawl worker {pid} stopped" in daemon.err and not process_alive(pid)
    kinds = sorted(e["kind"] for e in cli(daemon.config, "history", "--changes", "--format",
                                          "json").json())
    assert kinds == ["edited", "new", "removed"]



def test_crawl_worker_idle_time_is_configurable_and_a_stopped_worker_is_started_again(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    crawl = {"download_delay": "0s", "autothrottle": False, "download_timeout": "1s",
             "retries": 0, "recheck_interval": "1h", "worker_idle": "1s"}
    daemon = Daemon(daemon_config(tmp_path, replica, database_url, crawl=crawl),
                    tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        [first] = _worker_pids(daemon)
        # Idle polls (304) crawl nothing: the baseline's worker stops a second later.
        daemon.wait_for_log(f"crawl worker {first}: no crawl for 1 s, stopping it")
        daemon.wait_for(lambda: not process_alive(first), 10, "the idle worker's exit")
        world.publish(new_article(1))
        daemon.wait_for(lambda: "[NEW] Published item number 1" in daemon.out, 30, "the item")
        time.sleep(2)  # a duplicate, if any, would come with the next polls
    finally:
        assert daemon.stop() == 0
    # The changed listing started another (and each later crawl one more, the previous
    # having stopped a second after its crawl); stop() left none behind.
    pids = _worker_pids(daemon)
    assert pids[0] == first and len(pids) >= 2 and len(set(pids)) == len(pids)
    assert not any(process_alive(pid) for pid in pids)
    assert daemon.out.count("[NEW]") == 1
    assert "Traceback" not in daemon.err

def _hanging_daemon(tmp_path: Path, world: World, replica: ReplicaServer,
                    database_url: str) -> tuple[Path, Daemon]:
    """A daemon whose crawl worker is mid-crawl: a new item's page hangs (a listing that
    hung would hang in the daemon's own conditional GET, not in the worker)."""
    world.hang_seconds = 30
    config = daemon_config(tmp_path, replica, database_url,
                           crawl={"download_delay": "0s", "autothrottle": False,
                                  "download_timeout": "30s", "retries": 0})
    daemon = Daemon(config, tmp_path).start()
    daemon.wait_for_log("first poll: stored")
    article = new_article(1)
    world.set_detail_fault(article.path, "hang")
    world.publish(article)
    daemon.wait_for(lambda: any(r.fault == "hang" for r in replica.requests), 20,
                    "a hanging request")
    return config, daemon


def test_a_killed_crawl_worker_fails_its_poll_and_the_next_poll_catches_up(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    config, daemon = _hanging_daemon(tmp_path, world, replica, database_url)
    try:
        [first] = _worker_pids(daemon)
        os.kill(first, signal.SIGKILL)
        daemon.wait_for_log(f"poll failed: the crawl worker (pid {first}) was killed by "
                            "SIGKILL during the crawl")
        world.set_detail_fault(new_article(1).path, None)
        daemon.wait_for(lambda: "[NEW] Published item number 1" in daemon.out, 30, "the item")
        time.sleep(2)  # a duplicate, if any, would come with the next polls
    finally:
        assert daemon.stop() == 0
    first_worker, second = _worker_pids(daemon)  # the next poll started a new worker
    assert not process_alive(first_worker) and not process_alive(second)
    assert daemon.out.count("[NEW]") == 1
    assert "Traceback" not in daemon.err
    events = cli(config, "history", "--changes", "--format", "json").json()
    assert [(e["kind"], e["title"]) for e in events] == [
        ("new", "Published item number 1 of the run")]


def test_sigterm_leaves_no_crawl_worker_behind_even_mid_crawl(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    _, daemon = _hanging_daemon(tmp_path, world, replica, database_url)
    [pid] = _worker_pids(daemon)
    assert process_alive(pid)
    assert daemon.stop(timeout=10) == 0
    assert not process_alive(pid)
    assert f"crawl worker {pid} stopped" in daemon.err
