"""Page furniture of detail pages: what a news CMS puts inside the article and changes
between two requests although nobody edited the story.

A view counter that grows per request, a "read also" list that follows the newest
publications, a photo with a cache-busting URL and a caption stamped with the time and a
credit, a promotional line that rotates, a share/print/font-size widget and breadcrumbs.
Each markup renders them its own way; the texts are the same for all.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tests.replica.world import Article, section_path

PROMOS: dict[str, list[tuple[str, str]]] = {  # (text, link) of the rotating line
    "en": [("Subscribe to the CSTO channel on Telegram", "https://t.me/odkb_csto"),
           ("Follow the CSTO news on VK", "https://vk.com/odkb_csto"),
           ("Watch the CSTO videos on our YouTube channel", "https://youtube.com/@odkb"),
           ("Download the CSTO mobile app", "https://odkb-csto.org/app/")],
    "ru": [("Подписывайтесь на Telegram-канал ОДКБ", "https://t.me/odkb_csto"),
           ("Читайте новости ОДКБ ВКонтакте", "https://vk.com/odkb_csto"),
           ("Смотрите видео ОДКБ на нашем канале", "https://youtube.com/@odkb"),
           ("Скачайте мобильное приложение ОДКБ", "https://odkb-csto.org/app/")],
}
WORDS: dict[str, dict[str, str]] = {
    "en": {"views": "Views", "share": "Share:", "print": "Print", "font": "Font size",
           "related": "Read also", "credit": "Photo: CSTO Press Service",
           "caption": "Participants of the event", "home": "Home", "news": "News",
           "section": "CSTO news"},
    "ru": {"views": "Просмотров", "share": "Поделиться:", "print": "Версия для печати",
           "font": "Размер шрифта", "related": "Читайте также",
           "credit": "Фото: пресс-служба ОДКБ", "caption": "Участники мероприятия",
           "home": "Главная", "news": "Новости", "section": "Новости ОДКБ"},
}
NETWORKS = {"en": ["VK", "Telegram", "OK"], "ru": ["ВКонтакте", "Telegram", "Одноклассники"]}
_requests = itertools.count()  # rotates the promotional line across all pages
_views_lock = threading.Lock()
_views: dict[int, int] = {}


@dataclass(frozen=True)
class Furniture:
    """What one response of a detail page shows around the story."""

    language: str
    views: int
    related: Sequence[Article]
    image_url: str
    time: str  # HH:MM:SS of the request, in the caption
    promo: tuple[str, str]
    crumbs: Sequence[tuple[str, str]]  # (href, label), ending with the section

    @property
    def words(self) -> dict[str, str]:
        """Labels in the site's language."""
        return WORDS[self.language]

    @property
    def networks(self) -> list[str]:
        """Share buttons."""
        return NETWORKS[self.language]

    @property
    def caption(self) -> str:
        """The photo's caption, stamped with the time of the request."""
        return f"{self.words['caption']}, {self.time}"


def furniture_for(article: Article, latest: Sequence[Article], language: str) -> Furniture:
    """The furniture of one request of article's page (the counter counts this request)."""
    with _views_lock:
        _views[article.id] = _views.get(article.id, 1000 + 37 * article.id) + 1
        views = _views[article.id]
    stamp = time.time_ns()
    promos = PROMOS[language]
    words = WORDS[language]
    crumbs = [("/", words["home"]), ("/news/", words["news"]),
              (section_path(article.section), words["section"])]
    return Furniture(
        language=language, views=views,
        related=[a for a in latest if a.id != article.id][:3],
        image_url=f"/upload/iblock/3f2/photo_{article.id}.jpg?v={stamp}",
        time=datetime.now().strftime("%H:%M:%S"),
        promo=promos[next(_requests) % len(promos)], crumbs=crumbs,
    )
