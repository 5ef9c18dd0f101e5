"""End to end: two sites in two markups and languages, then the history, show and run commands."""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.harness import CLI, ROOT, cli, count_events, source, write_config
from tests.replica import ReplicaServer, World, make_article, sample_world


@pytest.fixture
def two_sites(tmp_path: Path, replica_factory, database_url: str
              ) -> tuple[Path, World, World, ReplicaServer, ReplicaServer]:
    en_world, ru_world = sample_world(25, "en"), sample_world(25, "ru")
    en = replica_factory(markup="bitrix", world=en_world)
    ru = replica_factory(markup="modern", language="ru", world=ru_world)
    config = write_config(tmp_path / "c.yaml", [
        source(en.listing_url, "csto-en", "en"), source(ru.listing_url, "csto-ru", "ru")],
        database_url)
    assert cli(config, "check").code == 0
    return config, en_world, ru_world, en, ru


def test_both_languages_and_markups_in_one_check(two_sites) -> None:
    config, en_world, ru_world, *_ = two_sites
    en_world.publish(make_article("Meeting of the CSTO Council of Defence Ministers",
                                  published=date(2025, 7, 1)))
    ru_world.publish(make_article("Заседание Совета министров обороны ОДКБ", language="ru",
                                  slug="zasedanie-soveta", published=date(2025, 7, 1),
                                  body=["В Минске состоялось заседание «Совета».",
                                        "Второй абзац."]))
    result = cli(config, "check")
    assert result.code == 0, result.err
    assert count_events(result.out)["new"] == 2
    assert "csto-en: 1 new" in result.out and "csto-ru: 1 new" in result.out
    ru_items = cli(config, "history", "--lang", "ru", "--format", "json").json()
    assert ru_items[0]["title"] == "Заседание Совета министров обороны ОДКБ"
    assert ru_items[0]["language"] == "ru" and ru_items[0]["published"] == "2025-07-01"


def test_history_filters_and_formats(two_sites) -> None:
    config, en_world, *_ = two_sites
    everything = cli(config, "history", "--format", "json", "--limit", "1000").json()
    assert len(everything) == 50
    dates = [i["published"] for i in everything]
    assert dates == sorted(dates, reverse=True)
    assert {"id", "url", "title", "published", "section", "language", "lead", "status",
            "first_seen", "last_changed", "revisions"} <= set(everything[0])

    body_word = en_world.articles_in("en")[7].expected_body[-1].split()[-2]
    found = cli(config, "history", "--search", body_word.upper(), "--format", "json").json()
    assert en_world.articles_in("en")[7].expected_title in [i["title"] for i in found]

    ru_word = cli(config, "history", "--search", "ОДКБ", "--lang", "ru", "--format", "json")
    assert ru_word.json() and all(i["language"] == "ru" for i in ru_word.json())

    window = cli(config, "history", "--since", "2025-05-01", "--until", "2025-05-31",
                 "--format", "json").json()
    assert window and all("2025-05-01" <= i["published"] <= "2025-05-31" for i in window)
    assert len(cli(config, "history", "--limit", "3", "--format", "json").json()) == 3
    speeches = cli(config, "history", "--section", "speech", "--format", "json").json()
    assert all(i["section"] == "speech" for i in speeches)

    csv_out = cli(config, "history", "--format", "csv", "--limit", "2").out.splitlines()
    assert csv_out[0].startswith("id,url,title,published") and len(csv_out) == 3
    assert "Items" in cli(config, "history", "--limit", "2").out


def test_history_rejects_bad_arguments_with_a_message(two_sites) -> None:
    config, *_ = two_sites
    bad_date = cli(config, "history", "--since", "27.11.2026")
    assert bad_date.code == 2 and "Traceback" not in bad_date.err
    assert "--since" in bad_date.err
    bad_lang = cli(config, "history", "--lang", "de")
    assert bad_lang.code == 2 and "'de' is not one of 'en', 'ru'" in bad_lang.err


def test_show_lists_revisions_with_a_diff(two_sites) -> None:
    config, en_world, _, en, _ = two_sites
    story = next(a for a in en_world.articles_in("en") if a.listing_style == "title_and_lead")
    en_world.edit(story.id, title=story.title + " (updated)",
                  body=[*story.body[:-1], "A corrected closing paragraph."])
    assert cli(config, "check").code == 0
    shown = cli(config, "show", en.url_for(story))
    assert shown.code == 0, shown.err
    assert "Revision 1" in shown.out and "Revision 2" in shown.out
    assert "title, body" in shown.out
    assert "(updated)" in shown.out and "A corrected closing paragraph." in shown.out
    missing = cli(config, "show", "999999")
    assert missing.code == 1 and "no stored item '999999'" in missing.err


def test_bad_config_fails_at_start_with_the_key(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", [source("http://127.0.0.1:9/news/",
                                                       language="de")],
                          f"sqlite:///{tmp_path / 'x.db'}")
    result = cli(config, "check")
    assert result.code == 2
    assert "sources.0.language: Input should be 'en' or 'ru'" in result.err
    assert "Traceback" not in result.err


def test_daemon_polls_announces_and_stops_on_sigterm(tmp_path: Path, world: World,
                                                     replica: ReplicaServer,
                                                     database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url)
    proc = subprocess.Popen([*CLI, "--config", str(config), "run"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: len(replica.requests_to("/news/")) >= 1)
        time.sleep(1.5)
        world.publish(make_article("Published while the daemon runs",
                                   published=date(2025, 8, 1)))
        _wait_for(lambda: any(r.path.startswith("/news/news_odkb/published-while")
                              for r in replica.requests))
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()  # no stray daemon left behind
            out, err = proc.communicate()
            raise AssertionError(f"no exit 15 s after SIGTERM:\n{err[-6000:]}") from None
    assert proc.returncode == 0, err
    assert "[NEW] Published while the daemon runs" in out
    assert "daemon started" in err and "stopped" in err


def _wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)
