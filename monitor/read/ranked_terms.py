"""PostgreSQL: the ranked page of a one-word search, read off `item_terms` (migration 0015).

Ranking with `ts_rank_cd` reads and scores every matching tsvector (40,000 for a common
word of 100,000 items: a quarter of a second). A word that both configurations analyse
to one lexeme (most English words; a Russian word whose stem is the word itself) has its
items' scores stored, in ranked order, in `item_terms` (`core.search_terms`): the page
is an index range scan, joined to the items for the other filters. The scores are
`ts_rank_cd`'s for a query of that lexeme, which is what the general ranking computes for
the word: the order is the same (relevance, then newer first, then the higher id).

Anything else (several terms, a phrase, a prefix, a word of two lexemes) returns None:
the caller ranks with `ts_rank_cd`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
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

_TERMS = table(TABLE, column("token"), column("score"), column("published"),
               column("item_id"))


def _lexemes(word: str) -> Any:
    """The distinct lexemes a word is searched by: the general path's query is
    `plainto_tsquery` of the word in both configurations, ORed."""
    vector = (func.to_tsvector(literal_column("'russian'::regconfig"), _word(word))
              .op("||")(func.to_tsvector(literal_column("'english'::regconfig"), _word(word))))
    return func.unnest(vector).table_valued("lexeme")


def _word(word: str) -> Any:
    return cast(bindparam(None, word, unique=True), Text)


def one_lexeme(session: Session, terms: list[Term]) -> str | None:
    """The lexeme of a query of one word, when the table can rank it; else None."""
    if len(terms) != 1 or terms[0].kind != WORD:
        return None
    found = _lexemes(terms[0].words[0])
    lexemes = list(session.scalars(select(found.c.lexeme).distinct()))
    return lexemes[0] if len(lexemes) == 1 else None


def page(session: Session, base: Select[Any], terms: list[Term], limit: int, offset: int,
         elsewhere: Callable[[], set[int]]) -> list[int] | None:
    """The ids of the ranked page, or None when the table cannot rank this query.

    `base` selects item ids under the other filters; `elsewhere` gives the items holding
    the word only in a document or a translation: they have no score in their own text,
    so they follow the others, newest first (as with `ts_rank_cd`, which gives them 0).
    One statement asks for the page and for how many lexemes the word has: only with one
    is the page the table's.
    """
    if len(terms) != 1 or terms[0].kind != WORD:
        return None
    lexemes = _lexemes(terms[0].words[0])
    count = select(func.count(lexemes.c.lexeme.distinct())).scalar_subquery()
    lexeme = select(func.min(lexemes.c.lexeme)).scalar_subquery()
    ranked = base.join(_TERMS, _TERMS.c.item_id == Item.id).where(_TERMS.c.token == lexeme)
    order = (_TERMS.c.score.desc(), _TERMS.c.published.desc(), _TERMS.c.item_id.desc())
    top = (ranked.where(count == 1).add_columns(_TERMS.c.score, _TERMS.c.published)
           .order_by(*order).offset(offset).limit(limit).subquery())
    one = select(literal_column("1").label("one")).subquery()
    rows = session.execute(select(count, top.c.id).select_from(one.outerjoin(top, true()))
                           .order_by(top.c.score.desc(), top.c.published.desc(),
                                     top.c.id.desc())).all()
    if rows[0][0] != 1:
        return None
    found = [row[1] for row in rows if row[1] is not None]
    if len(found) == limit:
        return found
    others = elsewhere()
    if not others:
        return found
    own = session.scalar(select(func.count()).select_from(ranked.subquery())) or 0
    rest = (base.where(Item.id.in_(sorted(others)), Item.id.not_in(
        select(_TERMS.c.item_id).where(_TERMS.c.token == lexeme)))
        .order_by(Item.published.desc().nulls_last(), Item.id.desc())
        .offset(max(0, offset - own)).limit(limit - len(found)))
    return found + list(session.scalars(rest))
