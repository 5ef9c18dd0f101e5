"""The table of ranked words (migrations 0015 and 0016): each item's relevance to each of
its words, precomputed, so a one-word search reads its best page off an index.

`item_terms(token, score, published, item_id)` holds one row per distinct word of an item
(its stem, as the search index holds it), ordered as a one-word search ranks: score, then
newer first, then the higher id. Its page is a range scan of that order, not a score
computed over every match (40,000 of 100,000 items for a common word). Triggers on `items`
keep it, after an insert, a change of the text or of the date, a delete; rows are deleted
by their full key recomputed from the old row (no index on `item_id`: it would cost as
much again on disk). `rebuild` refills it (`csto-monitor reindex`).

PostgreSQL (0015): a row per lexeme of `items.search_stems` (`core.search_index`), its
score `ts_rank_cd` of the item for that lexeme alone with the weights of the ranked search
(title A > lead B > body C): the very number the general ranking computes for a query of
that one lexeme. `published` is the item's date, `-infinity` when it has none (last in
descending order, as `NULLS LAST`). A btree on (token, score DESC, published DESC,
item_id DESC) holds the order. From 0018 each row also holds the number of the item's
section and language (`section_languages`), included in the btree: a one-word search's
facets are counted off the index alone (`monitor.read.facets`).

SQLite (0016): a table WITHOUT ROWID whose primary key is that order (the table is its
own index). FTS5's `bm25()` cannot be stored: its IDF and average length change with every
insert. For one word the IDF is the same for every item, so the order of a one-word search
is that of BM25's term-frequency part alone, computed here with fixed constants
(`term_scores`, the one definition the triggers, the rebuild and the tests use) over the
weighted frequency of the word in title, lead and body (`WEIGHTS`, those of the ranked
search). The score is stored as an integer (millionths), the date as a day number: exact
keys the delete can recompute, and fewer bytes a row. A delete finds the old rows only if
the score is computed as when they were written: after changing `stem_scores`'s constants
or the analyzer (stop words, PyStemmer), run `csto-monitor reindex`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text

from core import analyzer

TABLE = "item_terms"
BATCH = 5000  # items per statement of a fill

# --- PostgreSQL -----------------------------------------------------------------------

# ts_rank_cd weights {D, C, B, A}: body is C, lead B, title A (`monitor.read.search`).
PG_WEIGHTS = "'{0.05, 0.2, 0.5, 1.0}'::float4[]"

PG_FUNCTIONS = (
    # A tsquery of one lexeme as it is stored (quotes and backslashes escaped): a lexeme
    # may hold either (`o'neil`, a URL's path); parsing it again could split it.
    r"""CREATE FUNCTION csto_lexeme_query(lexeme text) RETURNS tsquery
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT ('''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''')::tsquery
        $$""",
    f"""CREATE FUNCTION csto_item_terms(item integer, day date, stems tsvector)
        RETURNS TABLE (token text, score real, published date, item_id integer)
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT u.lexeme, ts_rank_cd({PG_WEIGHTS}, stems, csto_lexeme_query(u.lexeme)),
                  coalesce(day, '-infinity'::date), item
           FROM unnest(stems) AS u $$""",
    # The id of a section and language, added when new (0018). Concurrent writers: the
    # second waits for the first's insert, skips its own, and reads the first's row.
    """CREATE FUNCTION csto_section_language(s text, l text) RETURNS smallint
        LANGUAGE plpgsql AS $$ DECLARE found smallint; BEGIN
        SELECT id INTO found FROM section_languages WHERE section = s AND language = l;
        IF found IS NULL THEN
            INSERT INTO section_languages (section, language) VALUES (s, l)
            ON CONFLICT DO NOTHING;
            SELECT id INTO found FROM section_languages WHERE section = s AND language = l;
        END IF;
        RETURN found; END $$""",
    """CREATE FUNCTION csto_item_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE numbered smallint; BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM item_terms AS t
            USING csto_item_terms(OLD.id, OLD.published, OLD.search_stems) AS o
            WHERE t.token = o.token AND t.score = o.score AND t.published = o.published
              AND t.item_id = o.item_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            -- Once per item: in the select list it would run once per word.
            numbered := csto_section_language(NEW.section, NEW.language);
            INSERT INTO item_terms SELECT o.*, numbered
            FROM csto_item_terms(NEW.id, NEW.published, NEW.search_stems) AS o;
        END IF;
        RETURN NULL; END $$""",
)
# Each section and language an item has had, numbered: `item_terms` holds the number, so
# that a one-word search's facets are counted off its index alone (0018).
SECTION_LANGUAGES = "section_languages"
PG_SECTION_LANGUAGES = (
    "CREATE TABLE section_languages (id smallint GENERATED BY DEFAULT AS IDENTITY "
    "PRIMARY KEY, section varchar(64) NOT NULL, language varchar(8) NOT NULL, "
    "UNIQUE (section, language))")
PG_TABLE = ("CREATE TABLE item_terms (token text NOT NULL, score real NOT NULL, "
            "published date NOT NULL, item_id integer NOT NULL, "
            "section_language smallint NOT NULL)")
# The included number costs 7 MiB of the index's 133 at 100,000 items (and as much in rows).
PG_INDEX = ("CREATE INDEX ix_item_terms_rank ON item_terms "
            "(token, score DESC, published DESC, item_id DESC) INCLUDE (section_language)")
# After the BEFORE trigger `items_search` has set the new vector. An update names its
# columns: the text's (the vector follows), the date, the section, the language, the
# vector itself (a re-index).
PG_TRIGGERS = (
    """CREATE TRIGGER item_terms AFTER INSERT OR DELETE ON items
        FOR EACH ROW EXECUTE FUNCTION csto_item_terms_sync()""",
    """CREATE TRIGGER item_terms_update
        AFTER UPDATE OF id, title, lead, body, section, language, published, search_stems
        ON items
        FOR EACH ROW WHEN (OLD.search_stems IS DISTINCT FROM NEW.search_stems
                           OR OLD.published IS DISTINCT FROM NEW.published
                           OR OLD.section IS DISTINCT FROM NEW.section
                           OR OLD.language IS DISTINCT FROM NEW.language
                           OR OLD.id <> NEW.id)
        EXECUTE FUNCTION csto_item_terms_sync()""",
)
PG_DROP = (
    "DROP TRIGGER IF EXISTS item_terms_update ON items",
    "DROP TRIGGER IF EXISTS item_terms ON items",
    "DROP TABLE IF EXISTS item_terms",
    "DROP FUNCTION IF EXISTS csto_item_terms_sync()",
    "DROP FUNCTION IF EXISTS csto_section_language(text, text)",
    "DROP TABLE IF EXISTS section_languages",
    "DROP FUNCTION IF EXISTS csto_item_terms(integer, date, tsvector)",
    "DROP FUNCTION IF EXISTS csto_lexeme_query(text)",
)


# --- SQLite ---------------------------------------------------------------------------

# Column weights of the ranked search (`monitor.read.search._BM25`): title, lead, body.
WEIGHTS = (8, 4, 1)
K1, B = 1.2, 0.75  # BM25's usual constants
# Stems (stop words left out) of an item's title, lead and body together: about what a
# CSTO site's news item holds. It only sets how much a long text's many mentions weigh
# against a short text's few; fixed, so that a stored score never goes stale.
AVERAGE_LENGTH = 100
SCALE = 1_000_000  # scores are stored as integers, in millionths


def stem_scores(stems: Sequence[Sequence[str]]) -> dict[str, int]:
    """The score of each stem of an item for a query of that stem alone, from the stems of
    its title, lead and body: BM25's term-frequency part,
    f (k1 + 1) / (f + k1 (1 - b + b len / AVERAGE_LENGTH)), over the weighted frequency
    f = 8 title + 4 lead + 1 body and the item's length in stems. The one definition of
    the score: the triggers, the fills and the tests all come here."""
    weighted: Counter[str] = Counter()
    for weight, part in zip(WEIGHTS, stems, strict=True):
        for stem in part:
            weighted[stem] += weight
    length = sum(len(part) for part in stems)
    norm = K1 * (1 - B + B * length / AVERAGE_LENGTH)
    return {stem: round(SCALE * f * (K1 + 1) / (f + norm)) for stem, f in weighted.items()}


def term_scores(title: str | None, lead: str | None, body: str | None) -> dict[str, int]:
    """`stem_scores` of an item's text, analysed as the search index analyses it."""
    return stem_scores([analyzer.stems(part or "") for part in (title, lead, body)])


def term_scores_json(title: str | None, lead: str | None, body: str | None) -> str:
    """`term_scores` as a JSON object, what SQLite's triggers read with `json_each`."""
    return json.dumps(term_scores(title, lead, body), ensure_ascii=False,
                      separators=(",", ":"))


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """`csto_term_scores(title, lead, body)` for the triggers (`core.db`, every connection)."""
    dbapi_connection.create_function("csto_term_scores", 3, term_scores_json,
                                     deterministic=True)


SQLITE_TABLE = (f"CREATE TABLE {TABLE} (token TEXT NOT NULL, score INTEGER NOT NULL, "
                "published INTEGER NOT NULL, item_id INTEGER NOT NULL, "
                "PRIMARY KEY (token, score DESC, published DESC, item_id DESC)) WITHOUT ROWID")
# The item's date as days since 1970 (two bytes, where the text takes ten); no date sorts
# last in descending order.
SQLITE_DAY = "coalesce(CAST(julianday({0}.published) - 2440587.5 AS INTEGER), -1000000)"
_SQLITE_ROWS = (f"SELECT key, value, {SQLITE_DAY}, {{0}}.id "
                "FROM json_each(csto_term_scores({0}.title, {0}.lead, {0}.body))")
_SQLITE_INSERT = f"INSERT INTO {TABLE} (token, score, published, item_id) {_SQLITE_ROWS}"
# Each old row is found by its primary key, recomputed from the old text and date.
_SQLITE_DELETE = (f"DELETE FROM {TABLE} WHERE (token, score, published, item_id) IN "
                  f"({_SQLITE_ROWS})")
SQLITE_TRIGGERS = {
    "item_terms_insert": f"""
        CREATE TRIGGER item_terms_insert AFTER INSERT ON items BEGIN
            {_SQLITE_INSERT.format("new")};
        END""",
    "item_terms_delete": f"""
        CREATE TRIGGER item_terms_delete AFTER DELETE ON items BEGIN
            {_SQLITE_DELETE.format("old")};
        END""",
    # As `items_search_update`: only a change of the text (or of the date, which orders
    # ties) re-analyses; a poll's frequent `last_seen` updates do not.
    "item_terms_update": f"""
        CREATE TRIGGER item_terms_update AFTER UPDATE OF id, title, lead, body, published
        ON items WHEN old.id <> new.id OR old.title IS NOT new.title
            OR old.lead IS NOT new.lead OR old.body IS NOT new.body
            OR old.published IS NOT new.published
        BEGIN
            {_SQLITE_DELETE.format("old")};
            {_SQLITE_INSERT.format("new")};
        END""",
}
SQLITE_DROP = (*(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
               f"DROP TABLE IF EXISTS {TABLE}")


def item_rows(item_id: int, day: int, scores: dict[str, int]
              ) -> list[tuple[str, int, int, int]]:
    """An item's rows of the table (`day` as `SQLITE_DAY`)."""
    return [(token, score, day, item_id) for token, score in scores.items()]


SQLITE_ITEMS = f"SELECT id, {SQLITE_DAY.format('items')}, title, lead, body FROM items"
_NEW = "item_terms_new"


@contextmanager
def sqlite_bulk(conn: Connection) -> Iterator[Callable[[list[tuple[Any, ...]]], None]]:
    """A writer of many rows: gathered in a temporary table, then written in the table's
    order at the end (3 times faster than as they come, scattered over the tree)."""
    def add(rows: list[tuple[Any, ...]]) -> None:
        if rows:  # none would be read as one statement without parameters
            conn.exec_driver_sql(f"INSERT INTO {_NEW} VALUES (?, ?, ?, ?)", rows)

    conn.exec_driver_sql(f"CREATE TEMP TABLE {_NEW} (token, score, published, item_id)")
    yield add
    conn.exec_driver_sql(f"INSERT INTO {TABLE} SELECT * FROM {_NEW} "
                         "ORDER BY token, score DESC, published DESC, item_id DESC")
    conn.exec_driver_sql(f"DROP TABLE temp.{_NEW}")


def sqlite_fill(conn: Connection, advance: Callable[[int], None], after: int = 0) -> None:
    """The rows of the items after that id, read `BATCH` items at a time."""
    with sqlite_bulk(conn) as add:
        while True:
            items = conn.execute(text(f"{SQLITE_ITEMS} WHERE id > :last ORDER BY id "
                                      f"LIMIT {BATCH}"), {"last": after}).all()
            if not items:
                return
            add([row for i, day, title, lead, body in items
                 for row in item_rows(i, day, term_scores(title, lead, body))])
            after = items[-1][0]
            advance(len(items))


# --- both -------------------------------------------------------------------------------


def present(conn: Connection) -> bool:
    """Whether this database has the table (PostgreSQL from 0015 on, SQLite from 0016)."""
    if conn.dialect.name == "sqlite":
        return bool(conn.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                     "AND name = :name"), {"name": TABLE}))
    return bool(conn.scalar(text(f"SELECT to_regclass('{TABLE}') IS NOT NULL")))


def create(conn: Connection, advance: Callable[[int], None]) -> None:
    """The table, filled from the stored items, then its index and triggers."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(SQLITE_TABLE))
        sqlite_fill(conn, advance)
        for ddl in SQLITE_TRIGGERS.values():
            conn.execute(text(ddl))
        return
    for ddl in (PG_SECTION_LANGUAGES, *PG_FUNCTIONS, PG_TABLE):
        conn.execute(text(ddl))
    fill(conn, advance)
    for ddl in (PG_INDEX, *PG_TRIGGERS):
        conn.execute(text(ddl))
    conn.execute(text(f"ANALYZE {TABLE}"))


def fill(conn: Connection, advance: Callable[[int], None]) -> None:
    """PostgreSQL: every item's rows, `BATCH` items a statement (`advance` told of each)."""
    conn.execute(text(f"INSERT INTO {SECTION_LANGUAGES} (section, language) SELECT DISTINCT "
                      "section, language FROM items ON CONFLICT DO NOTHING"))
    last = 0
    while True:
        ids = list(conn.scalars(text(f"SELECT id FROM items WHERE id > :last ORDER BY id "
                                     f"LIMIT {BATCH}"), {"last": last}))
        if not ids:
            return
        conn.execute(text(
            f"INSERT INTO {TABLE} SELECT t.*, k.id FROM items AS i "
            f"JOIN {SECTION_LANGUAGES} AS k ON k.section = i.section AND k.language = i.language"
            ", csto_item_terms(i.id, i.published, i.search_stems) AS t "
            "WHERE i.id = ANY(:ids)"), {"ids": ids})
        last = ids[-1]
        advance(len(ids))


def rebuild(conn: Connection, advance: Callable[[int], None]) -> None:
    """PostgreSQL: empty the table and fill it again, without its index meanwhile. (SQLite
    refills it in `core.search_index`'s re-index, from the stems it computes there.)"""
    conn.execute(text("DROP INDEX IF EXISTS ix_item_terms_rank"))
    conn.execute(text(f"TRUNCATE {TABLE}"))
    fill(conn, advance)
    conn.execute(text(PG_INDEX))
    conn.execute(text(f"ANALYZE {TABLE}"))
