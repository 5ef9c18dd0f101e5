"""story pairs: the English and Russian versions of one story, and rejected pairs

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

``story_pairs`` links an English item to a Russian one (each item in at most one pair),
with the confidence and evidence of the automatic decision, or ``manual`` when an operator
made it. ``story_pair_rejections`` keeps the pairs an operator undid, so that automatic
pairing never makes them again. Existing history is paired by ``csto-monitor pair --auto``
(and by the first poll that stores new items, for the items around them).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_pairs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("en_item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("ru_item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("en_item_id", name="uq_story_pairs_en_item_id"),
        sa.UniqueConstraint("ru_item_id", name="uq_story_pairs_ru_item_id"),
    )
    op.create_table(
        "story_pair_rejections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("en_item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("ru_item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("en_item_id", "ru_item_id", name="uq_story_pair_rejections_items"),
    )
    op.create_index("ix_story_pair_rejections_ru", "story_pair_rejections", ["ru_item_id"])


def downgrade() -> None:
    op.drop_index("ix_story_pair_rejections_ru", table_name="story_pair_rejections")
    op.drop_table("story_pair_rejections")
    op.drop_table("story_pairs")
