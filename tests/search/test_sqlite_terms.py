"""Issue 21 on SQLite: a one-word search of one form ranks off the table of ranked words
(`item_terms`, migration 0016): its page is the ranking by the stored score
(`core.search_terms.term_scores`, recomputed here from the items' text), under filters,
offsets and a cursor's bound; an edit, a new date or a deletion moves an item and leaves
no stale row, a poll's `last_seen` update rewrites none; the migration and
`csto-monitor reindex` fill the table, a downgrade drops it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core import analyzer
from core.db import make_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.models import Document, DocumentVersion, Item
from core.search_terms import term_scores
from monitor.read import history, ranked_terms, search
from monitor.read.filters import Filter, item_conditions
from monitor.read.search_query import parse
from tests.e2e.harness import cli
from tests.search import ranked_items
from tests.search.ranked_items import Text, reindex_config, titles

# (day or None, language, title, lead, body): equal texts on several days make ties.
TEXTS: list[Text] = [
    (1, "en", "Summit in Minsk", "Leaders met.", "The summit adopted a declaration."),
    (2, "en", "Summit in Minsk", "Leaders met.", "The summit adopted a declaration."),
    (None, "en", "Summit in Minsk", "Leaders met.", "The summit adopted a declaration."),
    (3, "en", "Weekly notes", "Summits and exercises.", "Nothing else."),
    (4, "en", "Weekly notes", "A summit agenda.", "Summits, summits, summits were held."),
    (5, "en", "Exercises", "Troops trained.", "The exercise ended before the 2025 summit."),
    (6, "en", "Council", "Ministers met.", "They prepared the summit in a long and detailed "
     "meeting of ministers, experts, delegations, observers and guests from Minsk."),
    (7, "ru", "Саммит в Минске", "Встреча лидеров.", "Лидеры приняли декларацию, summit."),
    (8, "en", "Exercise report", "Drills.", "Units exercised near the border of Minsk."),
]
# Holds `summit` and `minsk` only in its attached document.
DOCUMENT_ONLY: Text = (9, "en", "Files", "Materials published.", "See the file.")
DOCUMENT = "Summit protocol, Minsk."
WORDS = ("summit", "Summits", "exercises", "met", "minsk", "Минск", "protocol", "drills",
         "2025")
FILTERS = [Filter(), Filter(section="news"), Filter(language="ru"),
           Filter(published_from=date(2025, 3, 2))]
PAGES = ((50, 0), (1, 0), (2, 0), (3, 2), (4, 5), (5, 20))


def store(session: Session) -> list[int]:
    return ranked_items.store(session, TEXTS, DOCUMENT_ONLY, DOCUMENT)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only, migrated by `sessions` (tests/search/conftest.py)."""
    return f"sqlite:///{tmp_path / 'csto.db'}"


def _newest(item: Item) -> tuple[int, int]:
    return (item.published.toordinal() if item.published else -1, item.id)


def brute_force(session: Session, word: str, f: Filter, highest: int | None = None
                ) -> list[int]:
    """The ranking computed here: every item's text scored by `term_scores`, highest first,
    then newer, then the higher id; the items holding the word only in a document after
    them, newest first."""
    (token,) = parse(word)[0].forms
    kept = set(session.scalars(select(Item.id).where(*item_conditions(session, f,
                                                                        how="ranked"))))
    items = [i for i in session.scalars(select(Item))
             if i.id in kept and (highest is None or i.id <= highest)]
    scores = {i.id: term_scores(i.title, i.lead, i.body).get(token) for i in items}
    own = sorted((i for i in items if scores[i.id]),
                 key=lambda i: (scores[i.id], *_newest(i)), reverse=True)
    in_documents = {d.item_id for d, v in session.execute(
        select(Document, DocumentVersion).join(DocumentVersion))
        if token in analyzer.stems(v.text or "")}
    rest = sorted((i for i in items if not scores[i.id] and i.id in in_documents),
                  key=_newest, reverse=True)
    return [i.id for i in own + rest]


def _base(session: Session, f: Filter) -> Any:
    return select(Item.id).where(*item_conditions(session, f, how="ranked"))


@pytest.mark.parametrize("f", FILTERS, ids=["all", "section", "language", "from"])
def test_a_word_ranks_off_the_table_by_its_stored_score(sessions: sessionmaker[Session],
                                                        f: Filter) -> None:
    with sessions() as session:
        store(session)
        for word in WORDS:
            assert ranked_terms.one_lexeme(session, parse(word)) is not None, word
            full = brute_force(session, word, f)
            for limit, offset in PAGES:
                assert search.ranked_ids(session, _base(session, f), word, limit, offset) \
                    == full[offset:offset + limit], (word, limit, offset)
            # The general ordering, asked by other readers, is the same.
            matching = _base(session, f).where(search.search_condition(session, word))
            assert list(session.scalars(search.by_relevance(session, matching, word))) == full


def test_a_cursor_page_holds_the_items_stored_before_it_only(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = store(session)
        for highest in (ids[2], ids[5], ids[-1]):
            for word in ("summit", "minsk", "exercises"):
                older = brute_force(session, word, Filter(), highest)
                for limit, offset in ((2, 0), (3, 2), (50, 0), (2, 6)):
                    assert search.ranked_ids(session, select(Item.id), word, limit, offset,
                                             highest=highest) == older[offset:offset + limit]
        assert brute_force(session, "summit", Filter(), ids[5]) != brute_force(
            session, "summit", Filter())  # the bound matters


def test_other_queries_are_ranked_by_bm25(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        assert ranked_terms.one_lexeme(session, parse("Summits")) == "summit"
        assert ranked_terms.one_lexeme(session, parse("Минске")) is None  # минск | минске
        for query in ("summit minsk", '"summit"', "summ*", "учения"):
            assert ranked_terms.one_lexeme(session, parse(query)) is None, query
        assert [r["title"] for r in history.items(session, history.Filters(
            search="summit declaration"))][:1] == ["Summit in Minsk"]


def test_an_item_with_the_word_in_its_title_ranks_first(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        found = [r["title"] for r in history.items(session, history.Filters(
            search="exercises"))]
        assert set(found[:2]) == {"Exercise report", "Exercises"} and found[2:] == [
            "Weekly notes"]  # a lead's mention after both titles'
        found = [r["title"] for r in history.items(session, history.Filters(search="minsk"))]
        assert found[:3] == ["Summit in Minsk"] * 3 and set(found[3:5]) == {
            "Council", "Exercise report"} and found[5:] == ["Files"]  # then the document


def _rows(session: Session) -> list[Any]:
    return sorted(tuple(row) for row in session.execute(text("SELECT * FROM item_terms")))


def _expected_rows(session: Session) -> list[Any]:
    """Each item's `term_scores`, with its date as days since 1970 (-1,000,000: none)."""
    epoch = date(1970, 1, 1)
    return sorted((token, score, (i.published - epoch).days if i.published else -1_000_000,
                   i.id) for i in session.scalars(select(Item))
                  for token, score in term_scores(i.title, i.lead, i.body).items())


def test_edits_dates_and_deletions_leave_no_stale_row(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = store(session)
        assert _rows(session) == _expected_rows(session) and _rows(session)
    assert titles(sessions, "drills") == ["Exercise report|2025-03-08"]
    with sessions() as session, session.begin():
        session.get_one(Item, ids[6]).title = "Drills"  # a title above the other's lead
        session.get_one(Item, ids[8]).lead = "Report."
        session.get_one(Item, ids[5]).body = "Ended."
    assert titles(sessions, "drills") == ["Drills|2025-03-06"]
    assert titles(sessions, "council") == []
    with sessions() as session, session.begin():
        session.get_one(Item, ids[0]).published = date(2025, 3, 28)  # newer among equals
    assert titles(sessions, "minsk")[0] == "Summit in Minsk|2025-03-28"
    with sessions() as session, session.begin():
        session.get_one(Item, ids[2]).published = date(2025, 4, 1)  # had none: now first
    assert titles(sessions, "minsk")[0] == "Summit in Minsk|2025-04-01"
    with sessions() as session, session.begin():
        session.get_one(Item, ids[1]).published = None  # the last of its equals
        session.delete(session.get_one(Item, ids[2]))
    assert titles(sessions, "minsk")[:2] == ["Summit in Minsk|2025-03-28",
                                              "Summit in Minsk|None"]
    with sessions() as session:
        assert _rows(session) == _expected_rows(session)  # no row left behind
        for word in WORDS:
            assert search.ranked_ids(session, select(Item.id), word, 50) == brute_force(
                session, word, Filter()), word


def test_a_poll_seeing_an_item_again_rewrites_none_of_its_rows(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = store(session)
    with sessions() as session, session.begin():
        # A mark only a rewrite would erase: the item's rows as they were, but scored 1.
        session.execute(text("UPDATE item_terms SET score = 1 WHERE item_id = :i"),
                        {"i": ids[3]})
        marked = _rows(session)
    with sessions() as session, session.begin():
        item = session.get_one(Item, ids[3])
        item.last_seen, item.status = datetime.now(UTC), "removed"
    with sessions() as session, session.begin():  # the text columns named, not changed
        session.execute(text("UPDATE items SET title = title, lead = lead, body = body, "
                             "published = published, last_seen = :now WHERE id = :i"),
                        {"now": datetime.now(UTC), "i": ids[3]})
    with sessions() as session:
        assert _rows(session) == marked
        item = session.get_one(Item, ids[3])
        item.lead = "Exercises only."
        session.commit()
        scored = {row[0] for row in _rows(session) if row[3] == ids[3] and row[1] != 1}
        # The text changed: the item's rows are computed again (the marked ones, whose
        # keys hold a score never computed, are what a delete by key cannot find).
        assert scored == set(term_scores(item.title, item.lead, item.body))


def test_reindex_refills_the_table(sessions: sessionmaker[Session], database_url: str,
                                   tmp_path: Path) -> None:
    with sessions() as session:
        store(session)
        expected = _rows(session)
    summit = titles(sessions, "summit")
    with sessions() as session, session.begin():
        session.execute(text("DELETE FROM item_terms"))
    assert titles(sessions, "summit") == ["Files|2025-03-09"]  # the table is what ranks
    result = cli(reindex_config(tmp_path, database_url), "reindex")
    assert result.code == 0, result.err
    with sessions() as session:
        assert _rows(session) == expected
    assert titles(sessions, "summit") == summit


def _objects(session: Session) -> set[str]:
    return set(session.scalars(text("SELECT name FROM sqlite_master WHERE name LIKE "
                                    "'item\\_terms%' ESCAPE '\\'")))


def test_the_migration_fills_the_table_and_a_downgrade_drops_it(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0015")
    sessions = session_factory(engine)
    with sessions() as session:
        assert _objects(session) == set()
        store(session)
    upgrade(engine)
    with sessions() as session:
        assert _objects(session) == {"item_terms", "item_terms_insert", "item_terms_delete",
                                     "item_terms_update"}
        assert _rows(session) == _expected_rows(session) and _rows(session)
        assert search.ranked_ids(session, select(Item.id), "summit", 50) == brute_force(
            session, "summit", Filter())
    command.downgrade(alembic_config(engine), "0015")
    with sessions() as session:
        assert _objects(session) == set()
        session.get_one(Item, 1).title = "Edited without the table"  # no trigger left
        session.commit()
    engine.dispose()
