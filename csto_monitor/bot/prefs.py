"""A chat's subscription and preferences, as the bot changes them (one Subscriber row)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Item, Subscriber, utcnow
from notifier import subscriptions
from notifier.telegram.i18n import LANGUAGES

CHANNEL = "telegram"
MAX_KEYWORDS = 20


def find(session: Session, chat_id: int | str) -> Subscriber | None:
    return subscriptions.find(session, CHANNEL, str(chat_id))


def subscribe(session: Session, chat_id: int | str, ui_language: str) -> bool:
    """Make the chat an active subscriber; False if it already was."""
    subscriber = find(session, chat_id)
    if subscriber is None:
        session.add(Subscriber(channel=CHANNEL, address=str(chat_id), ui_language=ui_language,
                               status="active"))
        return True
    if subscriber.status == "active":
        return False
    subscriber.status, subscriber.consecutive_failures = "active", 0
    subscriber.updated_at = utcnow()
    return True


def unsubscribe(session: Session, chat_id: int | str) -> bool:
    """Stop sending to the chat (its preferences are kept); False if it was not subscribed."""
    subscriber = find(session, chat_id)
    if subscriber is None or subscriber.status != "active":
        return False
    subscriber.status, subscriber.updated_at = "unsubscribed", utcnow()
    return True


def known_sections(session: Session) -> list[str]:
    return sorted(session.scalars(select(Item.section).distinct()))


def toggled(current: list[str], value: str, every: list[str]) -> list[str]:
    """Toggle `value` in a filter list where [] means "all of `every`"."""
    chosen = set(current or every)
    chosen ^= {value}
    if not chosen or chosen >= set(every):
        return []  # nothing or everything chosen: no filter
    return sorted(chosen)


def toggle_language(subscriber: Subscriber, language: str) -> None:
    subscriber.languages = toggled(subscriber.languages, language, list(LANGUAGES))


def toggle_section(subscriber: Subscriber, section: str, every: list[str]) -> None:
    subscriber.sections = toggled(subscriber.sections, section, every)


def parse_keywords(text: str) -> list[str]:
    """`/keywords Minsk, joint exercise` -> ["Minsk", "joint exercise"]; at most 20."""
    words = [w.strip() for w in text.replace(";", ",").split(",")]
    return list(dict.fromkeys(w for w in words if w))[:MAX_KEYWORDS]
