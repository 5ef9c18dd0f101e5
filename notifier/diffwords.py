"""The words around a word diff, in English and Russian: field names and "N more changes"."""

from __future__ import annotations

FIELDS: dict[str, dict[str, str]] = {
    "en": {"url": "Address", "title": "Title", "published": "Date", "lead": "Lead",
           "body": "Text", "documents": "Documents"},
    "ru": {"url": "Адрес", "title": "Заголовок", "published": "Дата", "lead": "Анонс",
           "body": "Текст", "documents": "Документы"},
}


def field_label(name: str, language: str) -> str:
    """"Title" / "Заголовок"; a field without a translation keeps its own name."""
    return FIELDS.get(language, FIELDS["en"]).get(name, name)


def more_changes(count: int, language: str) -> str:
    """"…and 3 more changes" / "…и ещё 3 изменения"."""
    if language == "ru":
        return f"…и ещё {count} {_ru_plural(count, ('изменение', 'изменения', 'изменений'))}"
    return f"…and {count} more change{'' if count == 1 else 's'}"


def _ru_plural(count: int, forms: tuple[str, str, str]) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]
