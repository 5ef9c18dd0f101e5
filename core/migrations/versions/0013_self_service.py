"""self service: pending email sign-ups, and why a subscriber is paused

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

- ``signups``: an address that asked to subscribe on the web form and has not opened its
  confirmation link yet, with the choices it made. A row lives until it is confirmed (it
  becomes a subscriber) or expires (it is deleted); the link names the row and its random
  ``nonce``, so a confirmed (deleted) or replaced sign-up's link no longer works.
- ``subscribers.status_reason``: why a subscriber is not active (``bouncing`` after
  repeated refusals, ``paused`` by the reader), shown by ``subscribers list``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(320), nullable=False, unique=True),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signups_expires_at", "signups", ["expires_at"])
    op.add_column("subscribers", sa.Column("status_reason", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("status_reason")
    op.drop_index("ix_signups_expires_at", table_name="signups")
    op.drop_table("signups")
