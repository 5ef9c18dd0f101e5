"""The search index's objects (migration 0014) and its rebuild (`csto-monitor reindex`).

SQLite: FTS5 tables holding text analysed by `core.analyzer` (stems, and the exact
folded words for phrases and prefixes), kept by triggers that call the analyzer
(registered on every connection by `core.db`): `items_search(title, lead, body, exact,
facets)` keyed by item id (`facets`, from 0017: the item's section, language and year as
tokens, `core.search_facets`), `document_search(stems, exact)` keyed by document version id,
`translation_search(stems, exact)` keyed by stored translation id (a Russian-only story is
found by the English of its title and lead, issue 21 point 5).

PostgreSQL: tsvector columns filled by triggers: `items.search_stems` (the item's
language's configuration, `russian` or `english`; title A, lead B, body C) and
`items.search_exact` ('simple'), and the same pair on `document_versions` (in the
language of the document's item, over its first 300,000 characters: a tsvector is
limited to 1 MB), and on `translations` (in the translation's target language). `ё` is
folded to `е` before either. The table of ranked words (`core.search_terms`) is computed
from `items.search_stems` on PostgreSQL (0015), from the same stems as `items_search` on
SQLite (0016): `reindex` refills it too.

Caveat (as for 0002): an Alembic batch operation on `items` in a later SQLite migration
recreates the table and drops its triggers: it must create `SQLITE_ITEM_TRIGGERS`,
`search_terms.SQLITE_TRIGGERS` and `search_facets.SQLITE_TRIGGERS` again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text

from core import analyzer, search_facets, search_terms

PG_TEXT_LIMIT = 300_000
BATCH = 1000
PROGRESS_FROM = 5000  # rows; fewer are re-indexed without a progress bar
_DAY = search_terms.SQLITE_DAY.format("items")
_ITEM_COLUMNS = "section, language, published, title, lead, body"  # sqlite_index_items's

# `{0}`: 0017 builds it under another name, then renames it.
ITEMS_SEARCH_TABLE = ("CREATE VIRTUAL TABLE {0} USING fts5(title, lead, body, exact, facets, "
                      "tokenize='unicode61 remove_diacritics 0')")
SQLITE_TABLES = (
    ITEMS_SEARCH_TABLE.format("items_search"),
    "CREATE VIRTUAL TABLE document_search USING fts5(stems, exact, "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE translation_search USING fts5(stems, exact, "
    "tokenize='unicode61 remove_diacritics 0')",
)
_ITEM_ROW = ("csto_stems({0}.title), csto_stems({0}.lead), csto_stems({0}.body), "
             "csto_exact({0}.title || ' ' || {0}.lead || ' ' || {0}.body), "
             "csto_facet_tokens({0}.section, {0}.language, {0}.published)")
SQLITE_ITEM_TRIGGERS = {
    "items_search_insert": f"""
        CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
            INSERT INTO items_search(rowid, title, lead, body, exact, facets)
            VALUES (new.id, {_ITEM_ROW.format("new")});
        END""",
    "items_search_delete": """
        CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
            DELETE FROM items_search WHERE rowid = old.id;
        END""",
    # Only a text change re-analyses: a poll's frequent `last_seen` updates do not.
    "items_search_update": f"""
        CREATE TRIGGER items_search_update AFTER UPDATE OF id, title, lead, body ON items
        BEGIN
            DELETE FROM items_search WHERE rowid = old.id;
            INSERT INTO items_search(rowid, title, lead, body, exact, facets)
            VALUES (new.id, {_ITEM_ROW.format("new")});
        END""",
    # A new section, language or date re-tokenizes the stored row, not the text (0017).
    "items_search_facets": f"""
        CREATE TRIGGER items_search_facets AFTER UPDATE OF section, language, published
        ON items WHEN {search_facets.CHANGED}
        BEGIN
            UPDATE items_search
            SET facets = csto_facet_tokens(new.section, new.language, new.published)
            WHERE rowid = new.id;
        END""",
}


def _text_triggers(table: str, column: str, index: str) -> dict[str, str]:
    """Insert and delete triggers keeping `index` (stems, exact) on `table.column`: rows of
    document versions and translations are written once and never updated."""
    return {
        f"{index}_insert": f"""
        CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {index}(rowid, stems, exact)
            VALUES (new.id, csto_stems(new.{column}), csto_exact(new.{column}));
        END""",
        f"{index}_delete": f"""
        CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN
            DELETE FROM {index} WHERE rowid = old.id;
        END""",
    }


SQLITE_DOCUMENT_TRIGGERS = _text_triggers("document_versions", "text", "document_search")
SQLITE_TRANSLATION_TRIGGERS = _text_triggers("translations", "translation", "translation_search")

# A Russian-only story is found through a translation by the SHA-256 of its title or lead
# (the key of `translations`): these indexes spare hashing every item at each query.
SQLITE_DIGEST_INDEXES = (
    "CREATE INDEX ix_items_title_sha256 ON items (csto_sha256(title))",
    "CREATE INDEX ix_items_lead_sha256 ON items (csto_sha256(lead))",
)

_FOLD = "translate(coalesce({0}, ''), 'ёЁ', 'еЕ')"
PG_FUNCTIONS = (
    """CREATE FUNCTION csto_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT (CASE WHEN language = 'ru' THEN 'russian' ELSE 'english' END)::regconfig $$""",
    f"""CREATE FUNCTION csto_stems(language text, body text, weight "char") RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT setweight(to_tsvector(csto_config(language), {_FOLD.format("body")}),
                            weight) $$""",
    # IMMUTABLE, to be indexed: the database's encoding does not change under it.
    """CREATE FUNCTION csto_sha256(body text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT encode(sha256(convert_to(coalesce(body, ''), 'UTF8')), 'hex') $$""",
    f"""CREATE FUNCTION csto_exact(body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT to_tsvector('simple'::regconfig, {_FOLD.format("body")}) $$""",
)
_PG_ITEM_STEMS = ("csto_stems({0}.language, {0}.title, 'A') || csto_stems({0}.language, "
                  "{0}.lead, 'B') || csto_stems({0}.language, {0}.body, 'C')")
_PG_ITEM_EXACT = "csto_exact(concat_ws(' ', {0}.title, {0}.lead, {0}.body))"
_PG_DOCUMENT_LANGUAGE = ("(SELECT i.language FROM documents d JOIN items i ON i.id = d.item_id "
                         "WHERE d.id = {0}.document_id)")
_PG_DOCUMENT_STEMS = (f"csto_stems({_PG_DOCUMENT_LANGUAGE}, left({{0}}.text, {PG_TEXT_LIMIT}), "
                      "'D')")
_PG_DOCUMENT_EXACT = f"csto_exact(left({{0}}.text, {PG_TEXT_LIMIT}))"
_PG_TRANSLATION_STEMS = "csto_stems({0}.target, {0}.translation, 'A')"
_PG_TRANSLATION_EXACT = "csto_exact({0}.translation)"
PG_TRIGGERS = (
    f"""CREATE FUNCTION csto_items_search() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        NEW.search_stems := {_PG_ITEM_STEMS.format("NEW")};
        NEW.search_exact := {_PG_ITEM_EXACT.format("NEW")};
        RETURN NEW; END $$""",
    """CREATE TRIGGER items_search BEFORE INSERT OR UPDATE OF title, lead, body, language
        ON items FOR EACH ROW EXECUTE FUNCTION csto_items_search()""",
    f"""CREATE FUNCTION csto_document_search() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        NEW.search_stems := {_PG_DOCUMENT_STEMS.format("NEW")};
        NEW.search_exact := {_PG_DOCUMENT_EXACT.format("NEW")};
        RETURN NEW; END $$""",
    """CREATE TRIGGER document_search BEFORE INSERT OR UPDATE OF text, document_id
        ON document_versions FOR EACH ROW EXECUTE FUNCTION csto_document_search()""",
    f"""CREATE FUNCTION csto_translation_search() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
        NEW.search_stems := {_PG_TRANSLATION_STEMS.format("NEW")};
        NEW.search_exact := {_PG_TRANSLATION_EXACT.format("NEW")};
        RETURN NEW; END $$""",
    """CREATE TRIGGER translation_search BEFORE INSERT OR UPDATE OF translation, target
        ON translations FOR EACH ROW EXECUTE FUNCTION csto_translation_search()""",
)
PG_INDEXES = (
    "CREATE INDEX ix_items_search_stems ON items USING gin (search_stems)",
    "CREATE INDEX ix_items_search_exact ON items USING gin (search_exact)",
    "CREATE INDEX ix_document_versions_search_stems ON document_versions "
    "USING gin (search_stems)",
    "CREATE INDEX ix_document_versions_search_exact ON document_versions "
    "USING gin (search_exact)",
    "CREATE INDEX ix_translations_search_stems ON translations USING gin (search_stems)",
    "CREATE INDEX ix_translations_search_exact ON translations USING gin (search_exact)",
    *SQLITE_DIGEST_INDEXES,  # the same statements: csto_sha256 exists in both
)
PG_SEARCHED_TABLES = ("items", "document_versions", "translations")

Progress = Callable[[int], None]


def reindex(conn: Connection, *, quiet: bool = False) -> int:
    """Rebuild the whole search index from the stored text; returns the items re-indexed."""
    total = conn.scalar(text("SELECT count(*) FROM items")) or 0
    others = sum(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0
                 for table in ("document_versions", "translations"))
    with progress(total + others, quiet) as advance:
        if conn.dialect.name == "sqlite":  # the ranked words in the same pass
            _sqlite_rebuild(conn, advance)
        else:
            _postgres_rebuild(conn, advance)
            if search_terms.present(conn):  # from the new vectors, a tenth of their time
                search_terms.rebuild(conn, lambda _n: None)
    return int(total)


def _batches(conn: Connection, table: str, columns: str) -> Iterator[list[tuple[Any, ...]]]:
    last = 0
    while True:
        rows = conn.execute(text(f"SELECT id, {columns} FROM {table} WHERE id > :last "
                                 f"ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            return
        last = rows[-1][0]
        yield [tuple(row) for row in rows]


def sqlite_index_items(conn: Connection, rows: list[tuple[Any, ...]]
                       ) -> list[list[list[str]]]:
    """Index (id, section, language, published, title, lead, body) rows in one statement
    (what the insert trigger does row by row); returns the stems of each one's title, lead
    and body."""
    stems = [[analyzer.stems(part or "") for part in row[4:]] for row in rows]
    conn.exec_driver_sql(
        "INSERT INTO items_search(rowid, title, lead, body, exact, facets) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(i, *(" ".join(part) for part in analysed), analyzer.exact_text(f"{t} {lead} {b}"),
          search_facets.item_tokens(section, language, published))
         for (i, section, language, published, t, lead, b), analysed
         in zip(rows, stems, strict=True)])
    return stems


def _sqlite_rebuild(conn: Connection, advance: Progress) -> None:
    conn.execute(text("DELETE FROM items_search"))
    if search_terms.present(conn):  # from 0016
        _sqlite_rebuild_items_and_terms(conn, advance)
    else:
        for rows in _batches(conn, "items", _ITEM_COLUMNS):
            sqlite_index_items(conn, rows)
            advance(len(rows))
    if search_facets.present(conn):  # from 0017
        search_facets.refill(conn)
    for table, column, index in (("document_versions", "text", "document_search"),
                                 ("translations", "translation", "translation_search")):
        conn.execute(text(f"DELETE FROM {index}"))
        for rows in _batches(conn, table, column):
            conn.exec_driver_sql(
                f"INSERT INTO {index}(rowid, stems, exact) VALUES (?, ?, ?)",
                [(i, analyzer.stem_text(t), analyzer.exact_text(t)) for i, t in rows])
            advance(len(rows))


def _sqlite_rebuild_items_and_terms(conn: Connection, advance: Progress) -> None:
    """The items' index and the table of ranked words in one pass, from the same stems."""
    conn.execute(text(f"DELETE FROM {search_terms.TABLE}"))
    with search_terms.sqlite_bulk(conn) as add:
        for rows in _batches(conn, "items", f"{_DAY}, {_ITEM_COLUMNS}"):
            stems = sqlite_index_items(conn, [(i, *columns) for i, _, *columns in rows])
            add([row for (i, day, *_), analysed in zip(rows, stems, strict=True)
                 for row in search_terms.item_rows(i, day, search_terms.stem_scores(analysed))])
            advance(len(rows))


def _postgres_rebuild(conn: Connection, advance: Progress) -> None:
    for table, stems, exact in (("items", _PG_ITEM_STEMS, _PG_ITEM_EXACT),
                                ("document_versions", _PG_DOCUMENT_STEMS, _PG_DOCUMENT_EXACT),
                                ("translations", _PG_TRANSLATION_STEMS,
                                 _PG_TRANSLATION_EXACT)):
        update = text(f"UPDATE {table} AS t SET search_stems = {stems.format('t')}, "
                      f"search_exact = {exact.format('t')} WHERE t.id = ANY(:ids)")
        for rows in _batches(conn, table, "1"):
            conn.execute(update, {"ids": [row[0] for row in rows]})
            advance(len(rows))
        # The planner's statistics of the new vectors: without them it guesses a word
        # rare and reads every match of a common one for a page of the newest.
        conn.execute(text(f"ANALYZE {table}"))


@contextmanager
def progress(total: int, quiet: bool) -> Iterator[Progress]:
    """A progress bar on stderr for a large re-index; nothing for a small one."""
    if quiet or total < PROGRESS_FROM:
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(f"Re-indexing {total:,} rows for search", total=total)
        yield lambda n: bar.advance(task, n)
    print(f"Search index rebuilt: {total:,} rows.", file=sys.stderr)
