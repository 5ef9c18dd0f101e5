"""re-slug merges: a stored story moved to a new URL, shown and undoable

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

- ``reslug_merges``: one row per confirmed re-slug (the old URL answered 404/410, or
  redirected to the new one): the item, its old and new URL, the reason, the revision
  the merge recorded, and once undone by ``csto-monitor unmerge``, when and the item the
  new URL's story became. Items merged before this migration have no row (their revision
  still names the ``url`` change).

(Self-contained: another branch may add a 0012; the final merge re-chains them.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reslug_merges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("old_url", sa.String(1000), nullable=False),
        sa.Column("new_url", sa.String(1000), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unmerged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("split_item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=True),
    )
    op.create_index("ix_reslug_merges_item", "reslug_merges", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_reslug_merges_item", table_name="reslug_merges")
    op.drop_table("reslug_merges")
