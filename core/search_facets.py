"""Facets counted by SQLite's search index (migration 0017): section, language and year.

A search's facets count its matches by section, language and year. Read from `items`,
that is one look-up per match and a sort: a common word's 40,000 matches of 100,000
items took 65-140 ms, most of the API's request. Here each item's section, language and
year also stand in `items_search` as tokens of a column of their own, `facets` (written
by the same triggers as its text), so FTS5 counts the matches of a value by itself:
`(query) AND facets : "<token>"` walks two doclists, a fraction of a millisecond for a
year's share. `facet_values` lists the values there are, with how many items hold each,
so a facet's largest value is the rest of the matches instead of a count of its own.

A token is the facet's letter and the value's UTF-8 in hex (`s6e657773` is the section
"news"): any section name becomes one token of FTS5's `unicode61` tokenizer, which no
word of a query can match (queries name their columns, never `facets`).

Not on PostgreSQL: its facets stay a grouped query (`monitor.read.facets`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, inspect, text

FACETS = {"section": "s", "language": "l", "year": "y"}

TABLE = "facet_values"


def token(facet: str, value: str) -> str:
    """The index token of one facet's value."""
    return FACETS[facet] + value.encode().hex()


def item_tokens(section: str | None, language: str | None, published: date | str | None
                ) -> str:
    """An item's `facets` column: its section, language and year (when it has a date)."""
    values = {"section": section, "language": language,
              "year": str(published)[:4] if published else None}
    return " ".join(token(facet, value) for facet, value in values.items()
                    if value is not None)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """`csto_facet_tokens(section, language, published)` for the triggers (`core.db`)."""
    dbapi_connection.create_function("csto_facet_tokens", 3, item_tokens, deterministic=True)


SQLITE_TABLE = (f"CREATE TABLE {TABLE} (facet TEXT NOT NULL, value TEXT NOT NULL, "
                "items INTEGER NOT NULL, PRIMARY KEY (facet, value)) WITHOUT ROWID")

# The year as `strftime('%Y', published)` has it: dates are stored as ISO text.
_VALUES = ("SELECT 'section' AS facet, {0}.section AS value UNION ALL "
           "SELECT 'language', {0}.language UNION ALL "
           "SELECT 'year', substr({0}.published, 1, 4) WHERE {0}.published IS NOT NULL")
_ADD = (f"INSERT INTO {TABLE}(facet, value, items) SELECT facet, value, 1 "
        f"FROM ({_VALUES.format('new')}) WHERE true "
        "ON CONFLICT (facet, value) DO UPDATE SET items = items + 1;")
_TAKE = (f"UPDATE {TABLE} SET items = items - 1 WHERE (facet, value) IN "
         f"({_VALUES.format('old')});")
# An update of `items` that changes an item's values (the index's column, `facet_values`).
CHANGED = ("old.section IS NOT new.section OR old.language IS NOT new.language "
           "OR old.published IS NOT new.published")
SQLITE_TRIGGERS = {
    f"{TABLE}_insert": f"""
        CREATE TRIGGER {TABLE}_insert AFTER INSERT ON items BEGIN {_ADD} END""",
    f"{TABLE}_delete": f"""
        CREATE TRIGGER {TABLE}_delete AFTER DELETE ON items BEGIN {_TAKE} END""",
    f"{TABLE}_update": f"""
        CREATE TRIGGER {TABLE}_update AFTER UPDATE OF section, language, published ON items
        WHEN {CHANGED} BEGIN {_TAKE} {_ADD} END""",
}
SQLITE_DROP = (*(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
               f"DROP TABLE IF EXISTS {TABLE}")


def refill(conn: Connection) -> None:
    """Count every item's values again (the migration, `csto-monitor reindex`)."""
    conn.execute(text(f"DELETE FROM {TABLE}"))
    conn.execute(text(
        f"INSERT INTO {TABLE}(facet, value, items) "
        "SELECT 'section', section, count(*) FROM items GROUP BY section UNION ALL "
        "SELECT 'language', language, count(*) FROM items GROUP BY language UNION ALL "
        "SELECT 'year', substr(published, 1, 4), count(*) FROM items "
        "WHERE published IS NOT NULL GROUP BY 2"))


def present(conn: Connection) -> bool:
    """Whether this database counts facets in its search index (SQLite from 0017 on)."""
    return conn.dialect.name == "sqlite" and inspect(conn).has_table(TABLE)
