"""Admin-only commands (/status, /stats) and source alerts sent to the admins."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from telegram import Update

from core.models import Delivery, Source, Subscriber, TelegramPost
from csto_monitor.bot.handlers import Context, chat_language, deps, reply
from monitor import divergence_store
from monitor.read.status import status as monitor_status
from notifier.story_words import describe_divergence
from notifier.story_words import w as story_word
from notifier.telegram.html import escape, link
from notifier.telegram.i18n import t

log = logging.getLogger(__name__)


async def _is_admin(update: Update, context: Context) -> bool:
    user = update.effective_user
    if user is not None and user.id in deps(context).admins:
        return True
    await reply(update, t(chat_language(update, context), "admins_only"))
    return False


async def status(update: Update, context: Context) -> None:
    """Sources and outbox, as `csto-monitor status`."""
    if not await _is_admin(update, context):
        return
    language = chat_language(update, context)
    with deps(context).sessions() as session:
        report = monitor_status(session, deps(context).settings)
        diverged = divergence_lines(session, language)
    await reply(update, status_text(report, language) + diverged)


def divergence_lines(session: Session, language: str) -> str:
    """The newest divergences of a story's two versions, one line each ("" when none)."""
    events = divergence_store.recent(session)
    if not events:
        return ""
    lines = [f"• {link(e.url, e.title)} ({e.detected_at:%Y-%m-%d}): "
             + escape(describe_divergence(language, e.item.language, e.previous, e.fields))
             for e in events]
    return f"\n<b>{story_word(language, 'diverged')}</b>:\n" + "\n".join(lines)


def status_text(report: dict[str, Any], language: str) -> str:
    lines = []
    for row in report["sources"]:
        line = (f"• <b>{escape(row['source'])}</b>: {escape(row['state'])}, "
                f"{row['items']} items, last success {row['last_success'] or '—'}")
        if row["last_error"]:
            line += f"\n  {escape(row['last_error'])}"
        lines.append(line)
    return t(language, "status", healthy=report["healthy"], sources="\n".join(lines),
             pending=report["outbox"]["pending"])


async def stats(update: Update, context: Context) -> None:
    """Subscriber and delivery counts (numbers only: nobody's data)."""
    if not await _is_admin(update, context):
        return
    with deps(context).sessions() as session:
        counts = stats_counts(session)
    await reply(update, t(chat_language(update, context), "stats", **counts))


def stats_counts(session: Session) -> dict[str, int]:
    subscribers: dict[str, int] = {status: n for status, n in session.execute(
        select(Subscriber.status, func.count()).where(Subscriber.channel == "telegram")
        .group_by(Subscriber.status))}
    deliveries: dict[str, int] = {status: n for status, n in session.execute(
        select(Delivery.status, func.count()).where(Delivery.channel == "telegram")
        .group_by(Delivery.status))}
    # Messages kept for subscribers (to edit a story's message) are not channel posts.
    chats = select(Subscriber.address).where(Subscriber.channel == "telegram")
    posts = session.scalar(select(func.count(func.distinct(TelegramPost.message_id)))
                           .where(TelegramPost.chat_id.not_in(chats))) or 0
    return {"active": subscribers.get("active", 0), "blocked": subscribers.get("blocked", 0),
            "gone": subscribers.get("unsubscribed", 0), "sent": deliveries.get("sent", 0),
            "pending": deliveries.get("pending", 0), "failed": deliveries.get("failed", 0),
            "posts": posts}


def alerted_sources(session: Session) -> dict[str, tuple[int, str]]:
    """Sources currently in an alerted outage: name -> (failures, last error)."""
    return {s.name: (s.consecutive_failures, s.last_error or "")
            for s in session.scalars(select(Source).where(Source.alerted.is_(True)))}


def alert_texts(before: dict[str, tuple[int, str]], now: dict[str, tuple[int, str]],
                language: str) -> list[str]:
    """One message per outage that began, and one per outage that ended, since `before`."""
    texts = [t(language, "alert", source=escape(name), failures=failures,
               error=escape(error)) for name, (failures, error) in now.items()
             if name not in before]
    texts += [t(language, "recovered", source=escape(name)) for name in before
              if name not in now]
    return texts
