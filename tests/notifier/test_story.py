"""notifier.story: what an event means for one reader (pure)."""

from __future__ import annotations

import pytest

from notifier.story import EDIT, SEND, SKIP, Reader, Story, action, lead_language

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
