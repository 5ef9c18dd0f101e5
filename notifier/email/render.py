"""Messages rendered from Jinja2 templates: a subject, a plain-text part and an HTML part.

Scraped text is untrusted: control characters (CR, LF, ...) are removed before anything
reaches a subject, and the HTML environment autoescapes everything it is given.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from monitor.textdiff import change_line, clip
from monitor.worddiff import Change, ItemDiff, Run, spaced
from notifier.diffwords import field_label, more_changes
from notifier.digest import DigestMessage
from notifier.email.i18n import counts_phrase, format_date, words
from notifier.message import EventMessage
from notifier.sections import section_name
from notifier.story_words import describe_divergence
from notifier.story_words import w as story_word
from notifier.translated import translation_note

SUBJECT_TITLE_MAX = 180
# Changes an instant message and a digest entry show of an edit; the rest are counted.
INSTANT_CHANGES = 10
DIGEST_CHANGES = 3
WHOLE = 600  # characters of a sentence or paragraph added or removed whole, or of a run
# Inline, because mail clients drop <style>: deleted words struck on red, inserted on green.
_STYLE = {
    "del": "background-color:#fde2e2;color:#991b1b;text-decoration:line-through;",
    "ins": "background-color:#dcfce7;color:#166534;text-decoration:none;font-weight:bold;",
}
_SPACES = re.compile(r"\s+")
_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp"})  # controls, format chars, line separators
_ENV = Environment(loader=PackageLoader("notifier.email", "templates"),
                   autoescape=select_autoescape(enabled_extensions=("html",),
                                                default_for_string=False, default=False),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                   keep_trailing_newline=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Footer:
    """What every message ends with: why it came, and the way out."""

    address: str
    mode: str
    unsubscribe_url: str | None
    preferences_url: str | None = None  # the reader's page to change or pause (issue 22)


def clean_line(text: str) -> str:
    """One line of text: control and format characters (CR, LF, U+2028 ...) become spaces."""
    if not text.isprintable():  # the common case costs one C-level scan
        text = "".join(" " if unicodedata.category(c) in _UNSAFE else c for c in text)
    return _SPACES.sub(" ", text).strip()


def safe_url(url: str) -> str:
    """Only http(s) links are shown as links (a scraped `javascript:` URL is not)."""
    url = clean_line(url)
    return url if url.lower().startswith(("http://", "https://")) else ""


def _entry(message: EventMessage, language: str, changes: int = INSTANT_CHANGES
           ) -> dict[str, Any]:
    return {
        "kind": message.kind, "title": clean_line(message.title), "url": safe_url(message.url),
        "date": format_date(message.published, language),
        "section": clean_line(section_name(message.section, language)),
        "summary": clean_line(message.summary),
        "note": translation_note(message, language),
        "fields": ", ".join(clean_line(f) for f in message.fields),
        "diff": _diff(message.changes.head(changes), language,
                      message.translation.changes if message.translation else {}),
        "edit": message.is_edit,
        "documents": [clean_line(d) for d in message.documents] if message.kind == "new" else [],
        "other": _other(message, language),
        "divergence": (describe_divergence(language, message.language, message.previous,
                                           message.fields)
                       if message.kind == "diverged" else ""),
    }


def _other(message: EventMessage, language: str) -> dict[str, str] | None:
    """The story's other language version, linked under the entry."""
    other = message.other
    if other is None or not safe_url(other.url):
        return None
    return {"label": story_word(language, f"version_{other.language}"),
            "title": clean_line(other.title), "url": safe_url(other.url)}


def _diff(diff: ItemDiff, language: str, translations: Mapping[Change, str]
          ) -> dict[str, Any]:
    """The word diff for both parts: per field, text lines and HTML lines; a change's
    machine translation, if any, on the line after it."""
    fields = []
    for fc in diff.fields:
        text: list[str] = []
        html: list[Markup] = []
        for change in fc.changes:
            text.append(change_line(change, WHOLE))
            html.append(change_html(change))
            if change in translations:
                said = clip(clean_line(translations[change]), WHOLE)
                text.append(f"  ↳ {said}")
                html.append(Markup('<i style="color:#6b7280;">↳ {}</i>').format(said))
        fields.append({"label": field_label(fc.field, language), "text": text,
                       "html": html})
    return {"fields": fields, "more": more_changes(diff.more, language) if diff.more else ""}


def change_html(change: Change) -> Markup:
    """One change as inline-styled HTML: <del>/<ins> words, or a whole sentence in one."""
    sign = {"changed": "", "added": "+ ", "removed": "− "}[change.kind]
    runs = [_run_html(run) for run in change.runs]
    return Markup(sign) + Markup("").join(runs)


def _run_html(run: Run) -> Markup:
    text = clip(run.text, WHOLE)
    if run.op == "equal":
        return escape(text)
    lead, core, trail = spaced(text)
    tag = "del" if run.op == "delete" else "ins"
    return (escape(lead) + Markup(f'<{tag} style="{_STYLE[tag]}">{{}}</{tag}>').format(core)
            + escape(trail))


def _footer(footer: Footer, language: str) -> dict[str, Any]:
    w = words(language)
    why = w["why"].format(address=footer.address, mode=w[f"mode_{footer.mode}"])
    return {"why": why, "unsubscribe_url": footer.unsubscribe_url,
            "preferences_url": footer.preferences_url}


def _render(name: str, context: dict[str, Any]) -> tuple[str, str]:
    text = _ENV.get_template(f"{name}.txt").render(context)
    html = _ENV.get_template(f"{name}.html").render(context)
    return text, html


def subject_title(title: str) -> str:
    title = clean_line(title)
    return title if len(title) <= SUBJECT_TITLE_MAX else title[:SUBJECT_TITLE_MAX - 1] + "…"


def render_instant(message: EventMessage, language: str, footer: Footer) -> Rendered:
    """One event: subject `[CSTO] <title>` (prefixed with Updated/Removed for those)."""
    w = words(language)
    prefix = {"edited": w["instant_edited"] + ": ",
              "document_changed": w["instant_edited"] + ": ",
              "removed": w["instant_removed"] + ": ",
              "diverged": story_word(language, "diverged") + ": "}.get(message.kind, "")
    subject = f"[CSTO] {prefix}{subject_title(message.title)}"
    context = {"w": w, "lang": language, "e": _entry(message, language), "subject": subject,
               **_footer(footer, language)}
    return Rendered(subject, *_render("instant", context))


def render_plain(message: EventMessage, language: str) -> tuple[str, str]:
    """The subject and the text part's entry of an instant mail, without the mail's footer:
    what chat services (Apprise) show as title and body."""
    subject = render_instant(message, language, Footer("", "instant", None)).subject
    text = _ENV.get_template("plain.txt").render({"w": words(language),
                                                  "e": _entry(message, language)})
    return subject, text.strip()


def _by_date(entries: list[tuple[date, dict[str, Any]]], language: str
             ) -> list[tuple[str, list[dict[str, Any]]]]:
    """New items grouped by their date, newest date first, order kept inside a day."""
    groups: dict[date, list[dict[str, Any]]] = {}
    for day, entry in sorted(entries, key=lambda pair: pair[0], reverse=True):
        groups.setdefault(day, []).append(entry)
    return [(format_date(day, language), items) for day, items in groups.items()]


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def render_digest(digest: DigestMessage, footer: Footer, timezone: str = "UTC") -> Rendered:
    """A digest: new items by date (newest first), then updated, then removed ones."""
    language, zone, w = digest.language, ZoneInfo(timezone), words(digest.language)
    new = [(m.published or _local_day(m.detected_at, zone), _entry(m, language))
           for m in digest.events if m.kind == "new"]
    updated = [_entry(m, language, DIGEST_CHANGES)
               for m in digest.events if m.is_edit]
    removed = [_entry(m, language) for m in digest.events if m.kind == "removed"]
    counts = {"new": len(new), "updated": len(updated), "removed": len(removed)}
    end = _local_day(digest.period.end, zone)
    subject = (f"{w['digest_' + digest.period.mode]}: {counts_phrase(counts, language)}"
               f" — {format_date(end, language)}")
    period = w["period"].format(
        start=_when(digest.period.start, zone, language),
        end=_when(digest.period.end, zone, language))
    context = {"w": w, "lang": language, "subject": subject, "period": period,
               "groups": _by_date(new, language), "updated": updated, "removed": removed,
               **_footer(footer, language)}
    return Rendered(subject, *_render("digest", context))


def _when(moment: datetime, zone: ZoneInfo, language: str) -> str:
    local = moment.astimezone(zone)
    return f"{format_date(local.date(), language)} {local:%H:%M}"
