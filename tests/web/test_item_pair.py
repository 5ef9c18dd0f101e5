"""The item page of a story in two languages shows both versions side by side, and the
history page shows a story found in both languages once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.models import CrawlRun, Source
from monitor import pair_store
from tests.web.helpers import T0, LiveServer, add_item, edit_item, fetch

EN_BODY = "On 7 February 2025, the ministers met in Minsk.\n\nThey considered 11 issues."
RU_BODY = "7 февраля 2025 года министры встретились в Минске.\n\nОни рассмотрели 11 вопросов."


def paired_story(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """An English item and its Russian version (edited once), paired automatically."""
    with sessions() as session, session.begin():
        en = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en")
        ru = Source(name="csto-ru", url="http://127.0.0.1:9/ru/news/", language="ru")
        session.add_all([en, ru])
        session.flush()
        run = CrawlRun(source_id=ru.id, started_at=T0, outcome="changed")
        session.add(run)
        english = add_item(session, en, 1, "Defence ministers met in Minsk", date(2025, 2, 7),
                           EN_BODY)
        english.slug = "v-minske-vstretilis-ministry-oborony"
        russian = add_item(session, ru, 2, "Министры обороны встретились в Минске",
                           date(2025, 2, 7), RU_BODY)
        russian.url, russian.language = "https://odkb-csto.org/news/news_odkb/item-2/", "ru"
        russian.slug = "v-minske-vstretilis-ministry-oborony"
        session.flush()
        edit_item(session, russian, run, 2, T0 + timedelta(hours=3),
                  title="Министры обороны ОДКБ встретились в Минске")
        assert len(pair_store.pair_history(session)) == 1
        return english.id, russian.id


def test_item_page_shows_both_versions_and_the_other_revisions(
        server: LiveServer, sessions: sessionmaker[Session]) -> None:
    en_id, ru_id = paired_story(sessions)
    page = fetch(f"{server.url}/items/{en_id}").text
    versions = page[page.index('<div class="versions">'):page.index('id="pairing"')]
    assert versions.index("Defence ministers met in Minsk") < versions.index(
        "Министры обороны ОДКБ встретились в Минске")
    assert 'href="https://en.odkb-csto.org/news/news_odkb/item-1/"' in versions
    assert 'href="https://odkb-csto.org/news/news_odkb/item-2/"' in versions
    assert f'href="/items/{ru_id}"' in versions and versions.count("2025-02-07") == 2
    assert "Paired automatically, confidence" in page and "slug 1.00" in page
    other = page[page.index('id="other-revisions"'):]
    assert "2 revisions of the other version (ru)" in other
    assert 'id="other-revision-2"' in other and "<ins>ОДКБ</ins>" in other

    russian_page = fetch(f"{server.url}/items/{ru_id}").text
    assert f'href="/items/{en_id}"' in russian_page
    assert "1 revision of the other version (en)" in russian_page


def test_item_page_without_a_pair_shows_one_version(server: LiveServer,
                                                    sessions: sessionmaker[Session]) -> None:
    en_id, _ = paired_story(sessions)
    with sessions() as session, session.begin():
        pair_store.unpair(session, en_id)
    page = fetch(f"{server.url}/items/{en_id}").text
    assert 'class="versions"' not in page and "other version" not in page
    assert "Defence ministers met in Minsk" in page


def test_a_search_lists_a_story_found_in_both_languages_once(
        server: LiveServer, sessions: sessionmaker[Session]) -> None:
    en_id, ru_id = paired_story(sessions)
    both = fetch(f"{server.url}/?q=2025").text
    assert both.count('<li>') == 1 and "Also found in" in both
    english = fetch(f"{server.url}/?q=2025&lang=en").text
    assert english.count('<li>') == 1 and f'href="/items/{en_id}"' in english
    assert "Other version (ru)" in english and f'href="/items/{ru_id}"' in english
