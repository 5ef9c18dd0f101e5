"""Full-text search over items: a WHERE condition on `Item` for what a user typed.

The index is built by migration 0002: an FTS5 table `items_fts` on SQLite, the generated
column `items.search_vector` (GIN-indexed, 'simple' configuration) on PostgreSQL.

What a query means, on both backends:

- The text is split at whitespace into words, and every word must occur (AND) in the
  title, the lead or the body of the item; different words may be in different fields.
- Words match whole words, case-insensitively (Cyrillic too: "одкб" finds "ОДКБ"); the
  last word also matches as a prefix ("Kazakh" finds "Kazakhstan", "Минск" "Минске").
- Punctuation is not searched for. A word with punctuation inside ("CSTO-led",
  "2025-07-01") must match its parts next to each other, as a phrase; surrounding
  punctuation ("«Совета».") is ignored.
- There is no query language: quotes, `*`, `-`, `:`, parentheses, NEAR, AND/OR/NOT are
  ordinary text ("OR" is a word to find), so no input can cause a syntax error.
- A text without any letter or digit (empty, blank, "%", "-") matches nothing.

An item also matches when every word occurs in the current text of one of its attached
documents (migration 0007 indexes document versions the same way); `document_hits` says
which documents of an item matched.

The backends tokenise slightly differently: SQLite also removes diacritics ("cafe" finds
"café") and splits host names and decimals ("csto.int", "3.5") into their parts, which
PostgreSQL's parser keeps whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, literal_column, or_, select, table
from sqlalchemy.orm import Session

from core.models import Document, DocumentVersion, Item

# Not mapped on the model (SQLite has no such column): see migration 0002.
_PG_VECTOR = "items.search_vector"
_PG_DOCUMENT_VECTOR = "document_versions.search_vector"


def query_words(text: str) -> list[str]:
    """The whitespace-separated words of `text` that contain a letter or a digit."""
    # Lone surrogates (undecodable argv bytes) and NUL cannot be sent to either database.
    clean = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    return [word for word in clean.split() if any(c.isalnum() for c in word)]


def fts5_query(words: list[str]) -> str:
    """An FTS5 MATCH expression: each word an FTS5 string, ANDed, the last one a prefix."""
    phrases = ['"' + word.replace('"', '""') + '"' for word in words]
    phrases[-1] += "*"
    return " AND ".join(phrases)


def tsquery_text(words: list[str]) -> str:
    """A to_tsquery() input: each word a quoted lexeme, ANDed, the last one a prefix.

    to_tsquery() runs each quoted lexeme through the parser and the configuration, as
    to_tsvector() does for the stored text, so punctuation and case are handled the same
    way on both sides.
    """
    lexemes = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words]
    lexemes[-1] += ":*"
    return " & ".join(lexemes)


# From this many matches per item wanted, SQLite finds the newest matches faster by walking
# the date index than by reading every match and sorting (see `newest_first_condition`).
WALK_DATE_INDEX_FROM = 20


def _fts5_matches(words: list[str]) -> Select[tuple[int]]:
    return (select(literal_column("items_fts.rowid")).select_from(table("items_fts"))
            .where(literal_column("items_fts").bool_op("MATCH")(fts5_query(words))))


def search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """A WHERE condition on `Item` that holds for the items matching `text` (in their own
    text or in one of their documents')."""
    words = query_words(text)
    if not words:
        return false()
    return _or_documents(session, words, _item_condition(session, words))


def _or_documents(session: Session, words: list[str], condition: ColumnElement[bool]
                  ) -> ColumnElement[bool]:
    """`condition`, or an item whose document matches. The few items with matching
    documents are looked up first and ORed as a list of ids: a subquery there would keep
    either database from using the items' full-text index (10 times slower on 100,000
    items), and without them the query is the items' own."""
    ids = sorted(set(session.scalars(_document_items(session, words))))
    return or_(condition, Item.id.in_(ids)) if ids else condition


def _item_matches(session: Session, words: list[str]) -> Select[Any]:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _fts5_matches(words)
    if dialect == "postgresql":
        return select(Item.id).where(literal_column(_PG_VECTOR).bool_op("@@")(_tsquery(words)))
    raise NotImplementedError(f"full-text search is not available on {dialect}")


def _item_condition(session: Session, words: list[str]) -> ColumnElement[bool]:
    return Item.id.in_(_item_matches(session, words))


def _document_items(session: Session, words: list[str]) -> Select[Any]:
    return select(Document.item_id).where(Document.id.in_(_document_matches(session, words)))


def _tsquery(words: list[str]) -> ColumnElement[object]:
    return func.to_tsquery(literal_column("'simple'::regconfig"), tsquery_text(words))


def _document_matches(session: Session, words: list[str]) -> Select[int]:
    """Ids of the attached documents whose current version's text matches."""
    query = (select(Document.id).join(DocumentVersion, DocumentVersion.document_id == Document.id)
             .where(Document.attached, DocumentVersion.sha256 == Document.sha256))
    if session.get_bind().dialect.name == "sqlite":
        found: Select[Any] = (select(literal_column("document_versions_fts.rowid"))
                 .select_from(table("document_versions_fts"))
                 .where(literal_column("document_versions_fts").bool_op("MATCH")(
                     fts5_query(words))))
        return query.where(DocumentVersion.id.in_(found))
    return query.where(literal_column(_PG_DOCUMENT_VECTOR).bool_op("@@")(_tsquery(words)))


def item_hits(session: Session, text: str, item_ids: Iterable[int]) -> set[int]:
    """Which of these items match `text` in their own title, lead or body."""
    words, ids = query_words(text), list(item_ids)
    if not words or not ids:
        return set()
    if session.get_bind().dialect.name == "sqlite":  # FTS5 looks up these rowids only
        return set(session.scalars(_fts5_matches(words).where(
            literal_column("items_fts.rowid").in_(ids))))
    return set(session.scalars(select(Item.id).where(
        Item.id.in_(ids), _item_condition(session, words))))


def document_hits(session: Session, text: str, item_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the documents of these items that match `text`, by item id."""
    words, ids = query_words(text), list(item_ids)
    if not words or not ids:
        return {}
    rows = session.execute(select(Document.item_id, Document.name).where(
        Document.item_id.in_(ids), Document.id.in_(_document_matches(session, words)))
        .order_by(Document.id))
    hits: dict[int, list[str]] = {}
    for row in rows:
        hits.setdefault(row.item_id, []).append(row.name)
    return hits


def newest_first_condition(session: Session, text: str, limit: int) -> ColumnElement[bool]:
    """`search_condition` for a query of the `limit` newest matches (by `published`).

    SQLite otherwise looks up and sorts every match: 50 ms for a word found in 40,000 of
    100,000 items. When the matches are many, `id + 0` keeps it from using the id list
    as an index, so it walks `ix_items_published` newest first and stops after `limit`
    matches; when they are few, reading them all is the cheaper plan. Counting the
    matches in the FTS index first costs about 3 ms for 40,000.
    """
    words = query_words(text)
    if not words or session.get_bind().dialect.name != "sqlite":
        return search_condition(session, text)
    matches = _fts5_matches(words)
    many = session.scalar(select(func.count()).select_from(
        matches.limit(WALK_DATE_INDEX_FROM * limit).subquery()))
    if many == WALK_DATE_INDEX_FROM * limit:
        return _or_documents(session, words, (Item.id + 0).in_(matches))
    return _or_documents(session, words, Item.id.in_(matches))
