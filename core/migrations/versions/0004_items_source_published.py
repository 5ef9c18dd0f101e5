"""indexes for a large history: a poll's newest items, a search's newest matches

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

- ``ix_items_source_published`` (source_id, published), both backends: a poll tells the
  spider about the newest stored items only and diffs against the items dated like the
  crawled ones (``monitor.store.known_window`` / ``scoped_snapshot``). Without it SQLite
  picked ``ix_items_source_status`` and sorted every item of the source.
- ``ix_items_newest`` (published DESC NULLS LAST, id DESC), PostgreSQL only: the order of
  ``history`` listings. ``ix_items_published`` read backwards gives NULLS FIRST, so a
  search for a common word had to find and sort every match (a parallel sequential scan,
  160 ms for a word in 40,000 of 100,000 items); with this index the planner can walk
  the newest items and stop after a page. SQLite needs no such index: its NULLs sort
  first, so ``ix_items_published`` (with the rowid) already gives this order. Like the
  search column of 0002 it is not declared on ``core.models.Item``.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_source_published", "items", ["source_id", "published"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_items_newest ON items (published DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_items_newest")
    op.drop_index("ix_items_source_published", table_name="items")
