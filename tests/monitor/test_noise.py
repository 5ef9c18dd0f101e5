"""Noise rules (pure): shapes, matching, cleaning items and stored items."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.noise import NoiseRule, NoiseRules, clean_item, clean_stored, clean_text, shape
from monitor.snapshot import StoredItem
from scraper.items import NewsItem


@pytest.mark.parametrize(("a", "b"), [
    ("Views: 1234", "Views: 98"),
    ("Views: 1 234", "Views: 1,301"),
    ("Просмотров: 1 234", "Просмотров: 7"),
    ("Updated 14:32", "Updated 9:05:59"),
    ("Photo: press service, 12.03.2025 14:32", "Photo: press service, 1.4.2026 08:00"),
    ("Photo taken on 12 March 2025", "Photo taken on 3 May 2026"),
    ("Фото от 12 марта 2025 г.", "Фото от 1 мая 2026 г."),
    ("img_3f9a2b7c1d.jpg", "img_0a1b2c3d4e.jpg"),
])
def test_one_shape_whatever_the_numbers(a: str, b: str) -> None:
    assert shape(a) is not None and shape(a) == shape(b)


def test_shapes_stay_narrow() -> None:
    assert shape("Views: 12") != shape("Comments: 12")
    assert shape("No number at all") is None
    assert shape("May the talks succeed, 3 sides agreed") == "May the talks succeed, # sides agreed"
    long = "On 5 June the CSTO Secretary General met the ambassador " * 4
    assert shape(long) is None  # prose is never a shape


def rules(*items: tuple[str, str]) -> NoiseRules:
    return NoiseRules(NoiseRule(kind, pattern, pattern, "test")  # type: ignore[arg-type]
                      for kind, pattern in items)


COUNTER = ("shape", "Views: #")
PROMO = ("text", "Subscribe to our channel")


def test_match_by_text_and_by_shape() -> None:
    known = rules(COUNTER, PROMO)
    assert known.match("Views: 77") is not None
    assert known.match("  Subscribe\u00a0to our   channel ") is not None
    assert known.match("Subscribe to our channel today") is None
    assert known.match("Views: 77 and counting, said the minister") is None
    assert NoiseRules().match("Views: 77") is None


def test_clean_text_drops_furniture_and_moves_a_furniture_lead() -> None:
    body = ["Views: 12", "On 5 June the Council met.", "It adopted a statement.",
            "Subscribe to our channel"]
    cleaned = clean_text("Views: 12", body, rules(COUNTER, PROMO))
    assert cleaned.body == ["On 5 June the Council met.", "It adopted a statement."]
    assert cleaned.lead == "On 5 June the Council met."
    assert len(cleaned.hits) == 3  # two paragraphs and the lead


def test_a_listing_lead_is_kept() -> None:
    cleaned = clean_text("The Council met.", ["The Council met.", "Views: 3"], rules(COUNTER))
    assert (cleaned.lead, cleaned.body) == ("The Council met.", ["The Council met."])


def test_a_subtitle_stays_out_of_the_lead() -> None:
    body = ["A subtitle", "Views: 4", "The first paragraph."]
    assert clean_text("Views: 4", body, rules(COUNTER)).lead == "The first paragraph."


def test_clean_item_and_stored_item() -> None:
    item = NewsItem(url="u", section="s", slug="x", language="en", published=date(2025, 1, 1),
                    title="T", lead="L", body=["L", "Views: 5", "M"])
    assert clean_item(item, rules(COUNTER)).body == ["L", "M"]
    assert clean_item(item, rules(PROMO)) is item
    stored = StoredItem(1, "u", date(2025, 1, 1), "T", "L", "L\n\nViews: 4\n\nM", True)
    assert clean_stored(stored, rules(COUNTER)).body == "L\n\nM"
    assert clean_stored(stored, rules()) is stored


def test_a_related_news_rule_never_strips_the_story_it_links_to() -> None:
    lead = "On 5 June the Council met in Minsk."
    related = NoiseRules([NoiseRule("text", lead, lead, "test", owner="https://x/council/")])
    own_page = clean_text("Views: 3", ["Views: 3", lead, "It adopted a statement."],
                          related.with_rules(rules(COUNTER)), "https://x/council/")
    assert own_page.body == [lead, "It adopted a statement."] and own_page.lead == lead
    other_page = clean_text("Another story.", ["Another story.", lead], related, "https://x/o/")
    assert other_page.body == ["Another story."]


def test_a_related_news_rule_follows_its_story_to_a_new_slug() -> None:
    """Issue 24: a re-slugged story's lead, learned as furniture owned by its old page,
    stays its lead on the new page (and on the old one, for the stored copy)."""
    lead = "On 5 June the Council met in Minsk."
    old, new = "https://x/council/", "https://x/council-1/"
    related = NoiseRules([NoiseRule("text", lead, lead, "test", owner=old)])
    body = [lead, "It adopted a statement."]
    assert clean_text(lead, body, related, new).body == ["It adopted a statement."]
    moved = related.with_moves({old: new}).with_rules(rules(COUNTER))
    for url in (old, new):
        assert clean_text(lead, body, moved, url) == clean_text(lead, body, NoiseRules(), url)
    assert clean_text(lead, body, moved, "https://x/o/").body == ["It adopted a statement."]
    assert related.with_moves({}) is related
