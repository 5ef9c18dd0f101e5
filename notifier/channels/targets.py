"""What webhooks and Apprise targets share: which events each wants, and which are off.

Both are configured (not subscribers), so their preferences come from the configuration.
A target the far side told us is gone (a webhook's 410) is recorded as a subscriber row
of its channel (`address` = the target's name) with status `disabled`, so that it stays
off across restarts; giving it another name (or URL) in the configuration enables it.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import AppriseTarget, Webhook
from core.models import ChangeEvent, Subscriber, utcnow
from notifier.subscriptions import find, mentions

log = logging.getLogger(__name__)
DISABLED = "disabled"


def wants(target: Webhook | AppriseTarget, event: ChangeEvent) -> bool:
    item = event.item
    return (event.kind in target.events
            and (not target.sections or item.section in target.sections)
            and (not target.languages or item.language in target.languages)
            and (not target.keywords or mentions(target.keywords, item)))


def disabled(session: Session, channel: str) -> set[str]:
    return set(session.scalars(select(Subscriber.address).where(
        Subscriber.channel == channel, Subscriber.status == DISABLED)))


def is_disabled(sessions: sessionmaker[Session], channel: str, name: str) -> bool:
    with sessions() as session:
        row = find(session, channel, name)
        return row is not None and row.status == DISABLED


def disable(sessions: sessionmaker[Session], channel: str, name: str, reason: str) -> None:
    """Turn a target off for good (until it is renamed in the configuration)."""
    with sessions() as session, session.begin():
        row = find(session, channel, name)
        if row is None:
            row = Subscriber(channel=channel, address=name, ui_language="en", languages=[],
                             sections=[], keywords=[], mode="instant", include_edits=True,
                             include_removals=True, consecutive_failures=0)
            session.add(row)
        row.status, row.updated_at = DISABLED, utcnow()
    log.warning("%s %s disabled: %s; nothing more is sent to it (give it another name in "
                "the configuration to enable it again)", channel, name, reason)
