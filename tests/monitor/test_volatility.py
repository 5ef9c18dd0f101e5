"""Learning furniture from what one poll saw (pure): what needs evidence, what never counts."""

from __future__ import annotations

from datetime import date

from monitor.noise import NoiseRules
from monitor.snapshot import StoredItem
from monitor.volatility import Corpus, page_corpus
from scraper.items import ListingEntry, NewsItem

BASE = "https://en.odkb-csto.org/news/news_odkb/"
SIGNATURE = "The CSTO Press Secretary"


def url(n: int) -> str:
    return f"{BASE}story-{n}/"


WORDS = ["Minsk", "Astana", "Bishkek", "Dushanbe", "Yerevan", "Moscow", "Samarkand",
         "Almaty", "Grodno", "Osh", "Khujand", "Gyumri"]


def story(n: int) -> list[str]:
    """Two paragraphs of a story of its own (prose is not templated across stories)."""
    place, other = WORDS[n % len(WORDS)], WORDS[(n * 5 + 1) % len(WORDS)]
    return [f"The Council met in {place} on {n} March to discuss the situation near {other}.",
            f"Delegations from {other} and {place} agreed on {n + 2} points of a statement."]


def item(n: int, body: list[str], title: str | None = None) -> NewsItem:
    return NewsItem(url=url(n), section="news_odkb", slug=f"story-{n}", language="en",
                    published=date(2025, 3, n), title=title or f"Story {n}",
                    lead=body[0] if body else "", body=body)


def stored(n: int, body: list[str]) -> StoredItem:
    return StoredItem(n, url(n), date(2025, 3, n), f"Story {n}", body[0], "\n\n".join(body),
                      True)


def entry(n: int) -> ListingEntry:
    return ListingEntry(url(n), date(2025, 3, n), f"Story {n}", story(n)[0], 1, 10 - n)


def learn(items: list[NewsItem], before: dict[str, StoredItem] | None = None,
          listing: list[ListingEntry] | None = None) -> dict[str, str]:
    corpus = page_corpus(before or {}, items, listing or [], NoiseRules())
    return {rule.pattern: rule.kind for rule in corpus.rules()}


def test_a_counter_on_many_pages_is_a_shape() -> None:
    pages = [item(n, [*story(n), f"Views: {n * 17}"]) for n in range(1, 6)]
    assert learn(pages) == {"Views: #": "shape"}


def test_a_shape_needs_three_pages_two_texts_and_one_place() -> None:
    assert learn([item(n, [*story(n), f"Views: {n}"]) for n in (1, 2)]) == {}
    assert learn([item(n, [*story(n), "Views: 10"]) for n in range(1, 6)]) == {}
    scattered = [item(n, [*story(n)[: n % 3], f"Views: {n}", *story(n)[n % 3:], *story(n + 9)])
                 for n in range(1, 4)]
    assert learn(scattered) == {}


def test_boilerplate_and_quotes_are_never_learned() -> None:
    quote = "We stand together, said the Secretary General."
    pages = [item(n, [*story(n), SIGNATURE]) for n in range(1, 6)]
    pages += [item(6, [*story(6), quote]), item(7, [quote, *story(7)])]
    assert learn(pages) == {}


def test_a_rotating_promotion_is_learned_when_it_moves_on_several_pages() -> None:
    promos = ["Subscribe to our Telegram channel", "Follow us on VK", "Read the CSTO journal"]
    before = {url(n): stored(n, [*story(n), promos[n % 3]]) for n in range(1, 10)}
    now = [item(n, [*story(n), promos[(n + 1) % 3]]) for n in range(1, 10)]
    assert learn(now, before) == {promo: "text" for promo in promos}


def test_one_page_losing_a_repeated_paragraph_is_an_edit() -> None:
    before = {url(n): stored(n, [*story(n), SIGNATURE]) for n in range(1, 6)}
    now = [item(n, [*story(n), SIGNATURE]) for n in range(2, 6)] + [item(1, story(1))]
    assert learn(now, before) == {}


def test_related_news_are_titles_of_other_items() -> None:
    related = ["Story 8", "Story 9"]
    pages = [item(n, [*story(n), *related]) for n in range(1, 6)]
    assert learn(pages, listing=[entry(n) for n in range(1, 10)]) == {
        "Story 8": "text", "Story 9": "text"}
    assert learn(pages) == {}  # without the listing, a repeated static text is not enough


def test_a_block_that_ticks_between_two_reads_of_one_page() -> None:
    corpus = Corpus(NoiseRules())
    corpus.add_rereads(url(1), [*story(1), "Views: 10"], [*story(1), "Views: 11"],
                       [*story(1), "Views: 12"])
    assert [(r.kind, r.pattern) for r in corpus.rules()] == [("shape", "Views: #")]


def test_a_page_flapping_between_two_versions_teaches_nothing() -> None:
    corpus = Corpus(NoiseRules())
    old, new = "Attended by 120 delegates.", "Attended by 150 delegates."
    corpus.add_rereads(url(1), [*story(1), old], [*story(1), new], [*story(1), old])
    assert corpus.rules() == []
