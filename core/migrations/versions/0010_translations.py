"""translations: machine translations cached once; subscribers.accept_translated

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

- ``translations``: each text a provider translated, keyed by (provider, source language,
  target language, SHA-256 of the text), so the same text is never requested twice.
- ``subscribers.accept_translated``: a reader of one language also receives the items only
  published in the other, machine-translated when a translator is configured. Off for
  every subscriber there is: they keep what they receive.

(0008 and 0009 are other branches' revisions; the merge chains them.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "translations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("target", sa.String(8), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("translation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("provider", "source", "target", "text_sha256",
                            name="uq_translations_key"),
    )
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("accept_translated", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("accept_translated")
    op.drop_table("translations")
