"""A replica whose detail pages carry furniture the extractor cannot tell from the story.

It stands for a markup nobody here has seen: the furniture is rendered exactly like body
paragraphs (the article's own markup draws it), so only learning and confirmation can
keep it out of the news. Per detail request:

- a view counter that grows on every request ("This page was opened 1 234 times");
- a "related news" list: the sidebar texts of the three newest other items (it follows
  each publication);
- a photo caption stamped with the time of the request;
- a promotional line that rotates on every request.

It adds to the furniture the replica's markups draw their own way (tests/replica/furniture.py),
which the extractor drops by structure. Nothing in tests/replica changes:
`FurnishedReplica.site()` wraps the markup module.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.replica import Article, ReplicaServer, World
from tests.replica.common import Context, lead_or_title
from tests.replica.routes import Site

# Worded so that the extractor's text rules for counters, credits and calls to action do
# not know them (they stand for an unseen site's furniture), and unlike the replica's own
# furniture (tests/replica/furniture.py), which the extractor drops.
PROMOS = {
    "en": ["The week of the CSTO, every Friday in your inbox",
           "The CSTO Bulletin: the new issue is out",
           "A podcast of the CSTO, new episodes weekly"],
    "ru": ["Неделя ОДКБ — каждую пятницу в вашей почте", "Вестник ОДКБ: вышел новый номер",
           "Подкаст ОДКБ: новые выпуски каждую неделю"],
}
VIEWS = {"en": "This page was opened {} times", "ru": "Эту страницу открыли {} раз"}
CAPTION = {"en": "Secretariat archive, {}", "ru": "Архив Секретариата, {}"}
FURNITURE_WORDS = ("This page was opened", "Эту страницу открыли", "Secretariat archive",
                   "Архив Секретариата", *PROMOS["en"], *PROMOS["ru"])


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


class Furniture:
    """The furniture of each detail request (thread-safe: the replica serves in threads)."""

    def __init__(self, top: bool = True) -> None:
        self.top = top  # the counter above the text (it becomes the lead of some items)
        self._lock = threading.Lock()
        self._views: dict[int, int] = {}
        self._promo = itertools.count()

    def around(self, ctx: Context, world: World, article: Article) -> tuple[list[str], list[str]]:
        """(paragraphs above the text, paragraphs below it) for one request."""
        with self._lock:
            views = self._views[article.id] = self._views.get(article.id, 1000 + article.id) + 1
            promo = next(self._promo)
        lang = ctx.language
        counter = VIEWS[lang].format(_thousands(views))
        stamp = datetime.now(UTC).strftime("%d.%m.%Y %H:%M:%S")
        others = [a for a in world.articles_in(lang) if a.id != article.id][:3]
        below = [CAPTION[lang].format(stamp), *map(lead_or_title, others),
                 PROMOS[lang][promo % len(PROMOS[lang])]]
        return ([counter], below) if self.top else ([], [counter, *below])


class FurnishedReplica(ReplicaServer):
    """A ReplicaServer whose detail pages carry `Furniture`, and can serve a page's next
    requests from other versions of its article (a page that flaps while being edited)."""

    def __init__(self, world: World, markup: str = "bitrix", furniture: Furniture | None = None,
                 **kwargs: Any) -> None:
        super().__init__(world, markup=markup, **kwargs)
        self.furniture = furniture or Furniture()
        self._next: dict[int, list[Article]] = {}
        self._next_lock = threading.Lock()

    def serve_next(self, article_id: int, *versions: Article) -> None:
        """Answer the article's next requests with these versions, one each."""
        with self._next_lock:
            self._next.setdefault(article_id, []).extend(versions)

    def _version(self, article: Article) -> Article:
        with self._next_lock:
            queued = self._next.get(article.id)
            return queued.pop(0) if queued else article

    def site(self) -> Site:
        base = super().site()
        markup = types.ModuleType(f"furnished_{base.markup.__name__}")
        markup.listing = base.markup.listing  # type: ignore[attr-defined]
        markup.page = base.markup.page  # type: ignore[attr-defined]
        markup.detail = self._detail(base)  # type: ignore[attr-defined]
        return Site(base.world, markup, base.ctx)

    def _detail(self, base: Site) -> Callable[..., str]:
        def detail(ctx: Context, article: Article, *rest: Any) -> str:
            article = self._version(article)
            above, below = self.furniture.around(ctx, base.world, article)
            furnished = dataclasses.replace(article, body=[*above, *article.body, *below])
            return str(base.markup.detail(ctx, furnished, *rest))
        return detail
