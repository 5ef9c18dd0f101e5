"""PostgreSQL's table of ranked words (migration 0015): each item's relevance to each of
its words, precomputed, so a one-word search reads its best page off an index.

`item_terms(token, score, published, item_id)` holds one row per lexeme of
`items.search_stems` (`core.search_index`): `score` is `ts_rank_cd` of the item for that
lexeme alone, with the weights of the ranked search (title A > lead B > body C), the very
number the general ranking computes for a query of that one lexeme; `published` is the
item's date, `-infinity` when it has none (so that descending order puts it last, as
`NULLS LAST` does). The btree on (token, score DESC, published DESC, item_id DESC) is the
ranked order of a one-word search: its page is an index range scan, not `ts_rank_cd` over
every matching tsvector (40,000 of 100,000 items for a common word).

Triggers keep it: after an insert, a change of the vector or of the date, a delete. Rows
are deleted by their full key, recomputed from the old vector (no index on `item_id`:
it would cost as much again on disk). `rebuild` refills it (`csto-monitor reindex`).
SQLite has none of this: FTS5 ranks inside its own index.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text

# ts_rank_cd weights {D, C, B, A}: body is C, lead B, title A (`monitor.read.search`).
PG_WEIGHTS = "'{0.05, 0.2, 0.5, 1.0}'::float4[]"
TABLE = "item_terms"
BATCH = 5000  # items per statement of a rebuild

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
    """CREATE FUNCTION csto_item_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM item_terms AS t
            USING csto_item_terms(OLD.id, OLD.published, OLD.search_stems) AS o
            WHERE t.token = o.token AND t.score = o.score AND t.published = o.published
              AND t.item_id = o.item_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO item_terms
            SELECT * FROM csto_item_terms(NEW.id, NEW.published, NEW.search_stems);
        END IF;
        RETURN NULL; END $$""",
)
PG_TABLE = ("CREATE TABLE item_terms (token text NOT NULL, score real NOT NULL, "
            "published date NOT NULL, item_id integer NOT NULL)")
PG_INDEX = ("CREATE INDEX ix_item_terms_rank ON item_terms "
            "(token, score DESC, published DESC, item_id DESC)")
# After the BEFORE trigger `items_search` has set the new vector. An update names its
# columns: the text's (the vector follows), the date, the vector itself (a re-index).
PG_TRIGGERS = (
    """CREATE TRIGGER item_terms AFTER INSERT OR DELETE ON items
        FOR EACH ROW EXECUTE FUNCTION csto_item_terms_sync()""",
    """CREATE TRIGGER item_terms_update
        AFTER UPDATE OF id, title, lead, body, language, published, search_stems ON items
        FOR EACH ROW WHEN (OLD.search_stems IS DISTINCT FROM NEW.search_stems
                           OR OLD.published IS DISTINCT FROM NEW.published
                           OR OLD.id <> NEW.id)
        EXECUTE FUNCTION csto_item_terms_sync()""",
)
DROP = (
    "DROP TRIGGER IF EXISTS item_terms_update ON items",
    "DROP TRIGGER IF EXISTS item_terms ON items",
    "DROP TABLE IF EXISTS item_terms",
    "DROP FUNCTION IF EXISTS csto_item_terms_sync()",
    "DROP FUNCTION IF EXISTS csto_item_terms(integer, date, tsvector)",
    "DROP FUNCTION IF EXISTS csto_lexeme_query(text)",
)


def present(conn: Connection) -> bool:
    """Whether this database has the table (PostgreSQL from migration 0015 on)."""
    return conn.dialect.name == "postgresql" and bool(
        conn.scalar(text(f"SELECT to_regclass('{TABLE}') IS NOT NULL")))


def create(conn: Connection, advance: Callable[[int], None]) -> None:
    """The table, filled from the stored vectors, then its index and triggers."""
    for ddl in (*PG_FUNCTIONS, PG_TABLE):
        conn.execute(text(ddl))
    fill(conn, advance)
    for ddl in (PG_INDEX, *PG_TRIGGERS):
        conn.execute(text(ddl))
    conn.execute(text(f"ANALYZE {TABLE}"))


def fill(conn: Connection, advance: Callable[[int], None]) -> None:
    """Every item's rows, `BATCH` items a statement (`advance` told of each)."""
    last = 0
    while True:
        ids = list(conn.scalars(text(f"SELECT id FROM items WHERE id > :last ORDER BY id "
                                     f"LIMIT {BATCH}"), {"last": last}))
        if not ids:
            return
        conn.execute(text(f"INSERT INTO {TABLE} SELECT t.* FROM items AS i, "
                          "csto_item_terms(i.id, i.published, i.search_stems) AS t "
                          "WHERE i.id = ANY(:ids)"), {"ids": ids})
        last = ids[-1]
        advance(len(ids))


def rebuild(conn: Connection, advance: Callable[[int], None]) -> None:
    """Empty the table and fill it again (without its index meanwhile: faster)."""
    conn.execute(text("DROP INDEX IF EXISTS ix_item_terms_rank"))
    conn.execute(text(f"TRUNCATE {TABLE}"))
    fill(conn, advance)
    conn.execute(text(PG_INDEX))
    conn.execute(text(f"ANALYZE {TABLE}"))
