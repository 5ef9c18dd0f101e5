"""Confirming an edit from two reads (pure): only what both reads change is kept."""

from __future__ import annotations

from datetime import date

from monitor.confirm import confirmed_item, merge_paragraphs, needs_confirmation
from monitor.snapshot import EditedChange, NewChange, StoredItem
from scraper.items import NewsItem

P1, P2, P3 = "The Council met in Minsk.", "It adopted a statement.", "The next meeting is in May."
EDITED = "It adopted a joint statement."


def test_a_stable_edit_is_kept() -> None:
    assert merge_paragraphs([P1, P2], [P1, EDITED], [P1, EDITED]) == [P1, EDITED]


def test_a_flapping_edit_is_not() -> None:
    assert merge_paragraphs([P1, P2], [P1, EDITED], [P1, P2]) == [P1, P2]
    assert merge_paragraphs([P1, P2], [P1, P2], [P1, EDITED]) == [P1, P2]


def test_a_block_that_differs_on_every_read_keeps_its_stored_text() -> None:
    stored = [P1, P2, "Promo A"]
    assert merge_paragraphs(stored, [P1, P2, "Promo B"], [P1, P2, "Promo C"]) == stored


def test_an_edit_next_to_an_unstable_block_is_confirmed_alone() -> None:
    merged = merge_paragraphs([P1, P2, "Promo A"], [P1, EDITED, "Promo B"],
                              [P1, EDITED, "Promo C"])
    assert merged == [P1, EDITED, "Promo A"]


def test_added_and_removed_paragraphs() -> None:
    assert merge_paragraphs([P1, P2], [P1, P2, P3], [P1, P2, P3]) == [P1, P2, P3]
    assert merge_paragraphs([P1, P2, P3], [P1, P3], [P1, P3]) == [P1, P3]
    assert merge_paragraphs([P1, P2, P3], [P1, P3, "X"], [P1, P3, "Y"]) == [P1, P3]
    assert merge_paragraphs([P1], [P1, P3, "X"], [P1, P3, "Y"]) == [P1, P3]


def test_fields_need_both_reads() -> None:
    stored = StoredItem(1, "u", date(2025, 1, 1), "Title", "Lead", f"{P1}\n\n{P2}", True)

    def read(title: str, day: date, body: list[str]) -> NewsItem:
        return NewsItem(url="u", section="s", slug="u", language="en", published=day,
                        title=title, lead="Lead", body=body)

    first = read("New title", date(2025, 1, 2), [P1, EDITED])
    same = confirmed_item(stored, first, read("New  title", date(2025, 1, 2), [P1, EDITED]))
    assert (same.title, same.published, same.body) == ("New title", date(2025, 1, 2),
                                                        [P1, EDITED])
    flap = confirmed_item(stored, first, read("Title", date(2025, 1, 1), [P1, P2]))
    assert (flap.title, flap.published, flap.body) == ("Title", date(2025, 1, 1), [P1, P2])


def test_which_changes_are_confirmed() -> None:
    stored = StoredItem(1, "u", None, "T", "", "", True)
    item = NewsItem(url="u", section="s", slug="u", language="en", published=None, title="T",
                    lead="")
    assert needs_confirmation(EditedChange(stored, item, ("body",)))
    assert needs_confirmation(EditedChange(stored, item, ("url", "title")))
    assert not needs_confirmation(EditedChange(stored, item, ("status",)))
    assert not needs_confirmation(NewChange(item))
