"""One mail per story per reader (a mail cannot be edited: the other version adds nothing),
and divergence mails only for those who asked; against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, Item, Source, StoryPair, Subscriber, utcnow
from monitor import divergence_store
from notifier import outbox
from notifier.channels.email import EmailNotifier
from tests.email.smtpd import SmtpServer
from tests.email.test_sending import deliver, settings, smtp  # noqa: F401 (fixture)

KINDS = ["new", "edited", "removed", "diverged"]
SOURCES = {"en": "https://en.odkb-csto.org/news/", "ru": "https://odkb-csto.org/news/"}


def readers(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        for address, extra in (
                ("both@example.org", {"languages": []}),
                ("en-or-ru@example.org", {"languages": ["en"], "accept_translated": True}),
                ("ru@example.org", {"languages": ["ru"], "ui_language": "ru"}),
                ("en@example.org", {"languages": ["en"], "notify_divergence": True}),
                ("watch@example.org", {"languages": [], "notify_divergence": True})):
            session.add(Subscriber(channel="email", address=address, mode="instant",
                                   sections=[], keywords=[], **extra))


def item(session: Session, language: str, title: str, announce: bool = True) -> Item:
    source = session.query(Source).filter_by(language=language).one_or_none() or Source(
        name=f"csto-{language}", url=SOURCES[language], language=language)
    slug = f"s{abs(hash(title)) % 10**8}"
    found = Item(source=source, url=f"{SOURCES[language]}news_odkb/{slug}/",
                 section="news_odkb", slug=slug, language=language,
                 published=date(2026, 11, 26), title=title, lead="A lead.", body="")
    session.add(found)
    session.flush()
    return found


def announce(session: Session, notifier: EmailNotifier, found: Item, kind: str = "new",
             detected_at: object = None, **extra: object) -> ChangeEvent:
    event = ChangeEvent(item=found, kind=kind, url=found.url, title=found.title,
                        detected_at=detected_at or utcnow(), **extra)
    session.add(event)
    session.flush()
    outbox.enqueue(session, [event], {"email": notifier}, KINDS)
    return event


def pair(session: Session, en: Item, ru: Item) -> None:
    session.add(StoryPair(en_item_id=en.id, ru_item_id=ru.id, confidence=0.9, evidence=[],
                          manual=False, paired_at=utcnow()))
    session.flush()


def test_a_story_is_mailed_once_and_its_other_version_sends_nothing_more(
        smtp: SmtpServer, db_sessions: sessionmaker[Session]) -> None:  # noqa: F811
    readers(db_sessions)
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    with db_sessions() as session, session.begin():
        ru = item(session, "ru", "Министры обороны встретились в Минске")
        announce(session, notifier, ru)
    deliver(db_sessions, notifier)
    got = {m["To"]: m for m in smtp.handler.parsed()}
    assert sorted(got) == ["both@example.org", "en-or-ru@example.org", "ru@example.org",
                           "watch@example.org"]

    with db_sessions() as session, session.begin():
        en = item(session, "en", "Defence ministers met in Minsk")
        pair(session, en, session.get_one(Item, ru.id))
        announce(session, notifier, en)
    deliver(db_sessions, notifier)
    later = [m["To"] for m in smtp.handler.parsed()[len(got):]]
    assert later == ["en@example.org"]  # the reader of English only: as always
    mail = smtp.handler.to("en@example.org")[0].get_body(("plain",)).get_content()
    assert "Defence ministers met in Minsk" in mail and "Russian version" not in mail


def test_a_story_first_mailed_when_both_versions_exist_links_the_other(
        smtp: SmtpServer, db_sessions: sessionmaker[Session]) -> None:  # noqa: F811
    readers(db_sessions)
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    with db_sessions() as session, session.begin():
        ru = item(session, "ru", "Министры обороны встретились в Минске")  # stored silently
        en = item(session, "en", "Defence ministers met in Minsk")
        pair(session, en, ru)
        announce(session, notifier, en)
    deliver(db_sessions, notifier)
    assert sorted(m["To"] for m in smtp.handler.parsed()) == [
        "both@example.org", "en-or-ru@example.org", "en@example.org", "watch@example.org"]
    text = smtp.handler.to("both@example.org")[0].get_body(("plain",)).get_content()
    assert f"Russian version: Министры обороны встретились в Минске\n  {ru.url}" in text
    html = smtp.handler.to("both@example.org")[0].get_body(("html",)).get_content()
    assert f'Russian version: <a href="{ru.url}"' in html


def test_a_divergence_is_recorded_once_and_mailed_to_those_who_asked(
        smtp: SmtpServer, db_sessions: sessionmaker[Session]) -> None:  # noqa: F811
    readers(db_sessions)
    notifier = EmailNotifier(settings(smtp.port), db_sessions)
    now = utcnow()
    with db_sessions() as session, session.begin():
        ru = item(session, "ru", "Министры обороны встретились в Минске")
        en = item(session, "en", "Defence ministers met in Minsk")
        ru.first_seen = en.first_seen = now - timedelta(hours=30)
        pair(session, en, ru)
        ru.title = "Министры обороны ОДКБ встретились в Минске"
        session.add(ChangeEvent(item=ru, kind="edited", url=ru.url, title=ru.title,
                                fields=["title"], detected_at=now - timedelta(hours=25)))
    for _ in range(2):  # two checks (two polls, or two processes): recorded once
        with db_sessions() as session, session.begin():
            events = divergence_store.record_due(session, now, timedelta(hours=24))
            outbox.enqueue(session, events, {"email": notifier}, KINDS)
    deliver(db_sessions, notifier)
    assert sorted(m["To"] for m in smtp.handler.parsed()) == ["en@example.org",
                                                           "watch@example.org"]
    mail = smtp.handler.to("watch@example.org")[0]
    assert mail["Subject"] == "[CSTO] Versions differ: Министры обороны ОДКБ встретились в Минске"
    text = mail.get_body(("plain",)).get_content()
    assert ("The Russian version was edited (title) 25 h ago; the English version was not."
            in text)
    assert "English version: Defence ministers met in Minsk" in text
