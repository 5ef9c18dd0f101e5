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
items found only through their documents come after; newer first among equals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
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

# BM25 weights of items_search's columns: title, lead, body, exact (exact only matches).
_BM25 = "bm25(items_search, 8.0, 4.0, 1.0, 0.0)"
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


def _fts5_matches(terms: list[Term], fts: str = "items_search") -> Select[tuple[int]]:
    return (select(literal_column(f"{fts}.rowid")).select_from(table(fts))
            .where(literal_column(fts).bool_op("MATCH")(fts5_query(terms, fts))))


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


def _document_items(session: Session, terms: list[Term]) -> set[int]:
    return set(session.scalars(select(Document.item_id).where(
        Document.id.in_(_document_matches(session, terms)))))


def _translated_items(session: Session, terms: list[Term]) -> set[int]:
    """Russian-only items whose stored English title or lead holds the terms."""
    query = select(CachedTranslation.text_sha256).where(*translated.russian_to_english())
    if _dialect(session) == "sqlite":
        query = query.where(CachedTranslation.id.in_(_fts5_matches(terms, "translation_search")))
    else:
        query = query.where(_pg_condition(terms, "translations"))
    return translated.russian_only_items(session, session.scalars(query))


def _elsewhere(session: Session, terms: list[Term]) -> set[int]:
    """Items holding the terms in one of their documents or in their translation."""
    return _document_items(session, terms) | _translated_items(session, terms)


def _dialect(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"full-text search is not available on {name}")
    return name


def _condition(session: Session, terms: list[Term], own: ColumnElement[bool] | None = None
               ) -> ColumnElement[bool]:
    """Items holding every term, each in their own text, in one of their documents or in
    the English of a Russian-only story's title and lead."""
    in_documents = {term: _elsewhere(session, [term]) for term in terms}
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


def ranked_ids(session: Session, base: Select[Any], text: str, limit: int, offset: int = 0
               ) -> list[int]:
    """The ids of the items `base` selects (item ids under the other filters) that match
    `text`, ranked as `by_relevance` ranks them, `offset` and `limit` applied.

    SQLite: BM25 over every match joined with the items sorts 40,000 rows for a common word
    of 100,000 items. FTS5 ranks inside the index much faster when asked for the best few:
    the best TOP_FACTOR × (offset + limit) are taken (more, while a tie at the last one
    leaves the page undecided), filtered and sorted here; only when they cannot decide the
    page is the whole ranking read.

    PostgreSQL: a query of one word of one lexeme reads its page off the table of ranked
    words (`monitor.read.ranked_terms`, the same order) instead of scoring every match.
    """
    terms = parse(text)
    if terms and _dialect(session) == "postgresql":
        found = ranked_terms.page(session, base, terms, limit, offset,
                                  lambda: _elsewhere(session, terms))
        if found is not None:
            return found
    if terms and _dialect(session) == "sqlite":
        wanted = TOP_FACTOR * (offset + limit) + TOP_EXTRA
        while wanted <= TOP_MOST:
            page, tied = _top_page(session, base, terms, limit, offset, wanted)
            if page is not None:
                return page
            if not tied:
                break
            wanted *= 8
    query = base.where(search_condition(session, text))
    return list(session.scalars(by_relevance(session, query, text).offset(offset).limit(limit)))


TOP_FACTOR, TOP_EXTRA, TOP_MOST = 4, 100, 50_000


def _top_page(session: Session, base: Select[Any], terms: list[Term], limit: int,
              offset: int, wanted: int) -> tuple[list[int] | None, bool]:
    """The page from the index's best `wanted` matches, or None (and whether a tie with
    the last of them is why)."""
    top: list[Any] = list(session.execute(
        select(literal_column("items_search.rowid"), literal_column(_BM25))
        .select_from(table("items_search"))
        .where(literal_column("items_search").bool_op("MATCH")(fts5_query(terms)))
        .order_by(literal_column(_BM25)).limit(wanted)).all())
    scores = {row[0]: row[1] for row in top}
    rows = list(session.execute(base.where(Item.id.in_(list(scores))).add_columns(
        Item.published)).all())
    rows.sort(key=lambda r: (scores[r[0]], -(r[1].toordinal() if r[1] else 0), -r[0]))
    page = rows[offset:offset + limit]
    if len(top) < wanted:  # every match of the index is here: documents' matches follow
        return ([r[0] for r in page] if len(page) == limit else None), False
    if len(page) < limit:
        return None, False
    if scores[page[-1][0]] >= top[-1][1]:
        return None, True
    return [r[0] for r in page], False


def item_hits(session: Session, text: str, item_ids: Iterable[int]) -> set[int]:
    """Which of these items hold every term in their own title, lead or body."""
    terms, ids = parse(text), list(item_ids)
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
        ids &= _translated_items(session, [term])
    return ids if terms else set()


def document_hits(session: Session, text: str, item_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the documents of these items that hold a term, by item id."""
    terms, ids = parse(text), list(item_ids)
    if not terms or not ids:
        return {}
    matching: set[int] = set()
    for term in terms:
        matching |= set(session.scalars(_document_matches(session, [term])))
    hits: dict[int, list[str]] = {}
    if not matching:
        return hits
    for item_id, name in session.execute(select(Document.item_id, Document.name).where(
            Document.item_id.in_(ids), Document.id.in_(sorted(matching))).order_by(Document.id)):
        hits.setdefault(item_id, []).append(name)
    return hits

