"""story notifications: one message per story per reader, and divergence events

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

- ``subscribers.preferred_language`` (NULL: the reader's one news language, or else the
  language of the messages) and ``subscribers.notify_divergence`` (announce ``diverged``
  events). A reader of one language who also takes the other is 0010's
  ``accept_translated``. Existing readers of one language keep what they receive; readers
  of both are told once per story from now on, preferably in their messages' language.
- ``deliveries.edits_event_id`` (an event id): a delivery that updates the message that
  announced that event to the same recipient (Telegram's editMessageText), instead of
  sending another.
- ``change_events.cause_event_id`` (an event id): the one-sided edit or removal a
  ``diverged`` event is about; uniquely indexed, so that a divergence is recorded once
  whoever checks.

(0008 is another branch's revision; the final merge chains it.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("preferred_language", sa.String(8), nullable=True))
        batch.add_column(sa.Column("notify_divergence", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    # Plain columns, no foreign key: SQLite adds them in place, where a batch rebuild of
    # `deliveries` (which `digest_entries` references) would fail on its foreign keys.
    op.add_column("deliveries", sa.Column("edits_event_id", sa.Integer(), nullable=True))
    op.add_column("change_events", sa.Column("cause_event_id", sa.Integer(), nullable=True))
    op.create_index("ix_change_events_cause", "change_events", ["cause_event_id"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_change_events_cause", table_name="change_events")
    op.drop_column("change_events", "cause_event_id")
    op.drop_column("deliveries", "edits_event_id")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("notify_divergence")
        batch.drop_column("preferred_language")
