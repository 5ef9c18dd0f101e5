"""Mail reads like news, as a real SMTP server receives it: the section in words in the
reader's language (never its slug), the title a link in the HTML part, the address on a
line of its own in the text part. And the console names the section the same way."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from notifier.channels.console import ConsoleNotifier
from notifier.channels.email import EmailNotifier
from notifier.message import EventMessage
from tests.email.smtpd import Recorder, SmtpServer
from tests.translation.stories import Stories, deliver


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def notifier(port: int, sessions: sessionmaker[Session]) -> EmailNotifier:
    settings = Settings.model_validate({
        "database_url": "sqlite:////nonexistent/unused.db",
        "sources": [{"name": "csto-en", "url": "https://en.odkb-csto.org/news/",
                     "language": "en"}],
        "email": {"smtp_host": "127.0.0.1", "smtp_port": port,
                  "sender": "CSTO <news@example.org>"}})
    return EmailNotifier(settings, sessions)


def parts(mail: EmailMessage) -> tuple[str, str]:
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()).replace("\r\n", "\n"), str(html.get_content())


@pytest.mark.parametrize(("section", "en", "ru"), [
    ("speech", "Speeches", "Выступления"), ("statements", "Statements", "Заявления"),
    ("press_releases", "Press releases", "Press releases")])
def test_each_reader_reads_the_section_in_words_and_a_linked_title(
        smtp: SmtpServer, db_sessions: sessionmaker[Session], section: str, en: str,
        ru: str) -> None:
    stories = Stories(db_sessions)
    stories.subscriber("email", "ann@example.org")
    stories.subscriber("email", "ivan@example.org", ui_language="ru")
    new = stories.new("Address in Minsk", "One. Two.", language="en", section=section)
    assert deliver(db_sessions, {"email": notifier(smtp.port, db_sessions)}, [new]).sent == 2
    for address, words, date in (("ann@example.org", en, "27 Nov 2026"),
                                 ("ivan@example.org", ru, "27 ноября 2026")):
        (mail,) = smtp.handler.to(address)
        text, html = parts(mail)
        assert f"* Address in Minsk\n  {date} · {words}\n  One. Two.\n  {new.url}\n" in text
        assert (f'<a href="{new.url}" style="color:#1d4ed8;text-decoration:none;">Address in '
                f"Minsk</a>") in html
        assert f"{date} &middot; {words}</div>" in html
        assert section not in text.replace(new.url, "") + html.replace(new.url, "")


def test_the_console_names_the_section() -> None:
    from datetime import UTC, date, datetime

    stream = io.StringIO()
    message = EventMessage(event_id=1, kind="new", title="T", url="https://x.org/a/",
                           published=date(2025, 6, 5), section="news_odkb", language="en",
                           summary="S.", detected_at=datetime(2025, 6, 5, tzinfo=UTC))
    asyncio.run(ConsoleNotifier(stream).send(message, "stdout"))
    assert "  2025-06-05 · CSTO news · en\n" in stream.getvalue()
