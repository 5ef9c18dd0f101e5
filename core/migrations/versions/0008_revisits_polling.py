"""revisits and learned polling: each item's revisit schedule and page validators; the
reason of each source's next poll

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Items get ``next_revisit_at`` / ``revisit_step`` (the decaying revisit schedule, see
monitor.revisits) and ``page_etag`` / ``page_last_modified`` (the detail page's validators,
for a conditional revisit). Existing items are left unscheduled (NULL, step 0): the first
poll schedules them from when they last changed, so old items are not all revisited at
once. Sources get ``next_poll_reason`` (shown by ``status``).

Downgrade drops the columns one by one: SQLite (3.35+) drops a column in place, where a
batch copy of ``sources`` would fail on the foreign keys that point at it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ITEM_COLUMNS = (
    sa.Column("next_revisit_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revisit_step", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("page_etag", sa.String(500), nullable=True),
    sa.Column("page_last_modified", sa.String(100), nullable=True),
)


def upgrade() -> None:
    for column in _ITEM_COLUMNS:
        op.add_column("items", column)
    op.create_index("ix_items_source_revisit", "items",
                    ["source_id", "next_revisit_at", "revisit_step"])
    op.add_column("sources", sa.Column("next_poll_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("sources", "next_poll_reason")
    op.drop_index("ix_items_source_revisit", table_name="items")
    for column in reversed(_ITEM_COLUMNS):
        op.drop_column("items", column.name)
