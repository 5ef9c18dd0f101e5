"""The sign-up form, double opt-in and the preference page over real HTTP, with a real SMTP
server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, Telegram, load_settings
from core.models import Signup, Subscriber, utcnow
from notifier import tokens
from tests.email.smtpd import Recorder, SmtpServer
from tests.web.helpers import LiveServer, fetch
from tests.web.signup_helpers import (
    SECRET,
    form,
    link_in,
    post,
    signup_settings,
    text_of,
    wait_mails,
)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


@pytest.fixture
def start(database_url: str, sessions: sessionmaker[Session], smtp: SmtpServer
          ) -> Iterator[Any]:
    """start(**email settings) -> a LiveServer with the form on (stopped afterwards)."""
    started: list[LiveServer] = []

    def make(**email: Any) -> LiveServer:
        live = LiveServer(signup_settings(database_url, smtp.port, **email), sessions)
        started.append(live.start())
        return live

    yield make
    for live in started:
        live.stop()


def subscribers(sessions: sessionmaker[Session]) -> list[Subscriber]:
    with sessions() as session:
        return list(session.scalars(select(Subscriber).order_by(Subscriber.id)))


def signup_rows(sessions: sessionmaker[Session]) -> list[Signup]:
    with sessions() as session:
        return list(session.scalars(select(Signup)))


def confirm(live: LiveServer, link: str) -> Any:
    """Open the confirmation link (a page with a button), then press it (POST)."""
    page = fetch(link)
    assert page.status == 200, page.text
    return post(link, [])


@pytest.mark.parametrize("lang,check,done", [
    ("en", "Check your mailbox", "Subscribed"),
    ("ru", "Проверьте почту", "Подписка оформлена")])
def test_sign_up_confirm_once(start: Any, smtp: SmtpServer,
                              sessions: sessionmaker[Session], lang: str, check: str,
                              done: str) -> None:
    live = start()
    reply = post(f"{live.url}/subscribe", form(
        "Ann@Example.org", language=lang, mode="daily", section=["news_odkb", "smi"],
        keyword="Минск, exercise", prefer="ru", divergence="on"))
    assert reply.status == 200 and check in reply.text
    assert subscribers(sessions) == []  # nothing before the owner confirms
    mail = wait_mails(smtp, "ann@example.org", 1)[0]
    assert "confirm" in text_of(mail).lower() or "подтверд" in text_of(mail).lower()
    assert mail["Auto-Submitted"] == "auto-generated"
    link = link_in(mail, live.url)
    reply = confirm(live, link)
    assert reply.status == 200 and done in reply.text and "ann@example.org" in reply.text
    [ann] = subscribers(sessions)
    assert (ann.address, ann.status, ann.mode, ann.ui_language, ann.languages) == (
        "ann@example.org", "active", "daily", lang, [lang])
    assert ann.sections == ["news_odkb", "smi"] and ann.keywords == ["Минск", "exercise"]
    assert (ann.preferred_language, ann.notify_divergence) == ("ru", True)
    assert signup_rows(sessions) == []
    again = post(link, [])  # single use
    assert again.status == 410 and "/subscribe" in again.text
    assert len(subscribers(sessions)) == 1
    assert len(smtp.handler.to("ann@example.org")) == 1  # one mail, nothing else


def test_same_address_twice_gets_its_preference_link(start: Any, smtp: SmtpServer,
                                                     sessions: sessionmaker[Session]) -> None:
    live = start()
    first = post(f"{live.url}/subscribe", form("ann@example.org"))
    confirm(live, link_in(wait_mails(smtp, "ann@example.org", 1)[0], live.url))
    second = post(f"{live.url}/subscribe", form("ann@example.org", mode="weekly"))
    unknown = post(f"{live.url}/subscribe", form("bob@example.org"))
    # The same answer for a subscribed and an unknown address: no enumeration.
    assert first.text == second.text == unknown.text.replace("bob@", "ann@")
    mails = wait_mails(smtp, "ann@example.org", 2)
    assert "subscribed already" in text_of(mails[1])
    prefs = link_in(mails[1], live.url)
    assert "/preferences/" in prefs
    [ann, *_] = subscribers(sessions)
    assert ann.mode == "instant"  # a repeat sign-up changes nothing by itself
    assert fetch(prefs).status == 200


def test_repeat_before_confirming_replaces_the_first_link(start: Any, smtp: SmtpServer,
                                                          sessions: sessionmaker[Session]
                                                          ) -> None:
    live = start()
    post(f"{live.url}/subscribe", form("ann@example.org", mode="daily"))
    old = link_in(wait_mails(smtp, "ann@example.org", 1)[0], live.url)
    post(f"{live.url}/subscribe", form("ann@example.org", mode="weekly"))
    new = link_in(wait_mails(smtp, "ann@example.org", 2)[1], live.url)
    assert post(old, []).status == 410
    assert post(new, []).status == 200
    assert [s.mode for s in subscribers(sessions)] == ["weekly"]


def test_forged_and_expired_links(start: Any, smtp: SmtpServer,
                                  sessions: sessionmaker[Session]) -> None:
    live = start()
    post(f"{live.url}/subscribe", form("ann@example.org"))
    link = link_in(wait_mails(smtp, "ann@example.org", 1)[0], live.url)
    [row] = signup_rows(sessions)
    forged = tokens.confirmation("another-secret-0123456789", row.id, row.nonce,
                                 int(time.time()) + 3600)
    for bad in (link.split("?")[0][:-3], f"{live.url}/confirm/{forged}", f"{live.url}/confirm/x.y"):
        reply = post(bad, [])
        assert reply.status == 400 and "not valid" in reply.text
    expired = tokens.confirmation(SECRET, row.id, row.nonce, int(time.time()) - 1)
    reply = post(f"{live.url}/confirm/{expired}", [])
    assert reply.status == 410 and "expired" in reply.text
    bad_prefs = fetch(f"{live.url}/preferences/{tokens.sign(SECRET, 'email', 'a@b.org')}")
    assert bad_prefs.status == 400  # an unsubscribe token opens no preference page
    assert subscribers(sessions) == []


def test_unconfirmed_sign_ups_are_forgotten_after_expiry(
        start: Any, smtp: SmtpServer, sessions: sessionmaker[Session]) -> None:
    live = start()
    post(f"{live.url}/subscribe", form("ann@example.org"))
    link = link_in(wait_mails(smtp, "ann@example.org", 1)[0], live.url)
    with sessions() as session, session.begin():
        row = session.scalars(select(Signup)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    post(f"{live.url}/subscribe", form("bob@example.org"))  # any sign-up purges
    assert [r.address for r in signup_rows(sessions)] == ["bob@example.org"]
    assert post(link, []).status == 410
    assert subscribers(sessions) == []


def test_one_client_is_limited(start: Any, smtp: SmtpServer,
                               sessions: sessionmaker[Session]) -> None:
    live = start(signup={"per_client": 10})
    answers = [post(f"{live.url}/subscribe", form(f"reader{n}@example.org"))
               for n in range(100)]
    assert [a.status for a in answers] == [200] * 10 + [429] * 90
    assert "Too many sign-ups" in answers[-1].text
    assert 3000 <= int(answers[-1].headers["Retry-After"]) <= 3600
    assert len(signup_rows(sessions)) == 10
    wait_mails(smtp, "reader9@example.org", 1)
    assert len(smtp.handler.messages) == 10


def test_one_address_is_limited_and_pending_capped(start: Any, smtp: SmtpServer,
                                                   sessions: sessionmaker[Session]) -> None:
    live = start(signup={"per_address": 2, "max_pending": 2})
    codes = [post(f"{live.url}/subscribe", form("ann@example.org")).status for _ in range(3)]
    assert codes == [200, 200, 429]
    assert post(f"{live.url}/subscribe", form("bob@example.org")).status == 200
    full = post(f"{live.url}/subscribe", form("cid@example.org"))
    assert full.status == 503 and "waiting for confirmation" in full.text
    wait_mails(smtp, "bob@example.org", 1)
    assert smtp.handler.to("cid@example.org") == []
    assert len(smtp.handler.to("ann@example.org")) == 2


def test_honeypot_and_header_injection(start: Any, smtp: SmtpServer,
                                       sessions: sessionmaker[Session]) -> None:
    live = start()
    trap = post(f"{live.url}/subscribe", [("email", "bot@example.org"),
                                          ("website", "http://spam.example")])
    assert trap.status == 200 and "Check your mailbox" in trap.text
    injected = post(f"{live.url}/subscribe", form("ann@example.org\r\nBcc: eve@example.org"))
    assert injected.status == 400 and "email: the address may not contain" in injected.text
    keyword = post(f"{live.url}/subscribe", form("ann@example.org",
                                                 keyword="Minsk\r\nBcc: eve@example.org"))
    assert keyword.status == 400 and "keyword: a keyword may not contain" in keyword.text
    invalid = post(f"{live.url}/subscribe", form("not an address"))
    assert invalid.status == 400 and "not a valid email address" in invalid.text
    time.sleep(0.3)  # a mail, were one wrongly sent, would be on its way by now
    assert smtp.handler.messages == [] and signup_rows(sessions) == []


def test_preference_page_changes_pauses_and_unsubscribes(
        start: Any, smtp: SmtpServer, sessions: sessionmaker[Session]) -> None:
    live = start()
    post(f"{live.url}/subscribe", form("ann@example.org", language="ru"))
    done = confirm(live, link_in(wait_mails(smtp, "ann@example.org", 1)[0], live.url))
    prefs = f"{live.url}/preferences/{tokens.preferences(SECRET, 'ann@example.org')}"
    assert prefs.rsplit("/", 1)[1] in done.text  # the confirmation page links to it
    page = fetch(prefs)
    assert page.status == 200 and "Настройки адреса ann@example.org" in page.text
    saved = post(prefs, [("action", "save"), ("language", "en"), ("news", "all"),
                         ("mode", "weekly"), ("keyword", "Minsk")])
    assert saved.status == 200 and "Saved: a weekly digest" in saved.text
    [ann] = subscribers(sessions)
    assert (ann.mode, ann.ui_language, ann.languages, ann.keywords) == (
        "weekly", "en", [], ["Minsk"])
    assert "Paused" in post(prefs, [("action", "pause")]).text
    [ann] = subscribers(sessions)
    assert ann.status == "paused" and "paused by the reader" in (ann.status_reason or "")
    post(prefs, [("action", "resume")])
    assert subscribers(sessions)[0].status == "active"
    left = post(prefs, [("action", "unsubscribe")])
    assert "will receive no more news" in left.text
    assert subscribers(sessions)[0].status == "unsubscribed"


def test_the_atom_feed_links_the_form(start: Any) -> None:
    live = start()
    feed = fetch(f"{live.url}/feed.atom").text
    assert f'href="{live.url}/subscribe" rel="related" title="Subscribe by email"' in feed


def test_form_off(start: Any, smtp: SmtpServer, sessions: sessionmaker[Session]) -> None:
    live = start(self_service=False)
    assert fetch(f"{live.url}/subscribe").status == 404
    assert "/subscribe" not in fetch(f"{live.url}/feed.atom").text
    reply = post(f"{live.url}/subscribe", form("ann@example.org"))
    assert reply.status == 404 and "Sign-up is closed" in reply.text
    assert signup_rows(sessions) == [] and smtp.handler.messages == []


def test_form_on_without_a_secret_stops_at_start(tmp_path: Any) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("sources: [{name: a, url: 'http://127.0.0.1:9/news/', language: en}]\n"
                      "email: {sender: 'N <n@example.org>', self_service: true}\n")
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert "email: Value error, self_service (the sign-up form) needs email.secret" in str(
        error.value)


def test_the_form_offers_the_bot(database_url: str, sessions: sessionmaker[Session],
                                 smtp: SmtpServer) -> None:
    settings = signup_settings(database_url, smtp.port).model_copy(update={
        "telegram": Telegram(token="123:abc", bot_username="@csto_news_bot")})
    live = LiveServer(settings, sessions).start()
    try:
        page = fetch(f"{live.url}/subscribe?lang=ru")
    finally:
        live.stop()
    assert 'href="https://t.me/csto_news_bot?start=email"' in page.text
    assert "Удобнее в Telegram?" in page.text and '<html lang="ru">' in page.text
