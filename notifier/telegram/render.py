"""Telegram HTML for posts, replies, summaries and digests; every scraped string escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from notifier.digest import DigestMessage
from notifier.message import EventMessage
from notifier.telegram.html import escape, link
from notifier.telegram.i18n import t

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
EXCERPT = 200  # characters of a before/after sentence shown in an "Updated" reply


def _day(value: date | None, language: str) -> str:
    return value.isoformat() if value else t(language, "undated")


def _meta(message: EventMessage, language: str) -> str:
    return f"<i>{_day(message.published, language)} · {escape(message.section)}</i>"


def event_text(message: EventMessage, language: str,
               current: Mapping[str, Any] | None = None) -> str:
    """One event as a message: a post (new), or the text of a reply (edited, removed)."""
    if message.kind == "edited":
        return _edited(message, language, current or {})
    if message.kind == "removed":
        return "\n".join([f"<b>{escape(message.title)}</b>", t(language, "removed"),
                          "", link(message.url, message.url)])
    parts = [f"<b>{escape(message.title)}</b>\n{_meta(message, language)}"]
    if message.summary:
        parts.append(escape(message.summary))
    parts.append(link(message.url, message.url))
    return "\n\n".join(parts)


def _edited(message: EventMessage, language: str, current: Mapping[str, Any]) -> str:
    fields = ", ".join(message.fields)
    lines = [f"<b>{t(language, 'updated')}:</b> {escape(message.title)}",
             f"<i>{escape(t(language, 'fields', fields=fields))}</i>"]
    before, after = before_after(message, current)
    if before or after:
        lines += ["", f"{t(language, 'was')}: {escape(before)}",
                  f"{t(language, 'now')}: {escape(after)}"]
    return "\n".join([*lines, "", link(message.url, message.url)])


def before_after(message: EventMessage, current: Mapping[str, Any]) -> tuple[str, str]:
    """A compact before/after: the title if it changed, else the first changed sentence."""
    if "title" in message.fields:
        return str(message.previous.get("title", "")), message.title
    for field in ("lead", "body"):
        if field in message.fields and field in message.previous:
            return first_changed_sentence(str(message.previous[field]),
                                          str(current.get(field, "")))
    return "", ""


def first_changed_sentence(before: str, after: str) -> tuple[str, str]:
    old, new = _SENTENCE_END.split(before.strip()), _SENTENCE_END.split(after.strip())
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else ""
        b = new[i] if i < len(new) else ""
        if a != b:
            return _clip(a), _clip(b)
    return "", ""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"


def event_line(message: EventMessage, language: str) -> str:
    """One line of a summary post or digest: kind, linked title, date."""
    kind = t(language, f"kind_{message.kind}")
    return (f"• [{kind}] {link(message.url, message.title)} · "
            f"{_day(message.published, language)}")


def burst_text(messages: list[EventMessage], language: str) -> str:
    lines = [event_line(m, language) for m in messages]
    return t(language, "burst", count=len(messages)) + "\n\n" + "\n".join(lines)


def digest_text(digest: DigestMessage) -> str:
    language = digest.language
    day = digest.period.end.date().isoformat()
    header = t(language, "digest", day=day, count=len(digest.events))
    return header + "\n\n" + "\n".join(event_line(m, language) for m in digest.events)


def item_list(rows: Iterable[Mapping[str, Any]], language: str) -> str:
    """Rows of monitor.history.items as a numbered list, one item per line."""
    lines = [f"<code>{row['id']}</code> {link(row['url'], row['title'])} · "
             f"{row['published'] or t(language, 'undated')} · {escape(row['section'])}"
             for row in rows]
    return "\n".join(lines) or t(language, "nothing")
