"""The ranked page of a one-word search, read off `item_terms` (migrations 0015, 0016).

Ranking scores every match (`ts_rank_cd` over 40,000 tsvectors, FTS5's `bm25()` over
40,000 matches, for a common word of 100,000 items). A word searched by one token has its
items' scores stored, in ranked order, in `item_terms` (`core.search_terms`): the page is
a range scan of that order, joined to the items for the other filters.

- PostgreSQL: a word that both configurations analyse to one lexeme (most English words;
  a Russian word whose stem is the word itself). The scores are `ts_rank_cd`'s for a query
  of that lexeme, which is what the general ranking computes for the word: the order is
  the same (relevance, then newer first, then the higher id).
- SQLite: a word of one form (`Term.forms`: an English word; a Russian word whose stem is
  the word itself). The scores are BM25's term-frequency part with fixed constants
  (`core.search_terms.term_scores`); `monitor.read.search.by_relevance` orders such a
  query by them too, so every reader lists it in one order.

Anything else (several terms, a phrase, a prefix, a word of two lexemes or forms) returns
None: the caller ranks every match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    true,
)
from sqlalchemy.orm import Session

from core.models import Item
from core.search_terms import TABLE
from monitor.read.search_query import WORD, Term

TERMS = table(TABLE, column("token"), column("score"), column("published"),
              column("item_id"), column("section_language"))  # the last on PostgreSQL


def _lexemes(word: str) -> Any:
    """PostgreSQL: the distinct lexemes a word is searched by: the general path's query is
    `plainto_tsquery` of the word in both configurations, ORed."""
    vector = (func.to_tsvector(literal_column("'russian'::regconfig"), _word(word))
              .op("||")(func.to_tsvector(literal_column("'english'::regconfig"), _word(word))))
    return func.unnest(vector).table_valued("lexeme")


def _word(word: str) -> Any:
    return cast(bindparam(None, word, unique=True), Text)


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def one_lexeme(session: Session, terms: list[Term]) -> str | None:
    """The token of a query of one word, when the table can rank it; else None."""
    if len(terms) != 1 or terms[0].kind != WORD:
        return None
    if _sqlite(session):
        forms = terms[0].forms
        return forms[0] if len(forms) == 1 else None
    found = _lexemes(terms[0].words[0])
    lexemes = list(session.scalars(select(found.c.lexeme).distinct()))
    return lexemes[0] if len(lexemes) == 1 else None


def scores(token: str) -> Any:
    """SQLite: (item_id, score) of the items holding this token, for `by_relevance` to
    outer-join to the items it orders.

    The table has no index on `item_id`: the rows are read once (MATERIALIZED) and SQLite
    indexes them by `item_id` for the join, but only if it expects many; with
    `token = ?` and no statistics it expects 10, scans them again for every item (40,000
    times 40,000 rows for a common word) and takes minutes. A range of one token is the
    same rows, expected to be many."""
    found: Any = bindparam(None, token, unique=True)
    return (select(TERMS.c.item_id, TERMS.c.score).where(TERMS.c.token.between(found, found))
            .cte().prefix_with("MATERIALIZED"))


_ORDER = (TERMS.c.score.desc(), TERMS.c.published.desc(), TERMS.c.item_id.desc())


def page(session: Session, base: Select[Any], terms: list[Term], limit: int, offset: int,
         elsewhere: Callable[[], set[int]]) -> list[int] | None:
    """The ids of the ranked page, or None when the table cannot rank this query.

    `base` selects item ids under the other filters; `elsewhere` gives the items holding
    the word only in a document or a translation: they have no score in their own text,
    so they follow the others, newest first (as with the general ranking, where they
    score nothing).
    """
    if len(terms) != 1 or terms[0].kind != WORD:
        return None
    top: list[int] | None
    if _sqlite(session):  # the form is known here: the page alone
        if (found := one_lexeme(session, terms)) is None:
            return None
        token: ColumnElement[Any] = bindparam(None, found, unique=True)
        top = list(session.scalars(_ranked(base, token).order_by(*_ORDER)
                                   .offset(offset).limit(limit)))
    else:
        token, top = _pg_top(session, base, terms[0], limit, offset)
        if top is None:
            return None
    if len(top) == limit:
        return top
    return top + _elsewhere_only(session, base, token, limit - len(top), offset, elsewhere)


def _ranked(base: Select[Any], token: ColumnElement[Any]) -> Select[Any]:
    return base.join(TERMS, TERMS.c.item_id == Item.id).where(TERMS.c.token == token)


def _pg_top(session: Session, base: Select[Any], term: Term, limit: int, offset: int
            ) -> tuple[ColumnElement[Any], list[int] | None]:
    """PostgreSQL: the word's lexeme (a subquery) and its page, or None when the word has
    several lexemes. One statement asks for the page and for how many lexemes the word
    has: only with one is the page the table's."""
    lexemes = _lexemes(term.words[0])
    count = select(func.count(lexemes.c.lexeme.distinct())).scalar_subquery()
    lexeme = select(func.min(lexemes.c.lexeme)).scalar_subquery()
    top = (_ranked(base, lexeme).where(count == 1)
           .add_columns(TERMS.c.score, TERMS.c.published)
           .order_by(*_ORDER).offset(offset).limit(limit).subquery())
    one = select(literal_column("1").label("one")).subquery()
    rows = session.execute(select(count, top.c.id).select_from(one.outerjoin(top, true()))
                           .order_by(top.c.score.desc(), top.c.published.desc(),
                                     top.c.id.desc())).all()
    if rows[0][0] != 1:
        return lexeme, None
    return lexeme, [row[1] for row in rows if row[1] is not None]


def _elsewhere_only(session: Session, base: Select[Any], token: ColumnElement[Any],
                    limit: int, offset: int,
                    elsewhere: Callable[[], set[int]]) -> list[int]:
    """After the last item holding the word in its own text: those holding it only in a
    document or a translation, newest first."""
    others = elsewhere()
    if not others:
        return []
    own = session.scalar(select(func.count()).select_from(_ranked(base, token).subquery())) or 0
    rest = (base.where(Item.id.in_(sorted(others)), Item.id.not_in(
        select(TERMS.c.item_id).where(TERMS.c.token == token)))
        .order_by(Item.published.desc().nulls_last(), Item.id.desc())
        .offset(max(0, offset - own)).limit(limit))
    return list(session.scalars(rest))
