"""search by word forms: analysed full-text indexes, ranked (issue 21)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

Replaces the exact-form indexes of 0002 (items) and 0007 (document versions) by ones of
text analysed per language (stems, stop words, `ё` folded) beside the exact folded words
(phrases, prefixes), and indexes the stored English of Russian titles and leads
(`translations`, 0010) as English: the objects are described in `core.search_index`.
Existing rows are re-indexed here (with a progress bar from 5,000 rows); `csto-monitor
reindex` does the same on demand. Downgrading restores 0002's and 0007's indexes and rebuilds them.
"""

import importlib
from types import ModuleType

from alembic import op

from core import search_index

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_OLD_ITEM_TRIGGERS = ("items_fts_insert", "items_fts_delete", "items_fts_update")
_OLD_DOCUMENT_TRIGGERS = ("document_versions_fts_insert", "document_versions_fts_delete")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _OLD_ITEM_TRIGGERS + _OLD_DOCUMENT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS items_fts")
        op.execute("DROP TABLE IF EXISTS document_versions_fts")
        for ddl in (*search_index.SQLITE_TABLES, *search_index.SQLITE_ITEM_TRIGGERS.values(),
                    *search_index.SQLITE_DOCUMENT_TRIGGERS.values(),
                    *search_index.SQLITE_TRANSLATION_TRIGGERS.values(),
                    *search_index.SQLITE_DIGEST_INDEXES):
            op.execute(ddl)
        search_index.reindex(op.get_bind())
        return
    for table in search_index.PG_SEARCHED_TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        op.execute(f"ALTER TABLE {table} ADD COLUMN search_stems tsvector, "
                   "ADD COLUMN search_exact tsvector")
    for ddl in (*search_index.PG_FUNCTIONS, *search_index.PG_TRIGGERS):
        op.execute(ddl)
    search_index.reindex(op.get_bind())
    for ddl in search_index.PG_INDEXES:  # built once, after the rows are filled
        op.execute(ddl)


def _older(name: str) -> ModuleType:
    return importlib.import_module(f"core.migrations.versions.{name}")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in (*search_index.SQLITE_ITEM_TRIGGERS, *search_index.SQLITE_DOCUMENT_TRIGGERS,
                     *search_index.SQLITE_TRANSLATION_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in ("items_search", "document_search", "translation_search"):
            op.execute(f"DROP TABLE IF EXISTS {name}")
        for name in ("ix_items_title_sha256", "ix_items_lead_sha256"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS items_search ON items")
        op.execute("DROP TRIGGER IF EXISTS document_search ON document_versions")
        op.execute("DROP TRIGGER IF EXISTS translation_search ON translations")
        for name in ("csto_items_search", "csto_document_search", "csto_translation_search"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute("DROP FUNCTION IF EXISTS csto_stems(text, text, \"char\")")
        for name in ("ix_items_title_sha256", "ix_items_lead_sha256"):
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP FUNCTION IF EXISTS csto_exact(text)")
        op.execute("DROP FUNCTION IF EXISTS csto_sha256(text)")
        op.execute("DROP FUNCTION IF EXISTS csto_config(text)")
        for table in search_index.PG_SEARCHED_TABLES:
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_stems, "
                       "DROP COLUMN IF EXISTS search_exact")
    _older("0002_fulltext").upgrade()  # 0002's index, rebuilt from the rows
    _older("0007_documents")._search_index()
    if sqlite:
        op.execute("INSERT INTO document_versions_fts(document_versions_fts) VALUES ('rebuild')")
