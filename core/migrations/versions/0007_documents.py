"""documents: files attached to items, and each distinct content's version and text

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

A document is identified by its URL within its item (one file can be attached to two
items); each distinct content (SHA-256) is a ``document_versions`` row with the text read
from it. ``documents`` keeps the current version's description, the validators for a
conditional refetch, and a status that says why there is no text when there is none.

Search of document text, beside the items' (migration 0002, same tokenisation): SQLite,
an FTS5 external-content table ``document_versions_fts`` kept by triggers (versions are
written once); PostgreSQL, a stored generated ``document_versions.search_vector``
('simple' configuration, GIN index) over the first 300,000 characters of the text, since
a tsvector is limited to 1 MB. monitor.search matches an item's current versions only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text_chars", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(500), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_changed", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "url", name="uq_documents_item_url"),
    )
    op.create_index("ix_documents_url", "documents", ["url"])
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint("document_id", "number", name="uq_document_versions_number"),
    )
    _search_index()


_SQLITE_TRIGGERS = (
    """CREATE TRIGGER document_versions_fts_insert AFTER INSERT ON document_versions BEGIN
        INSERT INTO document_versions_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER document_versions_fts_delete AFTER DELETE ON document_versions BEGIN
        INSERT INTO document_versions_fts(document_versions_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
    END""",
)
PG_TEXT_LIMIT = 300_000


def _search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE document_versions_fts USING fts5(text, "
                   "content='document_versions', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 2')")
        for ddl in _SQLITE_TRIGGERS:
            op.execute(ddl)
        return
    op.execute("ALTER TABLE document_versions ADD COLUMN search_vector tsvector GENERATED "
               f"ALWAYS AS (to_tsvector('simple', left(text, {PG_TEXT_LIMIT}))) STORED")
    op.execute("CREATE INDEX ix_document_versions_search_vector ON document_versions "
               "USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS document_versions_fts_insert")
        op.execute("DROP TRIGGER IF EXISTS document_versions_fts_delete")
        op.execute("DROP TABLE IF EXISTS document_versions_fts")
    op.drop_table("document_versions")
    op.drop_index("ix_documents_url", table_name="documents")
    op.drop_table("documents")
