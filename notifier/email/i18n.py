"""The words of the messages in English and Russian, and dates written the local way."""

from __future__ import annotations

from datetime import date

LANGUAGES = ("en", "ru")
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
}
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "digest_daily": "CSTO news digest", "digest_weekly": "CSTO weekly news digest",
        "new": "new", "updated": "updated", "removed": "removed",
        "new_heading": "New", "updated_heading": "Updated",
        "removed_heading": "Removed from the site",
        "instant_edited": "Updated", "instant_removed": "Removed from the site",
        "changed": "Changed", "read": "Read on the site", "documents": "Documents",
        "removed_note": "This page is no longer on the site.", "undated": "undated",
        "period": "Changes detected from {start} to {end}.",
        "why": "You receive this because {address} subscribed to CSTO news ({mode}).",
        "mode_instant": "each item as it appears", "mode_daily": "a daily digest",
        "mode_weekly": "a weekly digest", "unsubscribe": "Unsubscribe",
        "preferences": "Change what you receive",
        "unsubscribe_mail": "To unsubscribe, reply with the subject \"unsubscribe\".",
    },
    "ru": {
        "digest_daily": "Дайджест новостей ОДКБ",
        "digest_weekly": "Еженедельный дайджест новостей ОДКБ",
        "new": "новых", "updated": "изменённых", "removed": "удалённых",
        "new_heading": "Новое", "updated_heading": "Изменено",
        "removed_heading": "Удалено с сайта",
        "instant_edited": "Изменено", "instant_removed": "Удалено с сайта",
        "changed": "Изменено", "read": "Читать на сайте", "documents": "Документы",
        "removed_note": "Этой страницы больше нет на сайте.", "undated": "без даты",
        "period": "Изменения, обнаруженные с {start} по {end}.",
        "why": "Вы получаете это письмо, потому что адрес {address} подписан на новости ОДКБ"
               " ({mode}).",
        "mode_instant": "каждая новость сразу", "mode_daily": "ежедневный дайджест",
        "mode_weekly": "еженедельный дайджест", "unsubscribe": "Отписаться",
        "preferences": "Изменить настройки",
        "unsubscribe_mail": "Чтобы отписаться, ответьте на это письмо с темой «unsubscribe».",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def format_date(day: date | None, language: str) -> str:
    """27 Nov 2026 / 27 ноября 2026."""
    if day is None:
        return words(language)["undated"]
    months = _MONTHS.get(language, _MONTHS["en"])
    return f"{day.day} {months[day.month - 1]} {day.year}"


def counts_phrase(counts: dict[str, int], language: str) -> str:
    """`3 new, 1 updated` / `новых 3, изменённых 1` (zero counts left out)."""
    w = words(language)
    parts = [(w[k], n) for k, n in counts.items() if n]
    if language == "ru":
        return ", ".join(f"{label} {n}" for label, n in parts)
    return ", ".join(f"{n} {label}" for label, n in parts)
