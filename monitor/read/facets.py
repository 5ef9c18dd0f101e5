"""Facets of a search: how many of its matches are in each section, language and year.

Three ways to the same counts:
- a grouped query over the matches, read from `items`: a phrase, a prefix or a word of
  two lexemes on PostgreSQL, few matches on SQLite, and on both a filter the search indexes do
  not hold (status, kind of change, dates). A common word's 40,000 matches of 100,000
  items: 140-175 ms (docs/benchmarks.md, sections 8 and 16);
- SQLite with many matches: FTS5 counts them per value (`core.search_facets`, migration
  0017), one doclist walk each: 20-34 ms for the same word;
- PostgreSQL, words of one lexeme each: their ranges of the index of `item_terms`, which
  holds each match's date and the number of its section and language (migration 0018),
  read without the wide rows of `items`: 17-22 ms for one word, intersected for several.
On the last two, the few items found only through their documents or translation are
grouped from `items`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from core import search_facets
from core.models import Item
from core.search_terms import SECTION_LANGUAGES
from monitor.read.filters import Filter, item_conditions
from monitor.read.ranked_terms import TERMS, one_lexeme
from monitor.read.search import found_elsewhere, fts5_rowids, own_text_query
from monitor.read.search_query import parse

Facets = dict[str, dict[str, int]]

# Counting one value in the index costs about what reading 60 matches from `items` does
# (0.2 ms against 3.4 µs a match, bench section 8): below that many matches per value
# there is, the grouped query is the cheaper.
MATCHES_PER_VALUE = 60
_EVERY_ITEM_HAS_ONE = ("section", "language")  # `year`: an item may have no date
_PER_STATEMENT = 500  # counts per statement (SQLite allows 2,000 columns)
_SECTION_LANGUAGES = table(SECTION_LANGUAGES, column("id"), column("section"),
                           column("language"))  # PostgreSQL: the numbers' names


def facets(session: Session, f: Filter) -> Facets:
    """Counts by `section`, `language` and `year` (of publication; undated items have none)
    of the items `f` selects, most first."""
    counted = _from_indexes(session, f) if _indexed(f) else None
    if counted is None:
        counted = _grouped(session, select(Item.id).where(*item_conditions(session, f)))
    return {name: dict(sorted(((k, n) for k, n in counted[name].items() if n > 0),
                              key=lambda kv: (-kv[1], kv[0])))
            for name in search_facets.FACETS}


def _indexed(f: Filter) -> bool:
    """Whether the indexes hold all that `f` asks: a search, narrowed by section or
    language at most."""
    return bool(f.search) and not (f.status or f.kind or f.published_from or f.published_to)


def _from_indexes(session: Session, f: Filter) -> dict[str, Counter[str]] | None:
    if session.get_bind().dialect.name == "sqlite":
        return _from_search_index(session, f)
    return _from_ranked_terms(session, f)


def _year(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y", Item.published)
    return func.to_char(Item.published, "YYYY")


def _grouped(session: Session, matches: Select[Any]) -> dict[str, Counter[str]]:
    """One pass over the matches (a select of item ids), grouped by the three at once."""
    columns = (Item.section, Item.language, _year(session))
    return _tally(session.execute(matches.with_only_columns(*columns, func.count())
                                  .group_by(*columns)))


def _tally(rows: Any) -> dict[str, Counter[str]]:
    """Rows of (section, language, year, count) summed per facet."""
    found: dict[str, Counter[str]] = {name: Counter() for name in search_facets.FACETS}
    for *keys, count in rows:
        for name, key in zip(search_facets.FACETS, keys, strict=True):
            if key is not None:
                found[name][str(key)] += count
    return found


def _from_ranked_terms(session: Session, f: Filter) -> dict[str, Counter[str]] | None:
    """PostgreSQL: words of one lexeme each, counted off `item_terms`' index, which holds
    each match's date and section-and-language number; else None."""
    lexemes = _lexemes(session, f.search or "")
    if lexemes is None:
        return None
    matched = _holding_all(lexemes)
    names = _SECTION_LANGUAGES
    undated: ColumnElement[Any] = literal_column("'-infinity'::date")  # as `item_terms` has it
    year = cast(func.date_part("year", func.nullif(matched.c.published, undated)), Integer)
    # Counted by number first, then named: the few numbers are joined to their names once.
    numbered = (select(matched.c.section_language, year.label("year"), func.count().label("n"))
                .group_by(matched.c.section_language, year).subquery())
    chosen = [field == value for field, value in ((names.c.section, f.section),
                                                  (names.c.language, f.language)) if value]
    year_text = func.to_char(numbered.c.year, "FM0000")  # as `_year`'s: of a few groups
    found = _tally(session.execute(
        select(names.c.section, names.c.language, year_text, numbered.c.n)
        .join_from(numbered, names, names.c.id == numbered.c.section_language).where(*chosen)))
    own = select(matched.c.item_id)
    for facet, counts in _found_elsewhere_only(session, f, own).items():
        found[facet].update(counts)
    return found


def _lexemes(session: Session, text: str) -> list[str] | None:
    """The lexeme of each word of the search, or None unless every term is a word of one."""
    found = []
    for term in parse(text):
        lexeme = one_lexeme(session, [term])
        if lexeme is None:
            return None
        found.append(lexeme)
    return list(dict.fromkeys(found)) or None


def _holding_all(lexemes: list[str]) -> Any:
    """The first word's rows of `item_terms` for the items holding every word (a word's
    items have one row each: a join is the intersection)."""
    first = TERMS.alias("t0")
    joined: Any = first
    for n, lexeme in enumerate(lexemes[1:], start=1):
        other = TERMS.alias(f"t{n}")
        joined = joined.join(other, (other.c.item_id == first.c.item_id)
                             & (other.c.token == lexeme))
    return (select(first.c.item_id, first.c.published, first.c.section_language)
            .select_from(joined).where(first.c.token == lexemes[0]).subquery())


def _from_search_index(session: Session, f: Filter) -> dict[str, Counter[str]] | None:
    """SQLite: the counts of FTS5, or None when the grouped query is the cheaper."""
    own = own_text_query(f.search or "")
    if own is None:
        return None
    chosen = {"section": f.section, "language": f.language}
    query = f"({own})" + "".join(f' AND facets : "{search_facets.token(facet, value)}"'
                                 for facet, value in chosen.items() if value)
    total = _count(session, [query])[0]
    values = _values(session, {facet for facet, value in chosen.items() if value})
    if total <= MATCHES_PER_VALUE * sum(len(v) for v in values.values()):
        return None
    found = {facet: Counter({value: total}) for facet, value in chosen.items() if value}
    for facet, items in values.items():
        found[facet] = _value_counts(session, query, facet, items, total)
    for facet, counts in _found_elsewhere_only(session, f, fts5_rowids(query)).items():
        found[facet].update(counts)
    return found


def _values(session: Session, chosen: set[str]) -> dict[str, dict[str, int]]:
    """The values of each facet not chosen by the filter, with how many items hold each."""
    found: dict[str, dict[str, int]] = {facet: {} for facet in search_facets.FACETS
                                        if facet not in chosen}
    for facet, value, items in session.execute(
            text(f"SELECT facet, value, items FROM {search_facets.TABLE}")):
        if facet in found:
            found[facet][value] = items
    return found


def _value_counts(session: Session, query: str, facet: str, items: Mapping[str, int],
                  total: int) -> Counter[str]:
    """The matches of `query` per value; where every item has a value, the one most items
    have is the rest of the matches (its walk would be the longest)."""
    counted = list(items)
    rest = None
    if facet in _EVERY_ITEM_HAS_ONE and counted:
        rest = max(counted, key=lambda value: items[value])
        counted.remove(rest)
    counts = _count(session, [f'({query}) AND facets : "{search_facets.token(facet, value)}"'
                              for value in counted])
    found = Counter(dict(zip(counted, counts, strict=True)))
    if rest is not None:
        found[rest] = total - sum(counts)
    return found


def _count(session: Session, queries: list[str]) -> list[int]:
    """FTS5's count of each MATCH expression, as one row of a statement: SQLite computes it
    in one step without Python's GIL, where a row per count would take the GIL back for
    each, waiting for the page's thread to let go of it every time (two threads, bench
    section 8)."""
    found: list[int] = []
    connection = session.connection()
    for start in range(0, len(queries), _PER_STATEMENT):
        chunk = queries[start:start + _PER_STATEMENT]
        sql = "SELECT " + ", ".join(
            "(SELECT count(*) FROM items_search WHERE items_search MATCH ?)" for _ in chunk)
        found += [int(n) for n in connection.exec_driver_sql(sql, tuple(chunk)).one()]
    return found


def _found_elsewhere_only(session: Session, f: Filter, own: Select[Any]
                          ) -> dict[str, Counter[str]]:
    """The matches found through their documents or translation, not in `own` (the ids of
    those found in their own text)."""
    elsewhere = found_elsewhere(session, f.search or "")
    if not elsewhere:
        return {}
    return _grouped(session, select(Item.id).where(
        *item_conditions(session, f), Item.id.in_(sorted(elsewhere)),
        Item.id.not_in(own)))

