"""Sections of the site in words, and the channel's hashtag for each (pure).

The site names a section by a slug in its URLs (`/news/news_odkb/...`); a message names
it the way the site's own menu does, in the reader's language. A slug not listed here (the
site added a section) is shown humanised, never raw.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# slug -> language -> (name, hashtag without "#")
SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "news_odkb": {"en": ("CSTO news", "CSTO_news"), "ru": ("Новости ОДКБ", "новости_ОДКБ")},
    "smi": {"en": ("Media about the CSTO", "media_about_CSTO"),
            "ru": ("СМИ об ОДКБ", "СМИ_об_ОДКБ")},
    "speech": {"en": ("Speeches", "speeches"), "ru": ("Выступления", "выступления")},
    "statements": {"en": ("Statements", "statements"), "ru": ("Заявления", "заявления")},
}
_SEPARATORS = re.compile(r"[\s_\-.]+")
_NOT_TAG = re.compile(r"[^\w]+")


def section_name(slug: str, language: str) -> str:
    """"CSTO news" / "Новости ОДКБ"; an unknown slug humanised ("press_releases" ->
    "Press releases")."""
    known = SECTIONS.get(slug)
    if known:
        return (known.get(language) or known["en"])[0]
    words = _SEPARATORS.sub(" ", unquote(slug)).strip()
    return words[:1].upper() + words[1:] if words else "—"


def section_hashtag(slug: str, language: str) -> str:
    """A Telegram hashtag for the section: letters, digits and underscores, starting with a
    letter ("#CSTO_news", "#новости_ОДКБ"; an unknown slug: "#press_releases")."""
    known = SECTIONS.get(slug)
    tag = (known.get(language) or known["en"])[1] if known else unquote(slug)
    tag = _NOT_TAG.sub("_", tag).strip("_")
    if not tag or not tag[0].isalpha():
        tag = f"section_{tag}".rstrip("_")
    return "#" + tag
