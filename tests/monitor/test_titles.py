"""Title similarity for re-slugs: a source's template words are not evidence."""

from __future__ import annotations

import pytest

from monitor.titles import RESLUG_SIMILARITY, TitleRarity

AMBASSADOR = "The CSTO Secretary General {} met with the Ambassador of {} to the Russian Federation"
COUNCIL = "A meeting of the CSTO Council of {} was held in {}"
CONSULTATIONS = "Consultations of representatives of the CSTO member states on {}"
# A month of the CSTO's English news, as the site titles it (shapes from tests/replica/texts.py
# and /work/shared/seeds): a few formulas, each with a name, a place or a topic put in.
MONTH = [
    AMBASSADOR.format("I.N. Tasmagambetov", "the People's Republic of China"),
    AMBASSADOR.format("Imangali Tasmagambetov", "the Republic of Serbia"),
    AMBASSADOR.format("Imangali Tasmagambetov", "Mongolia"),
    AMBASSADOR.format("I.N. Tasmagambetov", "the Islamic Republic of Iran"),
    AMBASSADOR.format("Imangali Tasmagambetov", "the Republic of India"),
    COUNCIL.format("Defense Ministers", "Bishkek"),
    COUNCIL.format("Foreign Ministers", "Minsk"),
    COUNCIL.format("Secretaries of Security Councils", "Moscow"),
    CONSULTATIONS.format("countering international terrorism"),
    CONSULTATIONS.format("international information security"),
    CONSULTATIONS.format("the situation in Afghanistan"),
    "The active phase of the joint training “Interaction-2025” of the CSTO Collective Rapid "
    "Reaction Forces began in Astana",
    "Interview of the CSTO Secretary General Imangali Tasmagambetov to the newspaper "
    "\"Izvestia\"",
    "Statement of the CSTO Council of Foreign Ministers on biological security",
    "The CSTO peacekeeping forces completed the exercise “Indestructible Brotherhood-2025” "
    "in Dushanbe",
    "The CSTO Secretary General participated in the fourth meeting of chairmen of committees "
    "(commissions) of parliaments of the CSTO member states",
]
RARITY = TitleRarity(MONTH)

DIFFERENT = [
    (AMBASSADOR.format("I.N. Tasmagambetov", "Cuba"),
     AMBASSADOR.format("I.N. Tasmagambetov", "Serbia")),
    ("CSTO Secretary General met with the Ambassador of Cuba",
     "CSTO Secretary General met with the Ambassador of Serbia"),
    (COUNCIL.format("Defense Ministers", "Bishkek"), COUNCIL.format("Foreign Ministers", "Minsk")),
    (CONSULTATIONS.format("biological security"),
     CONSULTATIONS.format("countering international terrorism")),
    (CONSULTATIONS.format("international information security"),
     CONSULTATIONS.format("countering international terrorism")),
]
SAME_STORY = [
    # the slug fixed, the title untouched
    (AMBASSADOR.format("I.N. Tasmagambetov", "Cuba"),) * 2,
    # a typo fixed in the title as in the slug
    ("CSTO Secretary General met with the Ambasador of Cuba",
     "CSTO Secretary General met with the Ambassador of Cuba"),
    (COUNCIL.format("Defense Ministers", "Bishkek"),
     COUNCIL.format("Defence Ministers", "Bishkek")),
    # lightly edited: a word or a name added, case and punctuation changed
    ("CSTO Secretary General met with the Ambassador of Cuba",
     "CSTO Secretary General met with the Ambassador of the Republic of Cuba"),
    (AMBASSADOR.format("", "Cuba"), AMBASSADOR.format("Imangali Tasmagambetov", "Cuba")),
    (CONSULTATIONS.format("biological security"),
     "Consultations of representatives of CSTO member states on biological security issues"),
    (COUNCIL.format("Foreign Ministers", "Minsk"), COUNCIL.format("Foreign Ministers", "Minsk")
     .upper() + "."),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_formulaic_titles_of_different_stories_score_low(a: str, b: str) -> None:
    assert RARITY.similarity(a, b) < RESLUG_SIMILARITY
    assert RARITY.similarity(b, a) == pytest.approx(RARITY.similarity(a, b))


@pytest.mark.parametrize(("a", "b"), SAME_STORY)
def test_a_reslugged_storys_titles_score_high(a: str, b: str) -> None:
    assert RARITY.similarity(a, b) >= RESLUG_SIMILARITY


def test_the_compared_titles_do_not_count_as_the_source_s_own() -> None:
    """Cuba vs Serbia scores as low whether the two are stored already or not."""
    a, b = DIFFERENT[0]
    with_pair = TitleRarity([*MONTH, a, b])
    assert with_pair.similarity(a, b) == pytest.approx(RARITY.similarity(a, b))


def test_template_words_are_what_makes_a_plain_measure_fail() -> None:
    """Without the source's titles every word weighs alike: the formula looks like evidence
    (which is why the diff builds its rarity from the titles around the day)."""
    a, b = DIFFERENT[1]
    assert TitleRarity().similarity(a, b) > 0.75 > 0.3 > RARITY.similarity(a, b)


def test_bounds() -> None:
    assert RARITY.similarity("", "") == 1.0
    assert RARITY.similarity("CSTO", "") == 0.0
    assert RARITY.similarity("«CSTO» news", "\"csto\" NEWS") == 1.0
