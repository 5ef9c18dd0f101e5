"""digests list the events since the subscriber's previous one: digest_entries, digest_since

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

- ``digest_entries``: the events each digest lists, unique per (channel, recipient,
  event), so an event is in at most one digest of a subscriber. The digests already in the
  outbox covered the events detected in their [period_start, period_end): those are
  entered for them, so none is listed again.
- Indexes for queueing digests: ``deliveries`` by event (who was sent it instantly) and by
  (channel, recipient, period_end) (each recipient's latest digest).
- ``subscribers.digest_since``: digests list no event detected before it. For the
  subscribers there are, the latest of: when they subscribed, and their last outbox row
  (an instant message is dated by its event, a digest by its period's end). Events after
  that they did not receive were not wanted, or are pending and now sent.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BACKFILL_ENTRIES = """
INSERT INTO digest_entries (delivery_id, event_id, channel, recipient)
SELECT MIN(d.id), e.id, d.channel, d.recipient
FROM deliveries d
JOIN change_events e ON e.detected_at >= d.period_start AND e.detected_at < d.period_end
WHERE d.event_id IS NULL
GROUP BY e.id, d.channel, d.recipient
"""

BACKFILL_SINCE = """
UPDATE subscribers SET digest_since = COALESCE(
    (SELECT MAX(d.created_at) FROM deliveries d
     WHERE d.channel = subscribers.channel AND d.recipient = subscribers.address
       AND d.created_at > subscribers.created_at),
    subscribers.created_at)
"""


def upgrade() -> None:
    op.create_table(
        "digest_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["change_events.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "event_id", "recipient"),
    )
    op.create_index("ix_digest_entries_delivery", "digest_entries", ["delivery_id"])
    op.create_index("ix_deliveries_event", "deliveries", ["event_id"])
    op.create_index("ix_deliveries_recipient_period", "deliveries",
                    ["channel", "recipient", "period_end"])
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("digest_since", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL_ENTRIES)
    op.execute(BACKFILL_SINCE)


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("digest_since")
    op.drop_index("ix_deliveries_recipient_period", table_name="deliveries")
    op.drop_index("ix_deliveries_event", table_name="deliveries")
    op.drop_index("ix_digest_entries_delivery", table_name="digest_entries")
    op.drop_table("digest_entries")
