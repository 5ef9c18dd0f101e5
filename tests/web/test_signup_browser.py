"""A reader subscribes, confirms, tunes and leaves without an operator, in headless Chromium
with JavaScript off, a real SMTP server, the site replica and the real `csto-monitor`
commands; in English and in Russian, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import load_settings
from core.models import Subscriber
from tests.e2e.harness import SWEEP_CRAWL, cli, source, write_config
from tests.email.smtpd import Recorder, SmtpServer
from tests.replica import ReplicaServer, World, make_article
from tests.web.browser import chromium
from tests.web.helpers import LiveServer, fetch
from tests.web.signup_helpers import SECRET, link_in, text_of, wait_mails

# lang, what the reader ticks for "News", then texts of the pages in that language
CASES = {
    "en": ("in this language", "Subscribe", "Check your mailbox", "Confirm", "Subscribed",
           "daily digest", "Save", "Saved: a daily digest"),
    "ru": ("на обоих языках", "Подписаться", "Проверьте почту", "Подтвердить",
           "Подписка оформлена", "ежедневная сводка", "Сохранить",
           "Сохранено: ежедневная сводка"),
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def ok(conf: Path, *args: str) -> str:
    result = cli(conf, *args)
    assert result.code == 0 and "Traceback" not in result.err, result.err
    return result.out


def mode_of(sessions: sessionmaker[Session], address: str) -> tuple[str, str]:
    with sessions() as session:
        s = session.scalars(select(Subscriber).where(Subscriber.address == address)).one()
        return s.mode, s.status


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_reader_signs_up_tunes_and_leaves(
        lang: str, tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    news, submit, check, confirm, done, daily, save, saved = CASES[lang]
    at = (datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M")
    conf = write_config(tmp_path / "config.yaml", [source(replica.listing_url)], database_url,
                        crawl=SWEEP_CRAWL, email={
                            "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                            "sender": "CSTO news <news@example.org>", "secret": SECRET,
                            "public_url": "http://127.0.0.1:9", "daily_at": at,
                            "connect_timeout": "2s", "command_timeout": "5s"})
    ok(conf, "check")  # the baseline: silent
    live = LiveServer(load_settings(conf), sessions).start()
    address = f"reader-{lang}@example.org"
    try:
        with chromium() as browser:
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(f"{live.url}/")
            page.get_by_role("link", name="Subscribe by email").click()
            if lang == "ru":
                page.get_by_role("link", name="По-русски").click()
            page.fill("input[name=email]", address)
            page.select_option("select[name=language]", lang)
            page.get_by_role("radio", name=news).check()
            page.get_by_role("button", name=submit).click()
            expect(page.locator("h1")).to_have_text(check)

            page.goto(link_in(wait_mails(smtp, address, 1)[0], live.url))
            page.get_by_role("button", name=confirm).click()
            expect(page.locator("h1")).to_have_text(done)
            assert mode_of(sessions, address) == ("instant", "active")

            world.publish(make_article("Exercise Rubezh opens", slug="rubezh",
                                       published=date(2025, 7, 3)))
            ok(conf, "check")
            instant = wait_mails(smtp, address, 2)[1]
            assert "Exercise Rubezh opens" in instant["Subject"]
            page.goto(link_in(instant, live.url))  # the footer's preference link
            page.get_by_role("radio", name=daily).check()
            page.get_by_role("button", name=save).click()
            expect(page.locator(".notice")).to_contain_text(saved)
            assert mode_of(sessions, address) == ("daily", "active")

            world.publish(make_article("Council of Foreign Ministers meets", slug="council",
                                       published=date(2025, 7, 4)))
            ok(conf, "check")
            assert len(smtp.handler.to(address)) == 2  # daily now: no instant mail
            assert "1 sent" in ok(conf, "digest", "--period", "daily")
            digest = wait_mails(smtp, address, 3)[2]
            assert "Council of Foreign Ministers meets" in text_of(digest)
            assert "/preferences/" in text_of(digest)
        # RFC 8058: the mail client POSTs to the List-Unsubscribe URL, no page in between.
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        one_click = re.sub(r"^http://127\.0\.0\.1:9", live.url,
                           digest["List-Unsubscribe"].split(",")[0].strip("<> "))
        reply = fetch(one_click, b"List-Unsubscribe=One-Click")
    finally:
        live.stop()
    assert reply.status == 200 and "no more news" in reply.text
    assert mode_of(sessions, address) == ("daily", "unsubscribed")
