"""Inline keyboards: the welcome button and the /settings panel.

Callback data is short and positional: "sub", "lang:en", "sec:3" (index into the known
sections), "mode:daily", "edits", "removals", "translated", "pref:en" (the preferred
version of a story), "divergence" (alerts when the two versions drift apart), "ui:ru",
"done".
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.models import Subscriber
from notifier.sections import section_name
from notifier.story_words import w as story_word
from notifier.subscriptions import reader_of
from notifier.telegram.html import escape
from notifier.telegram.i18n import LANGUAGES, t

MODES = ("instant", "daily")
UI_NAMES = {"en": "English", "ru": "Русский"}


def subscribe_button(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t(language, "subscribe_button"),
                                                       callback_data="sub")]])


def _mark(on: bool, label: str) -> str:
    return f"{'✅' if on else '▫️'} {label}"


def settings_keyboard(sub: Subscriber, sections: list[str]) -> InlineKeyboardMarkup:
    lang = sub.ui_language
    rows = [[InlineKeyboardButton(_mark(not sub.languages or code in sub.languages, code),
                                  callback_data=f"lang:{code}") for code in LANGUAGES]]
    rows.append([InlineKeyboardButton(_mark(sub.accept_translated, t(lang, "translated")),
                                      callback_data="translated")])
    buttons = [InlineKeyboardButton(_mark(not sub.sections or name in sub.sections,
                                          section_name(name, lang)),
                                    callback_data=f"sec:{i}") for i, name in enumerate(sections)]
    rows += [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(_mark(sub.mode == mode, t(lang, mode)),
                                      callback_data=f"mode:{mode}") for mode in MODES])
    rows.append([InlineKeyboardButton(_mark(sub.include_edits, t(lang, "edits")),
                                      callback_data="edits"),
                 InlineKeyboardButton(_mark(sub.include_removals, t(lang, "removals")),
                                      callback_data="removals")])
    rows += story_rows(sub)
    other = "ru" if lang == "en" else "en"
    rows.append([InlineKeyboardButton(f"🌐 {UI_NAMES[other]}", callback_data=f"ui:{other}"),
                 InlineKeyboardButton(t(lang, "done"), callback_data="done")])
    return InlineKeyboardMarkup(rows)


def story_rows(sub: Subscriber) -> list[list[InlineKeyboardButton]]:
    """The preferred version of a story (one message per story), and divergence alerts."""
    lang, preferred = sub.ui_language, reader_of(sub).preferred
    return [[InlineKeyboardButton(_mark(preferred == code, story_word(lang, "preferred",
                                                                     code=code)),
                                  callback_data=f"pref:{code}") for code in LANGUAGES],
            [InlineKeyboardButton(_mark(sub.notify_divergence, story_word(lang, "divergence")),
                                  callback_data="divergence")]]


def story_settings(sub: Subscriber) -> str:
    lang, reader = sub.ui_language, reader_of(sub)
    return story_word(lang, "story_settings", preferred=reader.preferred,
                      divergence=t(lang, "on" if sub.notify_divergence else "off"))


def settings_text(sub: Subscriber) -> str:
    lang = sub.ui_language

    def listed(values: list[str], empty: str) -> str:
        return escape(", ".join(values)) if values else t(lang, empty)

    names = [section_name(s, lang) for s in sub.sections]
    return t(lang, "settings", languages=listed(sub.languages, "all"),
             translated=t(lang, "on" if sub.accept_translated else "off"),
             sections=listed(names, "all"), keywords=listed(sub.keywords, "none"),
             mode=t(lang, sub.mode if sub.mode in MODES else "instant"),
             edits=t(lang, "on" if sub.include_edits else "off"),
             removals=t(lang, "on" if sub.include_removals else "off")
             ).replace("\n\n", f"\n{story_settings(sub)}\n\n", 1)
