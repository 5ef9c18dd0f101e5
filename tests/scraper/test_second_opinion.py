"""The second opinion on a body: trafilatura's reading of the same page, compared by words."""

from __future__ import annotations

import json
import urllib.request

from scrapy.http import HtmlResponse

from scraper.extract.detail import extract_detail
from scraper.extract.second_opinion import STRONG_DISAGREEMENT, second_opinion
from scraper.items import ListingEntry, NewsItem
from tests.replica import ReplicaServer, sample_world
from tests.scraper.site import PAGES, page
from tests.scraper.test_spider import spider

URL = "https://en.odkb-csto.org/news/news_odkb/the-csto-secretary-general-participated/"


def test_it_agrees_with_the_story_and_not_with_the_sidebar() -> None:
    html = page("bitrix/detail_seed.html")
    fields = extract_detail(html, URL)
    agreed = second_opinion(html, URL, fields.title, fields.body)
    assert agreed is not None and agreed.similarity > 0.8 and not agreed.strong_disagreement
    sidebar = ["On 3-5 June, the Republic of Belarus hosted the second staff talks.",
               "Back to the all news"]
    wrong = second_opinion(html, URL, fields.title, sidebar)
    assert wrong is not None and wrong.similarity < STRONG_DISAGREEMENT
    assert wrong.strong_disagreement


def test_furniture_it_keeps_is_not_a_disagreement() -> None:
    """trafilatura keeps the counter, the caption and the share widget of the portal markup
    (they sit inside its article): filtered out of its reading, they do not count."""
    world = sample_world(8, "en")
    with ReplicaServer(world, markup="portal") as server:
        for article in world.articles:
            url = server.url_for(article)
            with urllib.request.urlopen(url) as reply:
                html = reply.read().decode("utf-8")
            fields = extract_detail(html, url)
            opinion = second_opinion(html, url, fields.title, fields.body)
            assert opinion is not None and opinion.similarity > 0.6, article.slug


def test_the_spider_counts_second_opinions_when_asked() -> None:
    expected = json.loads((PAGES / "bitrix/detail_seed.expected.json").read_text("utf-8"))
    entry = ListingEntry(URL, None, expected["title"], "", 1, 0)
    response = HtmlResponse(URL, body=page("bitrix/detail_seed.html").encode(),
                            encoding="utf-8")
    for asked, counted in ((False, 0), (True, 1)):
        news = spider()
        news.second_opinion = asked
        items = list(news.parse_detail(response, entry))
        assert [type(i) for i in items] == [NewsItem]
        assert (news.outcome.second_opinions, news.outcome.disagreements) == (counted, 0)
