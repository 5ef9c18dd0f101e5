"""notifier.story: what an event means for one reader (pure)."""

from __future__ import annotations

import pytest

from notifier.story import (
    EDIT,
    SEND,
    SKIP,
    Pending,
    Reader,
    Story,
    action,
    digest_listing,
    lead_language,
)

BOTH = Reader(frozenset(), "en")
EN_OR_RU = Reader(frozenset({"en"}), "en", accepts_other=True)
RU_ONLY = Reader(frozenset({"ru"}), "ru")


@pytest.mark.parametrize(("reader", "kind", "story", "expected"), [
    # A story's first version: sent to whoever reads or accepts its language.
    (BOTH, "new", Story("ru"), SEND),
    (EN_OR_RU, "new", Story("ru"), SEND),
    (RU_ONLY, "new", Story("en"), SKIP),
    # The second version, paired: an update of what the reader has, else a message.
    (BOTH, "new", Story("en", "ru", told=True), EDIT),
    (EN_OR_RU, "new", Story("en", "ru", told=True), EDIT),
    (EN_OR_RU, "new", Story("ru", "en", told=True), EDIT),
    (BOTH, "new", Story("en", "ru", told=False), SEND),
    # Readers of one language: as always, paired or not.
    (RU_ONLY, "new", Story("ru", "en", told=True), SEND),
    (RU_ONLY, "edited", Story("ru", "en"), SEND),
    # Edits of a paired story: of the version the reader follows only.
    (BOTH, "edited", Story("en", "ru"), SEND),
    (BOTH, "removed", Story("ru", "en"), SKIP),
    (EN_OR_RU, "document_changed", Story("ru", "en"), SKIP),
    (EN_OR_RU, "edited", Story("ru"), SEND),  # unpaired: the only version there is
    # A divergence concerns both versions (only readers who asked are offered one).
    (RU_ONLY, "diverged", Story("en", "ru"), SEND),
])
def test_action(reader: Reader, kind: str, story: Story, expected: str) -> None:
    assert action(reader, kind, story) == expected


def test_the_preferred_version_leads_when_it_exists() -> None:
    assert lead_language(BOTH, "ru", "en") == "en"
    assert lead_language(Reader(frozenset(), "ru"), "en", "ru") == "ru"
    assert lead_language(Reader(frozenset({"ru"}), "de", accepts_other=True), "ru",
                         "en") == "ru"


EN_ONLY = Reader(frozenset({"en"}), "en")
RU_FIRST_BOTH = Reader(frozenset(), "ru")


def new(event_id: int, language: str, pair: int | None = 7, told: bool = False) -> Pending:
    other = {"en": "ru", "ru": "en"}[language] if pair is not None else None
    return Pending(event_id, "new", Story(language, other, told), pair)


def test_a_digest_lists_a_story_whose_versions_both_arrived_once_in_the_preferred() -> None:
    both_new = [new(1, "ru"), new(2, "en")]
    assert digest_listing(BOTH, both_new) == [2]
    assert digest_listing(RU_FIRST_BOTH, both_new) == [1]
    assert digest_listing(EN_OR_RU, both_new) == [2]
    # A reader who prefers neither (a German interface): the first detected leads.
    assert digest_listing(Reader(frozenset(), "de"), [new(4, "en"), new(3, "ru")]) == [3]


def test_a_single_language_readers_digest_is_unchanged() -> None:
    both_new = [new(1, "ru"), new(2, "en"), Pending(3, "edited", Story("en", "ru"), 7)]
    assert digest_listing(EN_ONLY, [p for p in both_new if p.story.language == "en"]) == [2, 3]
    assert digest_listing(RU_ONLY, [new(1, "ru", told=True)]) == [1]


def test_a_version_whose_other_was_told_earlier_adds_nothing() -> None:
    assert digest_listing(BOTH, [new(5, "en", told=True)]) == []
    assert digest_listing(EN_OR_RU, [new(5, "en", told=True), new(6, "ru", pair=None)]) == [6]
    assert digest_listing(BOTH, [new(5, "en", told=False)]) == [5]  # first told now


def test_a_digest_lists_the_edits_of_the_preferred_version_only() -> None:
    pending = [Pending(1, "edited", Story("ru", "en"), 7),
               Pending(2, "edited", Story("en", "ru"), 7),
               Pending(3, "removed", Story("ru", "en"), 7),
               Pending(4, "document_changed", Story("en", "ru"), 7),
               Pending(5, "edited", Story("ru"))]  # unpaired: its only version
    assert digest_listing(BOTH, pending) == [2, 4, 5]
    assert digest_listing(RU_FIRST_BOTH, pending) == [1, 3, 5]


def test_stories_are_told_apart_by_pair() -> None:
    pending = [new(1, "ru", pair=7), new(2, "en", pair=8), new(3, "en", pair=7),
               new(4, "ru", pair=None)]
    assert digest_listing(RU_FIRST_BOTH, pending) == [1, 2, 4]
