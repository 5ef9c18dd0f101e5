"""noise rules: the furniture learned per source

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

``noise_rules`` holds, per source, the paragraphs learned to be furniture (a view counter,
a rotating promotion, "related news"): by exact text or by shape (numbers, times and dates
masked). ``key`` is a hash of kind and pattern, unique per source, because a text rule can
be a paragraph too long for a btree index on PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "noise_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(1000), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source_id", "key", name="uq_noise_rules_source_key"),
    )


def downgrade() -> None:
    op.drop_table("noise_rules")
