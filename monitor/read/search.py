"""Full-text search over items: WHERE conditions and a relevance order for what a user typed.

The index is migration 0014's (`core.search_index`): text analysed by `core.analyzer`
(SQLite, FTS5) or by PostgreSQL's `russian`/`english` configurations, beside the exact
folded words. What a query means is `monitor.read.search_query`'s: word forms, `"phrases"`,
`prefix*`, every term required (AND).

An item matches when each term is found in its title, lead or body, or in the current text
of one of its attached documents: different terms may be in different places. The few
items whose documents hold a term are looked up first and ORed as a list of ids: a
subquery there would keep either database from using the items' index (10 times slower
on 100,000 items), and without them the query is the items' own.

Relevance: SQLite's BM25 and PostgreSQL's `ts_rank_cd`, title above lead above body;
items found only through their documents come after; newer first among equals. A query of
one word (of one lexeme or form) is ranked by the scores stored for it in the table of
ranked words (`monitor.read.ranked_terms`): on PostgreSQL the same `ts_rank_cd`, on
SQLite BM25's term-frequency part with fixed constants (FTS5's `bm25()` changes with
every insert and cannot be stored).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    event,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session

from core import analyzer
from core.models import CachedTranslation, Document, DocumentVersion, Item
from monitor.read import ranked_terms, translated
from monitor.read.search_query import PHRASE, PREFIX, WORD, Term, parse

_T = TypeVar("_T")

# BM25 weights of items_search's columns: title, lead, body, exact (exact only matches),
# facets (never matched by a query: `core.search_facets`).
_BM25 = "bm25(items_search, 8.0, 4.0, 1.0, 0.0, 0.0)"
# ts_rank_cd weights {D, C, B, A}: body is C, lead B, title A.
_PG_WEIGHTS = "'{0.05, 0.2, 0.5, 1.0}'::float4[]"
_FTS = {"items_search": ("{title lead body}", "exact"), "document_search": ("stems", "exact"),
        "translation_search": ("stems", "exact")}


def query_terms(text: str) -> list[Term]:
    return parse(text)


# --- SQLite ---------------------------------------------------------------------------


def fts5_query(terms: list[Term], fts: str = "items_search") -> str:
    """An FTS5 MATCH expression: every term (a phrase also by its stems, for the rank)."""
    stemmed, exact = _FTS[fts]
    parts = []
    for term in terms:
        if term.kind == WORD:
            parts.append(f"{stemmed} : (" + " OR ".join(f'"{s}"' for s in term.forms) + ")")
        elif term.kind == PHRASE:
            parts += [f'{stemmed} : "{s}"' for s in term.stems]
        if term.kind == PHRASE:
            parts.append(f'{exact} : "{" ".join(term.words)}"')
        elif term.kind == PREFIX:
            parts.append(f'{exact} : "{term.words[0]}" *')
    return " AND ".join(parts)


def own_text_query(text: str) -> str | None:
    """SQLite: the FTS5 expression that `items_search` matches for the items holding every
    term of `text` in their own text; None when it has no term."""
    terms = parse(text)
    return fts5_query(terms) if terms else None


def fts5_rowids(expression: str, fts: str = "items_search") -> Select[tuple[int]]:
    """The rowids of `fts` that the MATCH expression finds."""
    return (select(literal_column(f"{fts}.rowid")).select_from(table(fts))
            .where(literal_column(fts).bool_op("MATCH")(expression)))


def _fts5_matches(terms: list[Term], fts: str = "items_search") -> Select[tuple[int]]:
    return fts5_rowids(fts5_query(terms, fts), fts)


# --- PostgreSQL -----------------------------------------------------------------------


def _tsquery(config: str, function: str, query: str) -> ColumnElement[Any]:
    return getattr(func, function)(literal_column(f"'{config}'::regconfig"),
                                   bindparam(None, query, unique=True))


def _stems_query(terms: list[Term]) -> ColumnElement[Any] | None:
    """Every term's stems, each in either language's configuration (AND)."""
    found = None
    words = (w for t in terms if t.kind != PREFIX for w in t.words if not analyzer.is_stop(w))
    for word in words:
        either = (_tsquery("russian", "plainto_tsquery", word)
                  .op("||")(_tsquery("english", "plainto_tsquery", word)))
        found = either if found is None else found.op("&&")(either)
    return found


def _exact_query(terms: list[Term]) -> ColumnElement[Any] | None:
    found = None
    for term in terms:
        if term.kind == PHRASE:
            one = _tsquery("simple", "phraseto_tsquery", " ".join(term.words))
        elif term.kind == PREFIX:
            one = _tsquery("simple", "to_tsquery", f"'{term.words[0]}':*")
        else:
            continue
        found = one if found is None else found.op("&&")(one)
    return found


def _pg_condition(terms: list[Term], table_name: str) -> ColumnElement[bool]:
    conditions = []
    stems, exact = _stems_query(_not_stop(terms)), _exact_query(terms)
    if stems is not None:
        conditions.append(literal_column(f"{table_name}.search_stems").bool_op("@@")(stems))
    if exact is not None:
        conditions.append(literal_column(f"{table_name}.search_exact").bool_op("@@")(exact))
    return and_(*conditions) if conditions else false()


def _not_stop(terms: list[Term]) -> list[Term]:
    """Terms with stems: a phrase of stop words only is matched by its exact words."""
    return [t for t in terms if t.kind == WORD or (t.kind == PHRASE and t.stems)]


# --- both -----------------------------------------------------------------------------


def _item_condition(session: Session, terms: list[Term]) -> ColumnElement[bool]:
    if _dialect(session) == "sqlite":
        return Item.id.in_(_fts5_matches(terms))
    return _pg_condition(terms, "items")


def _document_matches(session: Session, terms: list[Term]) -> Select[Any]:
    """Ids of the attached documents whose current version's text holds the terms."""
    query = (select(Document.id).join(DocumentVersion, DocumentVersion.document_id == Document.id)
             .where(Document.attached, DocumentVersion.sha256 == Document.sha256))
    if _dialect(session) == "sqlite":
        return query.where(DocumentVersion.id.in_(_fts5_matches(terms, "document_search")))
    return query.where(_pg_condition(terms, "document_versions"))


def _document_rows(session: Session, term: Term) -> list[tuple[int, int, str]]:
    """(document id, item id, name) of the attached documents holding `term`."""
    return _memo(session, ("documents", term), lambda: [
        (row[0], row[1], row[2]) for row in session.execute(
            select(Document.id, Document.item_id, Document.name)
            .where(Document.id.in_(_document_matches(session, [term]))).order_by(Document.id))])


def _translated_items(session: Session, term: Term) -> set[int]:
    """Russian-only items whose stored English title or lead holds `term`."""
    def found() -> set[int]:
        query = select(CachedTranslation.text_sha256).where(*translated.russian_to_english())
        if _dialect(session) == "sqlite":
            query = query.where(CachedTranslation.id.in_(
                _fts5_matches([term], "translation_search")))
        else:
            query = query.where(_pg_condition([term], "translations"))
        return translated.russian_only_items(session, session.scalars(query))

    return _memo(session, ("translation", term), found)


def _elsewhere_by_term(session: Session, terms: list[Term]) -> dict[Term, set[int]]:
    """Per term, the items holding it in one of their documents or in their translation."""
    return {term: {row[1] for row in _document_rows(session, term)}
            | _translated_items(session, term) for term in terms}


def _elsewhere(session: Session, terms: list[Term]) -> set[int]:
    """Items holding one of the terms in one of their documents or in their translation."""
    return set().union(*_elsewhere_by_term(session, terms).values())


def found_elsewhere(session: Session, text: str) -> set[int]:
    """Items holding a term of `text` in one of their documents or in their translation."""
    return _elsewhere(session, parse(text))


# What documents and translations hold is asked by a request's matching, ranking,
# `found_in` and snippets alike: it is kept on the session until its next flush or the
# end of its transaction (a request reads in one).
_MEMO = "monitor.read.search"


def _memo(session: Session, key: tuple[str, Term], compute: Callable[[], _T]) -> _T:
    held = session.info.setdefault(_MEMO, {})
    if key not in held:
        held[key] = compute()
    return cast(_T, held[key])


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, *_: object) -> None:
    session.info.pop(_MEMO, None)


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"full-text search is not available on {name}")
    return name


def _condition(session: Session, terms: list[Term], own: ColumnElement[bool] | None = None
               ) -> ColumnElement[bool]:
    """Items holding every term, each in their own text, in one of their documents or in
    the English of a Russian-only story's title and lead."""
    in_documents = _elsewhere_by_term(session, terms)
    plain = [t for t in terms if not in_documents[t]]
    parts = []
    if plain:
        parts.append(own if own is not None and len(plain) == len(terms)
                     else _item_condition(session, plain))
    for term in (t for t in terms if in_documents[t]):
        parts.append(_item_condition(session, [term]) | Item.id.in_(sorted(in_documents[term])))
    return and_(*parts)


def search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """A WHERE condition on `Item` that holds for the items matching `text`."""
    terms = parse(text)
    if not terms:
        return false()
    return _condition(session, terms)


# From this many matches per item wanted, SQLite finds the newest matches faster by walking
# the date index than by reading every match and sorting (see `newest_first_condition`).
WALK_DATE_INDEX_FROM = 20


def newest_first_condition(session: Session, text: str, limit: int) -> ColumnElement[bool]:
    """`search_condition` for a query of the `limit` newest matches (by `published`).

    SQLite otherwise looks up and sorts every match. When the matches are many, `id + 0`
    keeps it from using the id list as an index, so it walks `ix_items_published` newest
    first and stops after `limit` matches; when they are few, reading them all is cheaper.
    """
    terms = parse(text)
    if not terms or _dialect(session) != "sqlite":
        return search_condition(session, text)
    matches = _fts5_matches(terms)
    many = session.scalar(select(func.count()).select_from(
        matches.limit(WALK_DATE_INDEX_FROM * limit).subquery()))
    if many == WALK_DATE_INDEX_FROM * limit:
        return _condition(session, terms, (Item.id + 0).in_(matches))
    return _condition(session, terms)


def by_relevance(session: Session, query: Select[Any], text: str) -> Select[Any]:
    """`query` (on items) ordered by relevance to `text`, then newest first."""
    terms = parse(text)
    newest = (Item.published.desc().nulls_last(), Item.id.desc())
    if not terms:
        return query.order_by(*newest)
    if _dialect(session) == "sqlite":
        token = ranked_terms.one_lexeme(session, terms)
        if token is not None:  # the stored score (`ranked_terms`): every reader agrees
            stored = ranked_terms.scores(token)
            return (query.outerjoin(stored, stored.c.item_id == Item.id)
                    .order_by(stored.c.score.is_(None), stored.c.score.desc(), *newest))
        ranked = (select(literal_column("items_search.rowid").label("id"),
                         literal_column(_BM25).label("score"))
                  .select_from(table("items_search"))
                  .where(literal_column("items_search").bool_op("MATCH")(fts5_query(terms)))
                  .subquery())
        # Items found only through their documents have no score: after the others.
        return (query.outerjoin(ranked, ranked.c.id == Item.id)
                .order_by(ranked.c.score.is_(None), ranked.c.score, *newest))
    stems = _stems_query(_not_stop(terms))
    if stems is None:
        return query.order_by(*newest)
    score = func.ts_rank_cd(literal_column(_PG_WEIGHTS),
                            literal_column("items.search_stems"), stems)
    return query.order_by(score.desc(), *newest)


def ranked_ids(session: Session, base: Select[Any], text: str, limit: int, offset: int = 0,
               highest: int | None = None) -> list[int]:
    """The ids of the items `base` selects (item ids under the other filters) that match
    `text`, ranked as `by_relevance` ranks them, `offset` and `limit` applied; with
    `highest`, of the items up to that id only (those stored when a listing began).

    A query of one word searched by one token (one lexeme on PostgreSQL, one form on
    SQLite) reads its page off the table of ranked words (`monitor.read.ranked_terms`,
    the order `by_relevance` gives, `highest` bounding its filters) instead of scoring
    every match.

    Otherwise, SQLite: the page of the items matched by their own text comes from one FTS5
    query (`_bm25_page`); only when it is not full do the items found through their
    documents or translation follow, newest first. PostgreSQL: `by_relevance`.
    """
    terms = parse(text)
    bounded = base if highest is None else base.where(Item.id + 0 <= highest)
    if terms:
        found = ranked_terms.page(session, bounded, terms, limit, offset,
                                  lambda: _elsewhere(session, terms))
        if found is not None:
            return found
    if not terms or _dialect(session) != "sqlite":
        query = bounded.where(search_condition(session, text))
        return list(session.scalars(by_relevance(session, query, text).offset(offset)
                                    .limit(limit)))
    page = list(session.scalars(_bm25_page(base, terms, limit, offset, highest)))
    if len(page) == limit or not any(_elsewhere_by_term(session, terms).values()):
        return page
    # The own matches end on this page, or ended on an earlier one.
    rest = 0 if page else offset - _own_count(session, bounded, terms)
    return page + _found_elsewhere_only(session, bounded, terms, limit - len(page), rest)


def _bm25_page(base: Select[Any], terms: list[Term], limit: int, offset: int,
               highest: int | None) -> Select[Any]:
    """The page of the items matching every term in their own text, by BM25 then newest.

    BM25 is computed once per match (the 40,000 matches of a common word of 100,000 items
    take most of the query's time) and kept (MATERIALIZED); the page's worst score is the
    (offset + limit)-th best, and only the matches scoring as well (ties at the page's
    edge included) are read from `items` for their date. Filters are applied before that
    edge is chosen, joining `items` for each match only when there are some; the bound on
    the id is FTS5's own (a range of rowids).
    """
    matches: Any = (select(literal_column("items_search.rowid").label("id"),
                           literal_column(_BM25).label("score"))
                    .select_from(table("items_search"))
                    .where(literal_column("items_search").bool_op("MATCH")(fts5_query(terms))))
    if highest is not None:
        matches = matches.where(literal_column("items_search.rowid") <= highest)
    ranked: Any = matches.cte("ranked").prefix_with("MATERIALIZED")
    if base.whereclause is not None:
        ranked = (select(ranked.c.id, ranked.c.score).join(Item, Item.id == ranked.c.id)
                  .where(base.whereclause).cte("kept").prefix_with("MATERIALIZED"))
    best = select(ranked.c.score).order_by(ranked.c.score).limit(offset + limit).subquery()
    edge = select(func.max(best.c.score)).scalar_subquery()
    return (select(ranked.c.id).join(Item, Item.id == ranked.c.id).where(ranked.c.score <= edge)
            .order_by(ranked.c.score, Item.published.desc().nulls_last(), Item.id.desc())
            .offset(offset).limit(limit))


def _own_count(session: Session, base: Select[Any], terms: list[Term]) -> int:
    """How many items `base` selects match every term in their own text."""
    query = (select(func.count()).select_from(table("items_search"))
             .where(literal_column("items_search").bool_op("MATCH")(fts5_query(terms))))
    if base.whereclause is not None:
        query = select(func.count()).where(base.whereclause, Item.id.in_(_fts5_matches(terms)))
    return int(session.scalar(query) or 0)


def _found_elsewhere_only(session: Session, base: Select[Any], terms: list[Term], limit: int,
                          offset: int) -> list[int]:
    """The items found only with their documents' or translation's help, newest first."""
    candidates = _elsewhere(session, terms)
    candidates -= _own_hits(session, terms, candidates)
    query = base.where(Item.id.in_(sorted(candidates)), _condition(session, terms))
    return list(session.scalars(query.order_by(Item.published.desc().nulls_last(),
                                               Item.id.desc()).offset(offset).limit(limit)))


def item_hits(session: Session, text: str, item_ids: Iterable[int]) -> set[int]:
    """Which of these items hold every term in their own title, lead or body."""
    return _own_hits(session, parse(text), item_ids)


def _own_hits(session: Session, terms: list[Term], item_ids: Iterable[int]) -> set[int]:
    ids = sorted(item_ids)
    if not terms or not ids:
        return set()
    if _dialect(session) == "sqlite":  # FTS5 looks up these rowids only
        return set(session.scalars(_fts5_matches(terms).where(
            literal_column("items_search.rowid").in_(ids))))
    return set(session.scalars(select(Item.id).where(
        Item.id.in_(ids), _item_condition(session, terms))))


def translation_hits(session: Session, text: str, item_ids: Iterable[int]) -> set[int]:
    """Which of these items hold every term in the English of their title and lead."""
    terms, ids = parse(text), set(item_ids)
    for term in terms:  # different terms may be in the title and in the lead
        if not ids:
            break
        ids &= _translated_items(session, term)
    return ids if terms else set()


def document_hits(session: Session, text: str, item_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the documents of these items that hold a term, by item id."""
    terms, ids = parse(text), set(item_ids)
    found = {row for term in terms for row in _document_rows(session, term) if row[1] in ids}
    hits: dict[int, list[str]] = {}
    for _, item_id, name in sorted(found):
        hits.setdefault(item_id, []).append(name)
    return hits
