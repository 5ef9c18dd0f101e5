"""The words of one-story-two-languages messages, in the reader's language (both channels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "version_en": "English version", "version_ru": "Russian version",
        "lang_en": "English", "lang_ru": "Russian",
        "diverged": "Versions differ",
        "diverged_edited": ("The {changed} version was edited ({fields}) {hours} h ago; "
                            "the {other} version was not."),
        "diverged_removed": ("The {changed} version was removed from the site {hours} h "
                             "ago; the {other} version was not."),
        "kind_diverged": "versions differ",
        "preferred": "Preferred: {code}",
        "divergence": "Divergence alerts",
        "story_settings": ("A story once, preferably in: {preferred} · Divergence alerts: "
                           "{divergence}"),
    },
    "ru": {
        "version_en": "Версия на английском", "version_ru": "Версия на русском",
        "lang_en": "английская", "lang_ru": "русская",
        "diverged": "Версии расходятся",
        "diverged_edited": ("{changed} версия изменена ({fields}) {hours} ч назад; "
                            "{other} — нет."),
        "diverged_removed": ("{changed} версия удалена с сайта {hours} ч назад; "
                             "{other} — нет."),
        "kind_diverged": "версии расходятся",
        "preferred": "Предпочтительно: {code}",
        "divergence": "О расхождениях версий",
        "story_settings": ("Новость один раз, лучше на: {preferred} · О расхождениях "
                           "версий: {divergence}"),
    },
}


def w(language: str, key: str, **values: object) -> str:
    text = WORDS.get(language, WORDS["en"]).get(key) or WORDS["en"][key]
    return text.format(**values) if values else text


def divergence_line(language: str, changed: str, other: str, cause: str, fields: str,
                    hours: int) -> str:
    """"The Russian version was edited (title) 26 h ago; the English version was not."."""
    text = w(language, f"diverged_{'removed' if cause == 'removed' else 'edited'}",
             changed=w(language, f"lang_{changed}"), other=w(language, f"lang_{other}"),
             fields=fields, hours=hours)
    return text[0].upper() + text[1:]


def describe_divergence(language: str, item_language: str, previous: Mapping[str, Any],
                        fields: Sequence[str]) -> str:
    """The line of a `diverged` event (its `previous` holds the cause; see
    monitor.divergence)."""
    return divergence_line(language, item_language, str(previous.get("other_language", "")),
                           str(previous.get("cause", "edited")), ", ".join(fields),
                           int(previous.get("hours", 0)))
