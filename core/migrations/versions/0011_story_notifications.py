"""story notifications: one message per story per reader, and divergence events

Revision ID: 0011
Revises: 0009, 0010
Create Date: 2026-11-30

- ``subscribers.preferred_language`` (NULL: the reader's one news language, or else the
  language of the messages) and ``subscribers.notify_divergence`` (announce ``diverged``
  events). A reader of one language who also takes the other is 0010's
  ``accept_translated``. Existing
  subscribers keep what they receive: a reader of both languages is told once per story
  from now on, in the language of their messages.
- ``deliveries.edits_event_id``: a delivery that updates the message that announced that
  event to the same recipient (Telegram's editMessageText), instead of sending another.
- ``change_events.cause_event_id``: the one-sided edit or removal a ``diverged`` event is
  about; unique, so that a divergence is recorded once whoever checks.

(0008 is another branch's revision; the final merge chains it.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
# Merges the pairing (0009) and translation (0010) branches; the final merge rechains
# after 0008.
down_revision = ("0009", "0010")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("preferred_language", sa.String(8), nullable=True))
        batch.add_column(sa.Column("notify_divergence", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column(
            "edits_event_id", sa.Integer(),
            sa.ForeignKey("change_events.id", name="fk_deliveries_edits_event_id"),
            nullable=True))
    with op.batch_alter_table("change_events") as batch:
        batch.add_column(sa.Column(
            "cause_event_id", sa.Integer(),
            sa.ForeignKey("change_events.id", name="fk_change_events_cause_event_id"),
            nullable=True))
        batch.create_unique_constraint("uq_change_events_cause", ["cause_event_id"])


def downgrade() -> None:
    with op.batch_alter_table("change_events") as batch:
        batch.drop_constraint("uq_change_events_cause", type_="unique")
        batch.drop_constraint("fk_change_events_cause_event_id", type_="foreignkey")
        batch.drop_column("cause_event_id")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("fk_deliveries_edits_event_id", type_="foreignkey")
        batch.drop_column("edits_event_id")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("notify_divergence")
        batch.drop_column("preferred_language")
