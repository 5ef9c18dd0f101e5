"""What every markup shares: escaping, labels, menus, item links and pagination."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from tests.replica.world import Article

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "site": "Collective Security Treaty Organization", "news": "News",
        "latest": "Latest news", "back": "Go back", "section": "Back to the section",
        "all": "Back to the all news", "first": "Start", "prev": "Previous", "next": "Next",
        "last": "End", "empty": "There is no news in this section yet.",
        "not_found": "Page not found", "error": "Service unavailable", "today": "Today",
        "other": "Русский", "copyright": "© 2002–2025 CSTO. All rights reserved.",
    },
    "ru": {
        "site": "Организация Договора о коллективной безопасности", "news": "Новости",
        "latest": "Последние новости", "back": "Вернуться назад", "section": "Назад в раздел",
        "all": "Назад ко всем новостям", "first": "Начало", "prev": "Пред.", "next": "След.",
        "last": "Конец", "empty": "В этом разделе пока нет новостей.",
        "not_found": "Страница не найдена", "error": "Сервис недоступен", "today": "Сегодня",
        "other": "English", "copyright": "© 2002–2025 ОДКБ. Все права защищены.",
    },
}
MENU: dict[str, list[tuple[str, str]]] = {
    "en": [("/", "Home"), ("/about/", "About the CSTO"), ("/news/", "News"),
           ("/news/news_odkb/", "CSTO news"), ("/news/smi/", "Media about the CSTO"),
           ("/news/speech/", "Speeches"), ("/documents/statements/", "Statements"),
           ("/documents/", "Documents"), ("/contacts/", "Contacts")],
    "ru": [("/", "Главная"), ("/about/", "Об ОДКБ"), ("/news/", "Новости"),
           ("/news/news_odkb/", "Новости ОДКБ"), ("/news/smi/", "СМИ об ОДКБ"),
           ("/news/speech/", "Выступления"), ("/documents/statements/", "Заявления"),
           ("/documents/", "Документы"), ("/contacts/", "Контакты")],
}
FOOTER = [("https://t.me/odkb_csto", "Telegram"), ("mailto:odkb@gov.ru", "odkb@gov.ru"),
          ("/sitemap/", "Site map"), ("/search/?q=", "Search")]
OTHER_SITE = {"en": "https://odkb-csto.org/", "ru": "https://en.odkb-csto.org/"}
STATIC_PAGES: dict[str, dict[str, tuple[str, list[str]]]] = {
    "/about/": {"en": ("About the CSTO", ["The Collective Security Treaty Organization is an "
                                          "intergovernmental military alliance."]),
                "ru": ("Об ОДКБ", ["Организация Договора о коллективной безопасности — "
                                   "межгосударственная организация."])},
    "/contacts/": {"en": ("Contacts", ["Moscow, Sivtsev Vrazhek lane, 30/2, 119019."]),
                   "ru": ("Контакты", ["Москва, Сивцев Вражек пер., 30/2, 119019."])},
    "/documents/": {"en": ("Documents", ["Statements, treaties and decisions."]),
                    "ru": ("Документы", ["Заявления, договоры и решения."])},
}


def esc(text: str) -> str:
    """HTML-escape text; non-breaking spaces become &nbsp; as the site's editor writes them."""
    return html.escape(text, quote=True).replace("\xa0", "&nbsp;")


def esc_br(text: str) -> str:
    """Escape text, rendering its line breaks as <br>."""
    return "<br>".join(esc(line) for line in text.split("\n"))


def ddmmyyyy(day: date) -> str:
    """The site's date format: dd.mm.yyyy."""
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Context:
    """Per-request facts a renderer needs: site language, own base URL, today's date."""

    language: str
    base_url: str
    today: date

    @property
    def labels(self) -> dict[str, str]:
        """UI texts of the site's language."""
        return LABELS[self.language]

    @property
    def menu(self) -> list[tuple[str, str]]:
        """(href, label) of the main menu."""
        return MENU[self.language]

    @property
    def other_site(self) -> str:
        """The other language's site (the language switch)."""
        return OTHER_SITE[self.language]

    def href(self, article: Article) -> str:
        """The item link as the listing writes it, with the article's link quirks."""
        path = article.path.rstrip("/") if article.link_no_trailing_slash else article.path
        prefix = self.base_url if article.link_absolute_http else ""
        return f"{prefix}{path}{article.link_query}{article.link_fragment}"


@dataclass(frozen=True)
class Pager:
    """Bitrix pagination of a listing: page 1 has no parameter, others ?PAGEN_1=N."""

    page: int
    pages: int
    base_path: str

    def href(self, number: int) -> str:
        """The link to a page of this listing."""
        return self.base_path if number == 1 else f"{self.base_path}?PAGEN_1={number}"


def lead_or_title(article: Article) -> str:
    """What the sidebar shows for an item: its lead, else its title."""
    return article.lead or article.title
