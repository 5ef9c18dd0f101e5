"""full-text search over items (title, lead, body)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

SQLite: an FTS5 external-content table ``items_fts`` (the text lives only in ``items``;
the FTS table holds just the index, keyed by ``items.id`` as its rowid), tokenised with
``unicode61 remove_diacritics 2`` (Unicode case folding, so "одкб" finds "ОДКБ"; "cafe"
finds "café"). Triggers on ``items`` keep it in sync; the update trigger fires only when
``id``, ``title``, ``lead`` or ``body`` change, so the frequent ``last_seen`` updates of a
poll do not re-index bodies. The index is rebuilt from the existing rows on upgrade.

Caveat: an Alembic batch operation on ``items`` in a later SQLite migration recreates
the table and so drops its triggers: such a migration must create them again (the DDL in
``_SQLITE_TRIGGERS`` below) and rebuild the index.

PostgreSQL: a stored generated column ``items.search_vector`` with a GIN index. It uses
the 'simple' configuration (lower-casing, no stemming, no stop words) for both languages:
an item's language is not known when a query is parsed, stemming English or Russian text
with the other language's rules would lose matches, and it keeps PostgreSQL close to what
SQLite's unicode61 tokenizer finds (whole words, optionally a prefix of the last one).
Title and lead are weighted A and B (body D) so that results can be ranked later; matching
ignores the weights. Lower-casing follows the database's LC_CTYPE: a UTF-8 locale
(C.UTF-8, en_US.UTF-8, ...) folds Cyrillic, the plain "C" locale folds ASCII only.
Unlike SQLite, PostgreSQL keeps diacritics ("cafe" does not find "café"). The column is
not mapped in ``core.models.Item`` (SQLite has no such column); ``monitor.search``
refers to it by name.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_PG_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(lead, '')), 'B')"
    " || to_tsvector('simple', coalesce(body, ''))"
)

_SQLITE_TRIGGERS = {
    "items_fts_insert": """
        CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, title, lead, body)
            VALUES (new.id, new.title, new.lead, new.body);
        END""",
    "items_fts_delete": """
        CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, lead, body)
            VALUES ('delete', old.id, old.title, old.lead, old.body);
        END""",
    "items_fts_update": """
        CREATE TRIGGER items_fts_update AFTER UPDATE OF id, title, lead, body ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, lead, body)
            VALUES ('delete', old.id, old.title, old.lead, old.body);
            INSERT INTO items_fts(rowid, title, lead, body)
            VALUES (new.id, new.title, new.lead, new.body);
        END""",
}


def _create_sqlite_triggers() -> None:
    for ddl in _SQLITE_TRIGGERS.values():
        op.execute(ddl)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE items_fts USING fts5("
            "title, lead, body, content='items', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        _create_sqlite_triggers()
        op.execute("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    else:
        op.execute(
            f"ALTER TABLE items ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_PG_VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_items_search_vector ON items USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS items_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_items_search_vector")
        op.execute("ALTER TABLE items DROP COLUMN IF EXISTS search_vector")
