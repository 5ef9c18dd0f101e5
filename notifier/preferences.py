"""A reader's choices as the sign-up form and the preference page send them.

The same choices as `csto-monitor subscribers add` and the bot's /settings: the reader's
language (of the mail and of the news), instant/daily/weekly, sections, keywords, the
other language translated, the preferred version of a story, divergence alerts. Keywords
are stored as given (trimmed); matching them is notifier.subscriptions' business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from core.models import Subscriber, utcnow

LANGUAGES = ("en", "ru")
MODES = ("instant", "daily", "weekly")
MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 100
_SECTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_KEYWORD_SPLIT = re.compile(r"[,;]")


class ChoiceError(ValueError):
    """A form value that cannot be stored; `field` names it, the message says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True)
class Choices:
    """What a reader wants; the defaults are what a new reader gets without choosing."""

    language: str = "en"  # of the mail, and of the news unless `all_languages`
    all_languages: bool = False
    mode: str = "instant"
    sections: list[str] = field(default_factory=list)  # [] = every section
    keywords: list[str] = field(default_factory=list)  # [] = no keyword filter
    translated: bool = False
    prefer: str | None = None  # None: the mail's language
    divergence: bool = False

    def stored(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Choices:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @classmethod
    def of(cls, subscriber: Subscriber) -> Choices:
        """The choices a subscriber's row stands for (to fill the preference page)."""
        return cls(language=subscriber.ui_language, all_languages=not subscriber.languages,
                   mode=subscriber.mode, sections=list(subscriber.sections),
                   keywords=list(subscriber.keywords),
                   translated=subscriber.accept_translated,
                   prefer=subscriber.preferred_language,
                   divergence=subscriber.notify_divergence)

    def apply(self, subscriber: Subscriber) -> None:
        """Store every choice on the row (applies from the next message)."""
        subscriber.ui_language = self.language
        subscriber.languages = [] if self.all_languages else [self.language]
        subscriber.mode = self.mode
        subscriber.sections = list(self.sections)
        subscriber.keywords = list(self.keywords)
        subscriber.accept_translated = self.translated and not self.all_languages
        subscriber.preferred_language = self.prefer
        subscriber.notify_divergence = self.divergence
        subscriber.updated_at = utcnow()


def has_line_break(text: str) -> bool:
    """Control or line-separator characters: what a header injection needs."""
    return any(ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\x85" for c in text)


def _one(form: Mapping[str, str], name: str, allowed: Iterable[str], default: str) -> str:
    value = form.get(name, default) or default
    if value not in allowed:
        raise ChoiceError(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def parse_keywords(values: Iterable[str]) -> list[str]:
    """Keywords from repeatable fields, each of which may hold several (comma-separated)."""
    found: list[str] = []
    for value in values:
        if has_line_break(value):  # a header injection attempt; the form has one line
            raise ChoiceError("keyword", "a keyword may not contain line breaks or control "
                                         "characters")
        for part in _KEYWORD_SPLIT.split(value):
            word = " ".join(part.split())
            if len(word) > MAX_KEYWORD_LENGTH:
                raise ChoiceError("keyword", f"a keyword is longer than {MAX_KEYWORD_LENGTH} "
                                             "characters")
            if word and word not in found:
                found.append(word)
    if len(found) > MAX_KEYWORDS:
        raise ChoiceError("keyword", f"more than {MAX_KEYWORDS} keywords")
    return found


def parse_sections(values: Iterable[str], known: Iterable[str]) -> list[str]:
    chosen = sorted({v for v in values if v})
    for value in chosen:
        if not _SECTION.match(value):
            raise ChoiceError("section", f"{value[:40]!r} is not a section name")
    # Every known section ticked is no filter: sections the site adds later come too.
    return [] if set(known) and set(chosen) >= set(known) else chosen


def parse(form: Mapping[str, str], multi: Mapping[str, list[str]],
          known_sections: Iterable[str]) -> Choices:
    """The choices of a submitted form, or ChoiceError naming the bad field."""
    language = _one(form, "language", LANGUAGES, "en")
    prefer = form.get("prefer") or None
    if prefer is not None and prefer not in LANGUAGES:
        raise ChoiceError("prefer", f"{prefer!r} is not one of {', '.join(LANGUAGES)}")
    return Choices(
        language=language, all_languages=form.get("news") == "all",
        mode=_one(form, "mode", MODES, "instant"),
        sections=parse_sections(multi.get("section", []), known_sections),
        keywords=parse_keywords(multi.get("keyword", [])),
        translated=form.get("translated") == "on", prefer=prefer,
        divergence=form.get("divergence") == "on")
