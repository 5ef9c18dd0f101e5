"""Stored pairs on SQLite and PostgreSQL: automatic pairing around new items and over the
history, idempotent; an operator's pair and unpair, never overridden; clear errors."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Item, PairRejection, Source, StoryPair
from monitor import pair_store
from monitor.pair_store import PairingError

DAY = date(2025, 3, 4)
STORIES = [  # (slug, English title and text, Russian title and text)
    ("v-minske-sostoyalos-zasedanie-soveta-ministrov-oborony-odkb",
     ("A meeting of the CSTO Council of Defense Ministers was held in Minsk",
      "Secretary General Imangali Tasmagambetov. The ministers considered 11 issues."),
     ("В Минске состоялось заседание Совета министров обороны ОДКБ",
      "Генеральный секретарь Имангали Тасмагамбетов. Министры рассмотрели 11 вопросов.")),
    ("generalnyy-sekretar-odkb-vstretilsya-s-poslom-respubliki-serbiya",
     ("The CSTO Secretary General met with the Ambassador of the Republic of Serbia",
      "Imangali Tasmagambetov met the Ambassador of Serbia in Moscow; 3 agreements."),
     ("Генеральный секретарь ОДКБ встретился с Послом Республики Сербия",
      "Имангали Тасмагамбетов встретился с Послом Сербии в Москве; 3 соглашения.")),
]


def add(session: Session, source: Source, slug: str, title: str, body: str,
        published: date | None = DAY) -> Item:
    item = Item(source_id=source.id, url=f"{source.url}{slug}/{source.language}/",
                section="news_odkb", slug=slug, language=source.language,
                published=published, title=title, lead="", body=body)
    session.add(item)
    session.flush()
    return item


@pytest.fixture
def sources(db_session: Session) -> tuple[Source, Source]:
    en = Source(name="csto-en", url="https://en.odkb-csto.org/news/news_odkb/", language="en")
    ru = Source(name="csto-ru", url="https://odkb-csto.org/news/news_odkb/", language="ru")
    db_session.add_all([en, ru])
    db_session.flush()
    return en, ru


@pytest.fixture
def stories(db_session: Session, sources: tuple[Source, Source]
            ) -> list[tuple[Item, Item]]:
    en, ru = sources
    return [(add(db_session, en, slug, *english), add(db_session, ru, slug, *russian))
            for slug, english, russian in STORIES]


def pairs(session: Session) -> set[tuple[int, int, bool]]:
    return {(p.en_item_id, p.ru_item_id, p.manual)
            for p in session.scalars(select(StoryPair))}


def test_pairing_around_new_items_pairs_them_once(db_session: Session,
                                                  stories: list[tuple[Item, Item]]) -> None:
    made = pair_store.pair_around(db_session, [DAY])
    assert {(m.en_item_id, m.ru_item_id) for m in made} == {(e.id, r.id) for e, r in stories}
    assert pair_store.pair_around(db_session, [DAY]) == []  # idempotent
    assert pair_store.pair_history(db_session) == []
    english, russian = stories[0]
    other = pair_store.counterpart(db_session, english.id)
    assert other is not None and other.id == russian.id and other.language == "ru"
    assert other.as_json() == {"id": russian.id, "url": russian.url, "language": "ru",
                               "confidence": round(other.confidence, 2), "manual": False}
    assert other.confidence > 0.8 and {e["signal"] for e in other.evidence} >= {"slug", "names"}
    back = pair_store.counterpart(db_session, russian.id)
    assert back is not None and back.id == english.id
    assert set(pair_store.counterparts(db_session, [english.id, russian.id])) == {
        english.id, russian.id}


def test_pairing_history_runs_over_every_date(db_session: Session,
                                              sources: tuple[Source, Source]) -> None:
    en, ru = sources
    for n, day in enumerate((date(2024, 1, 5), date(2025, 6, 1), date(2025, 6, 2))):
        slug, english, russian = STORIES[n % 2]
        add(db_session, en, f"{slug}-{n}", *english, published=day)
        add(db_session, ru, f"{slug}-{n}", *russian, published=day)
    add(db_session, ru, "only-russian", "Только по-русски", "Текст.", published=None)
    assert len(pair_store.pair_history(db_session)) == 3
    assert pair_store.pair_history(db_session) == []


def test_a_manual_unpair_is_never_overridden(db_session: Session,
                                             stories: list[tuple[Item, Item]]) -> None:
    pair_store.pair_around(db_session, [DAY])
    english, russian = stories[0]
    undone = pair_store.unpair(db_session, russian.id)
    assert (undone.en_item_id, undone.ru_item_id) == (english.id, russian.id)
    assert pair_store.counterpart(db_session, english.id) is None
    assert pair_store.pair_around(db_session, [DAY]) == []
    assert pair_store.pair_history(db_session) == []
    assert pair_store.counterpart(db_session, english.id) is None
    assert db_session.scalar(select(func.count(PairRejection.id))) == 1


def test_a_manual_pair_is_never_overridden(db_session: Session,
                                           stories: list[tuple[Item, Item]]) -> None:
    (en1, _), (_, ru2) = stories
    made, replaced = pair_store.pair_manually(db_session, ru2.id, en1.id)  # either order
    assert (made.en_item_id, made.ru_item_id, made.manual) == (en1.id, ru2.id, True)
    assert replaced == []
    pair_store.pair_around(db_session, [DAY])
    pair_store.pair_history(db_session)
    # The other two items were left unpaired: their evidence is weaker than the manual pair.
    assert (en1.id, ru2.id, True) in pairs(db_session)
    assert all(p[0] != en1.id and p[1] != ru2.id for p in pairs(db_session) - {
        (en1.id, ru2.id, True)})
    other = pair_store.counterpart(db_session, en1.id)
    assert other is not None and other.manual and other.confidence == 1.0


def test_pairing_by_hand_replaces_and_rejects_the_old_pairs(
        db_session: Session, stories: list[tuple[Item, Item]]) -> None:
    (en1, ru1), (en2, ru2) = stories
    pair_store.pair_around(db_session, [DAY])
    _, replaced = pair_store.pair_manually(db_session, en1.id, ru2.id)
    assert {(p.en_item_id, p.ru_item_id) for p in replaced} == {(en1.id, ru1.id),
                                                                (en2.id, ru2.id)}
    assert pairs(db_session) == {(en1.id, ru2.id, True)}
    pair_store.pair_around(db_session, [DAY])
    assert pairs(db_session) == {(en1.id, ru2.id, True)}  # the rejected pairs stay undone
    # Pairing by hand what was rejected makes it again, and confirms an automatic pair.
    pair_store.pair_manually(db_session, en2.id, ru1.id)
    assert pairs(db_session) == {(en1.id, ru2.id, True), (en2.id, ru1.id, True)}
    pair_store.pair_manually(db_session, en2.id, ru1.id)
    assert pairs(db_session) == {(en1.id, ru2.id, True), (en2.id, ru1.id, True)}


def test_operator_errors_name_the_cause_and_the_fix(db_session: Session,
                                                    stories: list[tuple[Item, Item]]) -> None:
    (en1, ru1), (en2, _) = stories
    with pytest.raises(PairingError, match=r"no stored item 999999; list items with "
                                           r"`csto-monitor history`"):
        pair_store.pair_manually(db_session, en1.id, 999999)
    with pytest.raises(PairingError, match=rf"items {en1.id} and {en2.id} are both English "
                                           r"\(en\).*csto-monitor history --lang ru"):
        pair_store.pair_manually(db_session, en1.id, en2.id)
    with pytest.raises(PairingError, match="both IDs are item"):
        pair_store.pair_manually(db_session, ru1.id, ru1.id)
    with pytest.raises(PairingError, match=rf"item {ru1.id} has no counterpart"):
        pair_store.unpair(db_session, ru1.id)
    with pytest.raises(PairingError, match="no stored item 424242"):
        pair_store.unpair(db_session, 424242)
    assert pairs(db_session) == set()
