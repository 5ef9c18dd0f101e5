"""End to end: a fault in our own code reaches the operator, and costs nothing once mended.

The real `csto-monitor` runs against the site replica with faults injected into its
process by tests/e2e/faults/sitecustomize.py (on PYTHONPATH only here): the detail
extraction raising, or `lxml_html_clean` missing as in an install without it. A file
lists the active faults, so that a running daemon can be broken and mended.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, Daemon, cli, count_events, source, write_config
from tests.replica import ReplicaServer, World, make_article
from tests.telegram.botapi import TOKEN, BotApiDouble
from tests.test_daemon import daemon_config
from tests.web.helpers import fetch, free_port

FAULT_HOOK = ROOT / "tests" / "e2e" / "faults"
EXTRACTION_FAULT = "ValueError: fault injected into extract_detail by tests/e2e/faults"
CODE_FAILURE = re.compile(
    r"our own code failed on 25 page\(s\) \(a bug, not a fault of the site; --log-level "
    r"DEBUG shows the traceback\); first: (http://127\.0\.0\.1:\d+/news/\S+/): "
    + re.escape(EXTRACTION_FAULT) + r" \(in the detail stage\)")
SECOND_OPINION_FAILED = "the second-opinion extractor (trafilatura) failed on "
LXML_SPLIT = "ImportError: lxml.html.clean module is now a separate project lxml_html_clean"
# A patient download timeout: on a busy machine a 1 s one turns pages into timeouts, which
# stretch the baseline over several polls (tests/test_e2e_baseline.py has those).
PATIENT = {"download_delay": "0s", "autothrottle": False, "download_timeout": "10s",
           "retries": 0}
CRAWL = {**PATIENT, "recheck_interval": "1h"}  # the daemons' (tests.test_daemon)


def faults_env(faults: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(FAULT_HOOK), "CSTO_TEST_FAULTS_FILE": str(faults)}


def metric(text: str, name: str, labels: str) -> float | None:
    match = re.search(rf"^{name}\{{{re.escape(labels)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def stored_titles(config: Path) -> list[str]:
    result = cli(config, "history", "--format", "json", "--limit", "1000")
    assert result.code == 0, result.err
    return [row["title"] for row in result.json()]


def test_a_broken_extractor_fails_the_first_poll_then_baseline_and_news_follow(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url,
                          crawl=PATIENT)
    faults = tmp_path / "faults"
    faults.write_text("extract_detail\n", encoding="utf-8")
    env = faults_env(faults)
    pages = {article.url(replica.url) for article in world.articles}

    first = cli(config, "check", env=env)
    assert first.code == 1, first.err
    failure = CODE_FAILURE.search(first.err)
    assert failure and failure.group(1) in pages, first.err
    assert f"csto-en: poll failed: {failure.group(0)}" in first.err
    assert "first poll" not in first.out + first.err and "Traceback" not in first.err
    assert stored_titles(config) == []  # nothing taken for a baseline
    status = cli(config, "status", "--format", "json")
    assert status.code == 1, status.err
    [row] = status.json()["sources"]
    assert (row["state"], row["consecutive_failures"], row["items"]) == ("failing", 1, 0)
    assert CODE_FAILURE.search(row["last_error"]), row

    faults.write_text("", encoding="utf-8")  # the bug is fixed
    replica.clear_log()
    second = cli(config, "check", env=env)
    assert second.code == 0, second.err
    assert "csto-en: first poll: stored 25 items silently" in second.out
    assert count_events(second.out) == {"new": 0, "edited": 0, "removed": 0}
    assert [r.status for r in replica.requests_to("/news/") if r.path == "/news/"] == [200]

    world.publish(make_article("Session of the CSTO Collective Security Council"))
    third = cli(config, "check", env=env)
    fourth = cli(config, "check", env=env)
    assert third.code == 0 and fourth.code == 0, third.err + fourth.err
    assert count_events(third.out) == {"new": 1, "edited": 0, "removed": 0}
    assert "[NEW] Session of the CSTO Collective Security Council" in third.out
    assert count_events(fourth.out) == {"new": 0, "edited": 0, "removed": 0}
    assert len(stored_titles(config)) == 26
    assert cli(config, "status", "--format", "json").code == 0


def test_a_first_poll_whose_every_page_failed_is_an_error_not_a_baseline(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url,
                          crawl=PATIENT)
    for article in world.articles:
        world.set_detail_fault(article.path, "http_500")

    first = cli(config, "check")
    assert first.code == 1, first.err
    assert re.search(r"csto-en: poll failed: the first poll read 25 items on the listing "
                     r"and stored none of them; first failure: http://127\.0\.0\.1:\d+/news/"
                     r"\S+/: HTTP 500\n", first.err), first.err
    assert stored_titles(config) == []

    for article in world.articles:
        world.set_detail_fault(article.path, None)
    second = cli(config, "check")
    assert second.code == 0, second.err
    assert "csto-en: first poll: stored 25 items silently" in second.out
    world.publish(make_article("Session of the CSTO Collective Security Council"))
    third = cli(config, "check")
    assert count_events(third.out) == {"new": 1, "edited": 0, "removed": 0}, third.err


@pytest.fixture
def botapi() -> Iterator[BotApiDouble]:
    server = BotApiDouble().start()
    yield server
    server.stop()


@pytest.mark.xdist_group("daemons")
def test_a_daemon_with_a_broken_extractor_alerts_and_recovers(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        botapi: BotApiDouble) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    admin = 900
    config = daemon_config(tmp_path, replica, database_url, alert_after_failures=2,
                           max_backoff="1s", http={"listen": f"127.0.0.1:{port}"},
                           crawl=CRAWL, telegram={"token": TOKEN, "api_url": botapi.url,
                                                  "channel": "@csto_news", "admins": [admin]})
    faults = tmp_path / "faults"
    faults.write_text("extract_detail\n", encoding="utf-8")
    daemon = Daemon(config, tmp_path, env=faults_env(faults)).start()
    try:
        daemon.wait_for_log("ALERT csto-en: 2 consecutive polls failed; last error: our own "
                            "code failed on 25 page(s)", timeout=60)
        ready = fetch(base + "/readyz")
        assert ready.status == 503, ready.text
        [row] = ready.json()["sources"]
        assert row["state"] == "failing" and CODE_FAILURE.search(row["last_error"]), row
        metrics = fetch(base + "/metrics").text
        assert (metric(metrics, "csto_code_errors_total",
                       'source="csto-en",stage="detail"') or 0) >= 50
        assert metric(metrics, "csto_code_errors_total",
                      'source="csto-en",stage="second_opinion"') == 0
        assert (metric(metrics, "csto_poll_failures_total", 'source="csto-en"') or 0) >= 2
        status = cli(config, "status", "--format", "json")
        assert status.code == 1 and status.json()["sources"][0]["state"] == "failing"
        botapi.wait_for(lambda: botapi.sent(admin), 30, "the admins' alert")

        faults.write_text("", encoding="utf-8")
        daemon.wait_for_log("RECOVERED csto-en", timeout=60)
        daemon.wait_for_log("csto-en: first poll: stored 25 items silently")
        assert fetch(base + "/readyz").status == 200
        botapi.wait_for(lambda: len(botapi.sent(admin)) == 2, 30, "the admins' all-clear")
        world.publish(make_article("Session of the CSTO Collective Security Council"))
        botapi.wait_for(lambda: botapi.sent("@csto_news"), 30, "the news in the channel")
        daemon.wait_for_log("unchanged (listing answered 304", count=2)  # a duplicate's chance
        time.sleep(1.5)  # ... and a delivery round for it
    finally:
        assert daemon.stop() == 0
    alert, all_clear = botapi.sent(admin)
    # Sent when the bot next looks (every 5 s): by then more polls may have failed.
    assert re.match(r"⚠️ Source csto-en is failing: \d+ polls in a row\. Last error: our own "
                    r"code failed on 25 page\(s\)", alert.text), alert.text
    assert EXTRACTION_FAULT in alert.text and "works again" in all_clear.text
    [post] = botapi.sent("@csto_news")
    assert "Session of the CSTO Collective Security Council" in post.text
    assert daemon.err.count("ALERT csto-en") == 1 and "Traceback" not in daemon.err
    assert "first poll: stored 0" not in daemon.err


@pytest.mark.xdist_group("daemons")
def test_a_failing_second_opinion_never_costs_the_page(
        tmp_path: Path, world: World, replica: ReplicaServer) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = daemon_config(tmp_path, replica, f"sqlite:///{tmp_path / 'csto.db'}",
                           http={"listen": f"127.0.0.1:{port}"}, crawl=CRAWL)
    faults = tmp_path / "faults"
    faults.write_text("lxml_html_clean\n", encoding="utf-8")  # as in an install without it
    daemon = Daemon(config, tmp_path, env=faults_env(faults)).start()
    try:
        daemon.wait_for_log("csto-en: first poll: stored 25 items silently", timeout=60)
        world.publish(make_article("Session of the CSTO Collective Security Council"))
        daemon.wait_for(lambda: "[NEW] Session of the CSTO" in daemon.out, 30, "the news")
        metrics = fetch(base + "/metrics").text
    finally:
        assert daemon.stop() == 0
    assert metric(metrics, "csto_code_errors_total",
                  'source="csto-en",stage="second_opinion"') == 26  # every page read
    assert metric(metrics, "csto_extraction_second_opinions_total", 'source="csto-en"') == 0
    assert metric(metrics, "csto_poll_failures_total", 'source="csto-en"') == 0
    assert daemon.err.count(SECOND_OPINION_FAILED) == 1 and LXML_SPLIT in daemon.err
    assert daemon.out.count("[NEW]") == 1 and "Traceback" not in daemon.err
    assert len(stored_titles(config)) == 26
    assert cli(config, "status", "--format", "json").code == 0
