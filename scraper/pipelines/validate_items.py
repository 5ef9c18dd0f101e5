"""Drop detail items that lack what every stored item must have: a title and a date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from scraper.items import NewsItem

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class ValidateItemsPipeline:
    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, NewsItem):
            return item
        missing = [
            name
            for name, value in (("title", item.title.strip()), ("date", item.published))
            if not value
        ]
        if missing:
            if self.stats is not None:
                self.stats.inc_value("validate_items/dropped")
            raise DropItem(f"{item.url}: no {' and no '.join(missing)} found")
        return item
