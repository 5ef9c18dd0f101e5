"""facets of a one-word search read off indexes (issue 21, PostgreSQL)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

PostgreSQL: ``ix_items_facets`` (id) INCLUDE (section, language), a narrow copy of two
of what a search's facets group by. A common word's facets grouped from ``items`` read
every wide row (its text and search vectors: 316 MiB at 100,000 items) to count 40,000
matches by section, language and year; with this index they are the word's range of
``item_terms`` (0015, which holds the date) joined to it, both read without touching the
table (``monitor.read.facets``). About 4 MiB at 100,000 items. Like ``ix_items_newest``
(0004) it is not declared on ``core.models.Item``. SQLite: nothing (0017 counts its facets
in FTS5).
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_items_facets ON items (id) "
                   "INCLUDE (section, language)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_items_facets")
