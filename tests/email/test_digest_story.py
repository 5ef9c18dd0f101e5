"""A digest lists a paired story once, in the reader's preferred version, linking the
other; both versions' events are covered. Real SMTP (aiosmtpd), SQLite and PostgreSQL,
the daemon's digest pass on an injected clock (daily at 07:00 UTC)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, DigestEntry, Item
from tests.email.smtpd import SmtpServer
from tests.email.test_digest_gap import Digests, at, smtp  # noqa: F401 (fixture)
from tests.fixtures.digests import Timeline

MINSK_RU, MINSK_EN = "Министры обороны встретились в Минске", "Defence ministers met in Minsk"
READERS = {
    "both@example.org": {"languages": []},  # preferring the messages' language, English
    "ru-first@example.org": {"languages": [], "preferred_language": "ru"},
    "en-or-ru@example.org": {"languages": ["en"], "accept_translated": True},
    "en@example.org": {"languages": ["en"]},
    "ru@example.org": {"languages": ["ru"], "ui_language": "ru"},
}


def digests_of(smtp: SmtpServer, address: str) -> list[str]:  # noqa: F811
    texts = []
    for message in smtp.handler.to(address):
        part = message.get_body(("plain",))
        assert part is not None
        texts.append(str(part.get_content()).replace("\r\n", "\n"))
    return texts


def entries(text: str) -> list[str]:
    """The titles a digest lists (`* Title` lines), in order."""
    return [line[2:] for line in text.splitlines() if line.startswith("* ")]


def covered(sessions: sessionmaker[Session], address: str) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(
            select(Item.title).join(ChangeEvent, ChangeEvent.item_id == Item.id)
            .join(DigestEntry, DigestEntry.event_id == ChangeEvent.id)
            .where(DigestEntry.recipient == address, ChangeEvent.kind == "new")))


def test_a_digest_lists_a_paired_story_once_in_the_preferred_version(
        smtp: SmtpServer, db_sessions: sessionmaker[Session]) -> None:  # noqa: F811
    news = Timeline(db_sessions)
    for address, extra in READERS.items():
        news.subscriber("email", address, since=at(1, 12), mode="daily", **extra)
    digests = Digests(db_sessions, smtp.port)
    ru = news.version("ru", MINSK_RU, at(1, 20))
    news.version("en", "Event solo", at(1, 21))
    en = news.version("en", MINSK_EN, at(2, 3))
    news.pair(en, ru, at(2, 3))
    assert digests.daemon_pass(at(2, 7, 1)) == 5

    listed = {a: entries(digests_of(smtp, a)[0]) for a in READERS}
    assert listed == {"both@example.org": [MINSK_EN, "Event solo"],
                      "ru-first@example.org": ["Event solo", MINSK_RU],
                      "en-or-ru@example.org": [MINSK_EN, "Event solo"],
                      "en@example.org": [MINSK_EN, "Event solo"],
                      "ru@example.org": [MINSK_RU]}
    both = digests_of(smtp, "both@example.org")[0]
    assert f"Russian version: {MINSK_RU}\n  https://odkb-csto.org/news/news_odkb/" in both
    assert "CSTO news digest: 2 new" in both  # counted once
    html = smtp.handler.to("both@example.org")[0].get_body(("html",))
    assert html is not None
    assert 'Russian version: <a href="https://odkb-csto.org/' in html.get_content()
    assert f"English version: {MINSK_EN}" in digests_of(smtp, "ru-first@example.org")[0]
    # Readers of one language: as always, no link.
    assert "version:" not in digests_of(smtp, "en@example.org")[0]
    assert "версия" not in digests_of(smtp, "ru@example.org")[0].lower()
    # Both versions are covered: neither is listed again.
    assert covered(db_sessions, "both@example.org") == sorted([MINSK_EN, MINSK_RU, "Event solo"])
    assert digests.daemon_pass(at(2, 8)) == 0


def test_edits_of_the_preferred_version_only_and_a_late_version_adds_nothing(
        smtp: SmtpServer, db_sessions: sessionmaker[Session]) -> None:  # noqa: F811
    news = Timeline(db_sessions)
    for address in ("both@example.org", "ru-first@example.org", "en@example.org"):
        news.subscriber("email", address, since=at(1, 12), mode="daily",
                        **READERS[address])
    digests = Digests(db_sessions, smtp.port)
    ru = news.version("ru", MINSK_RU, at(1, 20))
    en = news.version("en", MINSK_EN, at(1, 22))
    news.pair(en, ru, at(1, 22))
    assert digests.daemon_pass(at(2, 7, 1)) == 3

    # Both versions edited; a Russian story alone (its English version comes tomorrow).
    news.edit(en, "Defence ministers of the CSTO met in Minsk", at(2, 10))
    news.edit(ru, "Министры обороны ОДКБ встретились в Минске", at(2, 11))
    later_ru = news.version("ru", "Совет собрался в Астане", at(2, 12))
    assert digests.daemon_pass(at(3, 7, 1)) == 3
    assert entries(digests_of(smtp, "both@example.org")[1]) == [
        "Совет собрался в Астане", "Defence ministers of the CSTO met in Minsk"]
    assert entries(digests_of(smtp, "ru-first@example.org")[1]) == [
        "Совет собрался в Астане", "Министры обороны ОДКБ встретились в Минске"]
    assert entries(digests_of(smtp, "en@example.org")[1]) == [
        "Defence ministers of the CSTO met in Minsk"]

    # The English version of the Astana story: the readers of both were told of the story;
    # the reader of English gets it as always.
    later_en = news.version("en", "The Council met in Astana", at(3, 9))
    news.pair(later_en, later_ru, at(3, 9))
    assert digests.daemon_pass(at(4, 7, 1)) == 1
    assert entries(digests_of(smtp, "en@example.org")[2]) == ["The Council met in Astana"]
    assert len(digests_of(smtp, "both@example.org")) == 2

    # The next digest with something to list covers the late version too, listing it not.
    news.version("en", "Event later", at(4, 9))
    assert digests.daemon_pass(at(5, 7, 1)) == 3
    assert entries(digests_of(smtp, "both@example.org")[2]) == ["Event later"]
    assert "The Council met in Astana" in covered(db_sessions, "both@example.org")
