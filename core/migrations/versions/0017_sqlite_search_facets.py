"""facets counted by SQLite's search index (issue 21)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

SQLite: `items_search` gets a fifth column, `facets` (each item's section, language and
year as tokens), so that FTS5 counts a search's matches per value; `facet_values` lists
the values with their items. FTS5 cannot add a column: the table is built again beside
the old one from the old one's rows (the stored analysis, not the text analysed again),
with a progress bar from 5,000 items, then takes its name. The objects are described in
`core.search_facets`. Databases created from now on get the new table from 0014 already
(which builds `core.search_index`'s current objects); it is built again here all the same.
PostgreSQL: nothing (its facets stay a grouped query).
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import Connection

from core import search_facets, search_index

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 5000
_NEW = "items_search_0017"

# 0014's table and triggers, as they stood before this revision (for the downgrade).
_OLD_TABLE = ("CREATE VIRTUAL TABLE {0} USING fts5(title, lead, body, exact, "
              "tokenize='unicode61 remove_diacritics 0')")
_OLD_ROW = ("csto_stems(new.title), csto_stems(new.lead), csto_stems(new.body), "
            "csto_exact(new.title || ' ' || new.lead || ' ' || new.body)")
_OLD_TRIGGERS = (
    f"""CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_search(rowid, title, lead, body, exact) VALUES (new.id, {_OLD_ROW});
        END""",
    """CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN
        DELETE FROM items_search WHERE rowid = old.id;
        END""",
    f"""CREATE TRIGGER items_search_update AFTER UPDATE OF id, title, lead, body ON items
        BEGIN
        DELETE FROM items_search WHERE rowid = old.id;
        INSERT INTO items_search(rowid, title, lead, body, exact) VALUES (new.id, {_OLD_ROW});
        END""",
)


def _rebuild(conn: Connection, table_ddl: str, columns: str, values: str,
             triggers: Sequence[str]) -> None:
    """`items_search` built again as `table_ddl`, filled from its old rows."""
    for name in search_index.SQLITE_ITEM_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    conn.exec_driver_sql(table_ddl.format(_NEW))
    total = int(conn.exec_driver_sql("SELECT count(*) FROM items_search").scalar() or 0)
    copy = (f"INSERT INTO {_NEW}(rowid, {columns}) SELECT s.rowid, {values} "
            "FROM items_search AS s JOIN items AS i ON i.id = s.rowid "
            "WHERE s.rowid > ? AND s.rowid <= ?")
    edge = ("SELECT max(rowid), count(*) FROM (SELECT rowid FROM items_search "
            f"WHERE rowid > ? ORDER BY rowid LIMIT {BATCH})")
    last = 0
    with search_index.progress(total, quiet=False) as advance:
        while (batch := conn.exec_driver_sql(edge, (last,)).one())[0] is not None:
            conn.exec_driver_sql(copy, (last, batch[0]))
            last = batch[0]
            advance(batch[1])
    conn.exec_driver_sql("DROP TABLE items_search")
    conn.exec_driver_sql(f"ALTER TABLE {_NEW} RENAME TO items_search")
    for ddl in triggers:
        conn.exec_driver_sql(ddl)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    _rebuild(conn, search_index.ITEMS_SEARCH_TABLE,
             "title, lead, body, exact, facets",
             "s.title, s.lead, s.body, s.exact, "
             "csto_facet_tokens(i.section, i.language, i.published)",
             list(search_index.SQLITE_ITEM_TRIGGERS.values()))
    conn.exec_driver_sql(search_facets.SQLITE_TABLE)
    search_facets.refill(conn)
    for ddl in search_facets.SQLITE_TRIGGERS.values():
        conn.exec_driver_sql(ddl)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for ddl in search_facets.SQLITE_DROP:
        conn.exec_driver_sql(ddl)
    _rebuild(conn, _OLD_TABLE, "title, lead, body, exact",
             "s.title, s.lead, s.body, s.exact", _OLD_TRIGGERS)
