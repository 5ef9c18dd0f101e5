"""Telegram HTML for posts, replies, summaries and digests; every scraped string escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from monitor.read.snippets import Snippet
from monitor.textdiff import clip
from monitor.worddiff import Change, ItemDiff, spaced
from notifier.diffwords import field_label, more_changes
from notifier.digest import DigestMessage
from notifier.message import EventMessage
from notifier.sections import section_hashtag, section_name
from notifier.story_words import describe_divergence, w
from notifier.telegram.html import MAX_LENGTH, escape, link
from notifier.telegram.i18n import t
from notifier.translated import translation_note

# Characters of a sentence or paragraph added or removed whole, or of one run of words.
WHOLE = 300


def _day(value: date | None, language: str) -> str:
    return value.isoformat() if value else t(language, "undated")


def _meta(message: EventMessage, language: str) -> str:
    """"2025-07-01 · CSTO news", and "· Machine translation (DeepL)" when translated."""
    parts = [_day(message.published, language), section_name(message.section, language),
             translation_note(message, language)]
    return f"<i>{escape(' · '.join(p for p in parts if p))}</i>"


def _title(message: EventMessage) -> str:
    """The title, linked to the page (a link only to an http(s) address)."""
    if message.url.lower().startswith(("http://", "https://")):
        return link(message.url, message.title)
    return escape(message.title)


def hashtags(sections: Iterable[str], language: str) -> str:
    """One hashtag per section, in order of first appearance: "#CSTO_news #speeches"."""
    return " ".join(dict.fromkeys(section_hashtag(s, language) for s in sections))


def event_text(message: EventMessage, language: str, *, channel: bool = False) -> str:
    """One event as a message: a post (new), or the text of a reply (edited, removed).

    A channel post ends with its section's hashtag, so readers can search the channel.
    """
    tail = [hashtags([message.section], language)] if channel else []
    if message.is_edit:
        return _edited(message, language, tail)
    if message.kind == "diverged":
        return _diverged(message, language, tail)
    if message.kind == "removed":
        parts = [f"<b>{_title(message)}</b>\n{_meta(message, language)}",
                 t(language, "removed"), *tail]
        return "\n\n".join(parts)
    head = [f"<b>{_title(message)}</b>\n{_meta(message, language)}"]
    if message.summary:
        head.append(escape(message.summary))
    if message.other is not None:
        tail.insert(0, other_line(message, language))
    return _with_documents(head, message.documents, tail, language)


def other_line(message: EventMessage, language: str) -> str:
    """"Russian version: <linked title>", the story's other version."""
    assert message.other is not None
    other = message.other
    return f"{w(language, 'version_' + other.language)}: {link(other.url, other.title)}"


def _diverged(message: EventMessage, language: str, tail: list[str]) -> str:
    """A `diverged` event: which version changed without the other, a link to each."""
    line = describe_divergence(language, message.language, message.previous, message.fields)
    parts = [f"<b>{w(language, 'diverged')}:</b> {_title(message)}\n"
             f"{_meta(message, language)}", escape(line)]
    if message.other is not None:
        parts.append(other_line(message, language))
    return "\n\n".join([*parts, *tail])


def _with_documents(head: list[str], documents: tuple[str, ...], tail: list[str],
                    language: str) -> str:
    """The post with the attached files listed, cut short to fit in one message."""
    text = "\n\n".join([*head, *tail])
    if not documents:
        return text
    label = f"<i>{t(language, 'documents')}:</i> "
    room = MAX_LENGTH - len(text) - len(label) - 2
    listed = escape("; ".join(documents))
    if len(listed) > room:  # cut at a whole file name, never inside an entity
        listed = listed[:max(room - 1, 0)].rsplit("; ", 1)[0] + "…"
    return "\n\n".join([*head, label + listed, *tail])


def _edited(message: EventMessage, language: str, tail: list[str]) -> str:
    fields = ", ".join(message.fields)
    head = [f"<b>{t(language, 'updated')}:</b> {_title(message)}",
            f"{_meta(message, language)}",
            f"<i>{escape(t(language, 'fields', fields=fields))}</i>"]
    end = ["", *tail] if tail else []
    # Fewer changes until the reply fits in one message (the rest are counted).
    for shown in range(message.changes.count, -1, -1):
        lines = diff_lines(message.changes.head(shown), language, _translated(message))
        text = "\n".join([*head, *lines, *end])
        if len(text) <= MAX_LENGTH:
            break
    return text


def _translated(message: EventMessage) -> Mapping[Change, str]:
    return message.translation.changes if message.translation else {}


def diff_lines(diff: ItemDiff, language: str,
               translations: Mapping[Change, str] | None = None) -> list[str]:
    """Each changed field's name, then its changes (each followed by its machine
    translation, if any); "…and 2 more changes" after a cap."""
    lines: list[str] = []
    for fc in diff.fields:
        lines += ["", f"<i>{escape(field_label(fc.field, language))}:</i>"]
        for change in fc.changes:
            lines.append(change_html(change))
            if translations and change in translations:
                lines.append(f"  ↳ <i>{escape(clip(translations[change], WHOLE))}</i>")
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
    parts = [_day(message.published, language), section_name(message.section, language),
             translation_note(message, language)]
    return f"• [{kind}] {_title(message)} · " + escape(" · ".join(p for p in parts if p))


def burst_text(messages: list[EventMessage], language: str) -> str:
    """One channel post for a poll that found many changes, with every section's hashtag."""
    lines = [event_line(m, language) for m in messages]
    tags = hashtags((m.section for m in messages), language)
    text = t(language, "burst", count=len(messages)) + "\n\n" + "\n".join(lines)
    return f"{text}\n\n{tags}"


def digest_text(digest: DigestMessage) -> str:
    language = digest.language
    day = digest.period.end.date().isoformat()
    header = t(language, "digest", day=day, count=len(digest.events))
    return header + "\n\n" + "\n".join(_digest_line(m, language) for m in digest.events)


def _digest_line(message: EventMessage, language: str) -> str:
    """An event's line; a story's version listed once links the other beneath it."""
    line = event_line(message, language)
    return f"{line}\n   {other_line(message, language)}" if message.other else line


def item_list(rows: Iterable[Mapping[str, Any]], language: str) -> str:
    """Rows of monitor.read.history.items as a numbered list, one item per line (a search
    result found in a Russian-only story's stored English says so)."""
    lines = [f"<code>{row['id']}</code> {link(row['url'], row['title'])} · "
             f"{row['published'] or t(language, 'undated')} · "
             f"{escape(section_name(row['section'], language))}"
             f"{_in_translation(row, language)}{_snippet(row.get('snippet'))}"
             for row in rows]
    return "\n".join(lines) or t(language, "nothing")


def _in_translation(row: Mapping[str, Any], language: str) -> str:
    return f" · <i>{t(language, 'in_translation')}</i>" if "translation" in (
        row.get("found_in") or []) else ""


def _snippet(found: Mapping[str, Any] | None) -> str:
    """A search result's words in context, the matched ones in bold, on its own line."""
    if not found:
        return ""
    ranges = tuple((int(a), int(b)) for a, b in found["ranges"])
    marked = Snippet(found["text"], ranges).marked(lambda w: f"<b>{escape(w)}</b>", escape)
    return f"\n<i>{marked}</i>"
