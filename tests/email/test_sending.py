"""The email notifier against a real SMTP server, driven through the outbox (both backends)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.models import ChangeEvent, Delivery, Item, ItemRevision, Source, Subscriber, utcnow
from notifier import outbox
from notifier.channels.email import EmailNotifier
from notifier.dispatch import deliver_due
from tests.email.smtpd import Recorder, SmtpServer

SECRET = "a-long-test-secret-0123456789"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def settings(port: int, **email: object) -> Settings:
    return Settings.model_validate({
        "database_url": "sqlite:////nonexistent/unused.db",
        "sources": [{"name": "csto-en", "url": "https://en.odkb-csto.org/news/",
                     "language": "en"}],
        "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "sender": "CSTO <news@example.org>",
                  "public_url": "https://csto.example.org", "secret": SECRET,
                  "connect_timeout": "2s", "command_timeout": "2s", **email}})


def subscribe(sessions: sessionmaker[Session], *addresses: str) -> None:
    with sessions() as session, session.begin():
        for address in addresses:
            session.add(Subscriber(channel="email", address=address, mode="instant",
                                   languages=[], sections=[], keywords=[]))


def publish(sessions: sessionmaker[Session], notifier: EmailNotifier, title: str) -> None:
    with sessions() as session, session.begin():
        source = session.scalar(select(Source)) or Source(
            name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
        slug = f"s{abs(hash(title)) % 10**8}"
        item = Item(source=source, url=f"https://en.odkb-csto.org/news/{slug}/",
                    section="news_odkb", slug=slug, language="en",
                    published=date(2026, 11, 26), title=title, lead="A lead. Second.",
                    body="")
        event = ChangeEvent(item=item, kind="new", url=item.url, title=title,
                            detected_at=utcnow())
        session.add(event)
        session.flush()
        outbox.enqueue(session, [event], {"email": notifier}, ["new", "edited", "removed"])


def deliver(sessions: sessionmaker[Session], notifier: EmailNotifier):  # type: ignore[no-untyped-def]
    return asyncio.run(deliver_due(sessions, {"email": notifier}))


def make_due(sessions: sessionmaker[Session]) -> None:
    """Skip the outbox's backoff: retries are due now."""
    with sessions() as session, session.begin():
        session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(1)))


def statuses(sessions: sessionmaker[Session]) -> dict[str, tuple[str, int]]:
    with sessions() as session:
        return {s.address: (s.status, s.consecutive_failures)
                for s in session.scalars(select(Subscriber))}


def test_instant_batch_uses_one_connection(db_sessions: sessionmaker[Session],
                                           smtp: SmtpServer) -> None:
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    subscribe(db_sessions, "ann@example.org", "bob@example.org", "cy@example.org")
    publish(db_sessions, notifier, "Summit in Minsk")
    publish(db_sessions, notifier, "Exercise in Tajikistan")
    result = deliver(db_sessions, notifier)
    assert result.sent == 6 and smtp.handler.sessions == 1
    assert notifier.smtp.connections == 1
    subjects = sorted(m["Subject"] for m in smtp.handler.to("bob@example.org"))
    assert subjects == ["[CSTO] Exercise in Tajikistan", "[CSTO] Summit in Minsk"]
    assert deliver(db_sessions, notifier).sent == 0  # nothing twice


def test_421_is_retried_and_sent_once(db_sessions: sessionmaker[Session],
                                      smtp: SmtpServer) -> None:
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    subscribe(db_sessions, "ann@example.org", "bob@example.org")
    publish(db_sessions, notifier, "Summit in Minsk")
    smtp.handler.defer_rcpt = 1
    first = deliver(db_sessions, notifier)
    assert (first.sent, first.retrying) == (1, 1)
    make_due(db_sessions)
    assert deliver(db_sessions, notifier).sent == 1
    assert len(smtp.handler.to("ann@example.org")) == len(smtp.handler.to("bob@example.org")) == 1
    assert statuses(db_sessions)["ann@example.org"] == ("active", 0)


def test_550_marks_bouncing_after_n_and_others_are_not_held_up(
        db_sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    notifier = EmailNotifier(settings(smtp.port, bounce_after=2), db_sessions)
    subscribe(db_sessions, "gone@example.org", "ann@example.org")
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 No such user"
    publish(db_sessions, notifier, "First")
    result = deliver(db_sessions, notifier)
    assert (result.sent, result.failed) == (1, 1)
    assert statuses(db_sessions)["gone@example.org"] == ("active", 1)
    publish(db_sessions, notifier, "Second")
    deliver(db_sessions, notifier)
    assert statuses(db_sessions)["gone@example.org"] == ("bouncing", 2)
    publish(db_sessions, notifier, "Third")  # not even queued for a bouncing address
    deliver(db_sessions, notifier)
    assert len(smtp.handler.to("ann@example.org")) == 3
    assert smtp.handler.to("gone@example.org") == []
    with db_sessions() as session:
        queued = {d.recipient for d in session.scalars(select(Delivery))}
        failed = session.scalars(select(Delivery).where(Delivery.status == "failed")).all()
    assert len(failed) == 2 and all("550" in (d.last_error or "") for d in failed)
    assert queued == {"gone@example.org", "ann@example.org"}


def test_unreachable_server_is_retried_later(db_sessions: sessionmaker[Session]) -> None:
    from tests.email.smtpd import free_port

    port = free_port()
    notifier = EmailNotifier(settings(port), db_sessions)
    subscribe(db_sessions, "ann@example.org")
    publish(db_sessions, notifier, "Summit")
    result = deliver(db_sessions, notifier)
    assert (result.sent, result.retrying) == (0, 1)
    with db_sessions() as session:
        row = session.scalar(select(Delivery))
        assert row is not None and row.status == "pending"
        assert "cannot connect to 127.0.0.1" in (row.last_error or "")
    server = SmtpServer(Recorder(), port).start()
    try:
        make_due(db_sessions)
        assert deliver(db_sessions, notifier).sent == 1
        assert len(server.handler.to("ann@example.org")) == 1
    finally:
        server.stop()


def test_unsubscribed_before_sending_gets_nothing(db_sessions: sessionmaker[Session],
                                                  smtp: SmtpServer) -> None:
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    subscribe(db_sessions, "ann@example.org")
    publish(db_sessions, notifier, "Summit")
    with db_sessions() as session, session.begin():
        session.execute(update(Subscriber).values(status="unsubscribed"))
    result = deliver(db_sessions, notifier)
    assert (result.sent, result.failed) == (0, 1) and smtp.handler.messages == []


BODY = ("The CSTO Secretary General arrived in Minsk on Monday.\n\n"
        "The talks covered the fourth stage of the joint exercise.\n\n"
        "Questions of border security were also discussed.")


def publish_and_edit(sessions: sessionmaker[Session], notifier: EmailNotifier,
                     *bodies: str) -> None:
    """An item first seen with `bodies[0]`, then edited into each next body: queued events."""
    with sessions() as session, session.begin():
        source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
        item = Item(source=source, url="https://en.odkb-csto.org/news/news_odkb/talks/",
                    section="news_odkb", slug="talks", language="en",
                    published=date(2026, 11, 26), title="Talks in Minsk", lead="",
                    body=bodies[0])
        session.add(ItemRevision(item=item, number=1, url=item.url, title=item.title,
                                 published=item.published, lead="", body=bodies[0]))
        for number, body in enumerate(bodies[1:], start=2):
            previous = {"body": item.body}
            item.body = body
            session.add(ItemRevision(item=item, number=number, url=item.url, title=item.title,
                                     published=item.published, lead="", body=body,
                                     changed_fields=["body"]))
            event = ChangeEvent(item=item, kind="edited", url=item.url, title=item.title,
                                detected_at=utcnow(), fields=["body"], previous=previous,
                                revision_number=number)
            session.add(event)
            session.flush()
            outbox.enqueue(session, [event], {"email": notifier}, ["new", "edited", "removed"])


def parts(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    return (str(text.get_content()).replace("\r\n", "\n"),
            str(html.get_content()).replace("\r\n", "\n"))


def test_an_edit_mail_shows_exactly_the_changed_words(db_sessions: sessionmaker[Session],
                                                      smtp: SmtpServer) -> None:
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    subscribe(db_sessions, "ann@example.org")
    one_word = BODY.replace("fourth", "fifth")
    paragraphs = one_word.split("\n\n")
    rewritten = "\n\n".join([*paragraphs[1:], "A joint statement was signed after the talks."])
    publish_and_edit(db_sessions, notifier, BODY, one_word, rewritten)
    assert deliver(db_sessions, notifier).sent == 2
    first, second = sorted(smtp.handler.to("ann@example.org"), key=lambda m: m["Message-ID"])
    if "fourth" not in parts(first)[0]:
        first, second = second, first
    assert first["Subject"] == "[CSTO] Updated: Talks in Minsk"
    text, html = parts(first)
    assert "  Text:\n    ~ The talks covered the [-fourth-]{+fifth+} stage of the joint " \
           "exercise.\n" in text
    assert text.count("[-") == 1 and text.count("{+") == 1
    assert re.search(r'the <del style="[^"]+">fourth</del><ins style="[^"]+">fifth</ins> '
                     r"stage of", html)
    assert html.count("<del") == 1 and html.count("<ins") == 1
    assert "    - " not in text and "    + " not in text  # nothing added or removed

    text, html = parts(second)
    assert "    - The CSTO Secretary General arrived in Minsk on Monday.\n" in text
    assert "    + A joint statement was signed after the talks.\n" in text
    assert re.search(r'− <del style="[^"]+">The CSTO Secretary General arrived in Minsk on '
                     r"Monday.</del>", html)
    assert re.search(r'\+ <ins style="[^"]+">A joint statement was signed after the talks.'
                     r"</ins>", html)
    assert "    ~ " not in text and "[-" not in text  # the edited paragraph is unchanged
