"""The channel's memory: which post announced an item, and which polls were bursts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import ChangeEvent, TelegramPost


def run_events(session: Session, event: ChangeEvent, kinds: Sequence[str]
               ) -> list[ChangeEvent]:
    """The announced events of the poll that found `event`, in order."""
    if event.run_id is None:
        return [event]
    return list(session.scalars(
        select(ChangeEvent).where(ChangeEvent.run_id == event.run_id,
                                  ChangeEvent.kind.in_(kinds))
        .order_by(ChangeEvent.id)))


def burst(session: Session, event: ChangeEvent, kinds: Sequence[str], threshold: int
          ) -> list[ChangeEvent] | None:
    """The poll's events when it found more than `threshold` (one summary post), else None."""
    events = run_events(session, event, kinds)
    return events if len(events) > threshold else None


def original_post(session: Session, item_id: int, chat_id: str) -> int | None:
    """The message id of the first post about an item in a chat, to reply to."""
    return session.scalar(
        select(TelegramPost.message_id).where(TelegramPost.item_id == item_id,
                                              TelegramPost.chat_id == chat_id)
        .order_by(TelegramPost.id).limit(1))


def remember(session: Session, events: Sequence[ChangeEvent], chat_id: str,
             message_id: int) -> None:
    """Record that `message_id` announced these events (a burst post announces many)."""
    for event in events:
        session.add(TelegramPost(item_id=event.item_id, event_id=event.id, chat_id=chat_id,
                                 message_id=message_id))


def remember_one(session: Session, event_id: int, item_id: int, chat_id: str,
                 message_id: int) -> None:
    """Record that `message_id` announced one event: its ids are in the finished message,
    so the event is not read again to store them."""
    session.add(TelegramPost(item_id=item_id, event_id=event_id, chat_id=chat_id,
                             message_id=message_id))


def story_message(session: Session, event_id: int, chat_id: str, editing_event_id: int
                  ) -> int | None:
    """The message that announced event `event_id` alone in a chat (not a burst summary),
    to edit with `editing_event_id` (the story's other version); None when there is none."""
    message_id = session.scalar(
        select(TelegramPost.message_id).where(TelegramPost.event_id == event_id,
                                              TelegramPost.chat_id == chat_id)
        .order_by(TelegramPost.id).limit(1))
    if message_id is None:
        return None
    others = session.scalar(select(func.count()).select_from(TelegramPost).where(
        TelegramPost.chat_id == chat_id, TelegramPost.message_id == message_id,
        TelegramPost.event_id.not_in((event_id, editing_event_id))))
    return None if others else message_id
