"""Telegram HTML for posts, replies, summaries and digests; every scraped string escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from monitor.textdiff import clip
from monitor.worddiff import Change, ItemDiff, spaced
from notifier.diffwords import field_label, more_changes
from notifier.digest import DigestMessage
from notifier.message import EventMessage
from notifier.story_words import describe_divergence, w
from notifier.telegram.html import MAX_LENGTH, escape, link
from notifier.telegram.i18n import t

# Characters of a sentence or paragraph added or removed whole, or of one run of words.
WHOLE = 300


def _day(value: date | None, language: str) -> str:
    return value.isoformat() if value else t(language, "undated")


def _meta(message: EventMessage, language: str) -> str:
    return f"<i>{_day(message.published, language)} · {escape(message.section)}</i>"


def event_text(message: EventMessage, language: str) -> str:
    """One event as a message: a post (new), or the text of a reply (edited, removed)."""
    if message.is_edit:
        return _edited(message, language)
    if message.kind == "diverged":
        return _diverged(message, language)
    if message.kind == "removed":
        return "\n".join([f"<b>{escape(message.title)}</b>", t(language, "removed"),
                          "", link(message.url, message.url)])
    parts = [f"<b>{escape(message.title)}</b>\n{_meta(message, language)}"]
    if message.summary:
        parts.append(escape(message.summary))
    if message.documents:
        parts.append(f"<i>{t(language, 'documents')}:</i> "
                     + escape("; ".join(message.documents)))
    parts.append(link(message.url, message.url))
    if message.other is not None:
        parts.append(other_line(message, language))
    return "\n\n".join(parts)


def other_line(message: EventMessage, language: str) -> str:
    """"Russian version: <linked title>", the story's other version."""
    assert message.other is not None
    other = message.other
    return f"{w(language, 'version_' + other.language)}: {link(other.url, other.title)}"


def _diverged(message: EventMessage, language: str) -> str:
    """A `diverged` event: which version changed, and a link to each."""
    line = describe_divergence(language, message.language, message.previous, message.fields)
    parts = [f"<b>{w(language, 'diverged')}:</b> {escape(message.title)}", escape(line),
             link(message.url, message.url)]
    if message.other is not None:
        parts.append(other_line(message, language))
    return "\n\n".join(parts)


def _edited(message: EventMessage, language: str) -> str:
    fields = ", ".join(message.fields)
    head = [f"<b>{t(language, 'updated')}:</b> {escape(message.title)}",
            f"<i>{escape(t(language, 'fields', fields=fields))}</i>"]
    tail = ["", link(message.url, message.url)]
    # Fewer changes until the reply fits in one message (the rest are counted).
    for shown in range(message.changes.count, -1, -1):
        text = "\n".join([*head, *diff_lines(message.changes.head(shown), language), *tail])
        if len(text) <= MAX_LENGTH:
            break
    return text


def diff_lines(diff: ItemDiff, language: str) -> list[str]:
    """Each changed field's name, then its changes; "…and 2 more changes" after a cap."""
    lines: list[str] = []
    for fc in diff.fields:
        lines += ["", f"<i>{escape(field_label(fc.field, language))}:</i>"]
        lines += [change_html(change) for change in fc.changes]
    if diff.more:
        lines += ["", escape(more_changes(diff.more, language))]
    return lines


def change_html(change: Change) -> str:
    """A changed sentence with <s>deleted</s> and <b>inserted</b> words; or a whole one."""
    if change.kind != "changed":
        text = escape(clip("".join(r.text for r in change.runs), WHOLE))
        return f"+ <b>{text}</b>" if change.kind == "added" else f"− <s>{text}</s>"
    parts = []
    for number, run in enumerate(change.runs):
        if run.op == "equal":
            parts.append(escape(clip(run.text, WHOLE)))
            continue
        lead, core, trail = spaced(clip(run.text, WHOLE))
        if run.op == "insert" and number and change.runs[number - 1].op == "delete":
            lead = lead or " "  # without colours, "h̶e̶r̶e̶there" would read as one word
        tag = "s" if run.op == "delete" else "b"
        parts.append(f"{escape(lead)}<{tag}>{escape(core)}</{tag}>{escape(trail)}")
    return "• " + "".join(parts)


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
