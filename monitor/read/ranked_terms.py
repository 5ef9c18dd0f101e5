"""PostgreSQL: the ranked page of a one-word search, read off `item_terms` (migration 0015).

Ranking with `ts_rank_cd` reads and scores every matching tsvector (40,000 for a common
word of 100,000 items: a quarter of a second). A word that both configurations analyse
to one lexeme (most English words; a Russian word whose stem is the word itself) has its
items' scores stored, in ranked order, in `item_terms` (`core.search_terms`): the page
is an index range scan, joined to the items for the other filters. The scores are
`ts_rank_cd`'s for a query of that lexeme, which is what the general ranking computes for
the word: the order is the same (relevance, then newer first, then the higher id).

Anything else (several terms, a phrase, a prefix, a word of two lexemes, a database
before 0015) returns None: the caller ranks with `ts_rank_cd`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, column, func, select, table, text
from sqlalchemy.orm import Session

from core.models import Item
from core.search_terms import TABLE
from monitor.read.search_query import WORD, Term

_TERMS = table(TABLE, column("token"), column("score"), column("published"),
               column("item_id"))
# Whether the table exists, and the distinct lexemes a word is searched by (the general
# path's query is `plainto_tsquery` of the word in both configurations, ORed).
_LEXEMES = text(
    f"SELECT to_regclass('{TABLE}') IS NOT NULL, array(SELECT DISTINCT lexeme FROM "
    "unnest(to_tsvector('russian', :word) || to_tsvector('english', :word)))")


def one_lexeme(session: Session, terms: list[Term]) -> str | None:
    """The lexeme of a query of one word, when the table can rank it; else None."""
    if len(terms) != 1 or terms[0].kind != WORD:
        return None
    row = session.execute(_LEXEMES, {"word": terms[0].words[0]}).one()
    present, lexemes = row[0], row[1]
    return lexemes[0] if present and len(lexemes) == 1 else None


def page(session: Session, base: Select[Any], terms: list[Term], limit: int, offset: int,
         elsewhere: Callable[[], set[int]]) -> list[int] | None:
    """The ids of the ranked page, or None when the table cannot rank this query.

    `base` selects item ids under the other filters; `elsewhere` gives the items holding
    the word only in a document or a translation: they have no score in their own text,
    so they follow the others, newest first (as with `ts_rank_cd`, which gives them 0).
    """
    lexeme = one_lexeme(session, terms)
    if lexeme is None:
        return None
    ranked = base.join(_TERMS, _TERMS.c.item_id == Item.id).where(_TERMS.c.token == lexeme)
    found = list(session.scalars(ranked.order_by(
        _TERMS.c.score.desc(), _TERMS.c.published.desc(), _TERMS.c.item_id.desc())
        .offset(offset).limit(limit)))
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
