"""Sections in words and as hashtags (pure)."""

from __future__ import annotations

import re

import pytest

from notifier.sections import section_hashtag, section_name

TAG = re.compile(r"^#[^\W\d_]\w*$")  # what Telegram makes a hashtag of: a letter, then \w


@pytest.mark.parametrize(("slug", "en", "ru", "tag_en", "tag_ru"), [
    ("news_odkb", "CSTO news", "Новости ОДКБ", "#CSTO_news", "#новости_ОДКБ"),
    ("smi", "Media about the CSTO", "СМИ об ОДКБ", "#media_about_CSTO", "#СМИ_об_ОДКБ"),
    ("speech", "Speeches", "Выступления", "#speeches", "#выступления"),
    ("statements", "Statements", "Заявления", "#statements", "#заявления"),
])
def test_known_sections_read_as_the_site_names_them(slug: str, en: str, ru: str, tag_en: str,
                                                    tag_ru: str) -> None:
    assert (section_name(slug, "en"), section_name(slug, "ru")) == (en, ru)
    assert (section_hashtag(slug, "en"), section_hashtag(slug, "ru")) == (tag_en, tag_ru)


@pytest.mark.parametrize(("slug", "name", "tag"), [
    ("press_releases", "Press releases", "#press_releases"),
    ("anons-events", "Anons events", "#anons_events"),
    ("2024_archive", "2024 archive", "#section_2024_archive"),
    ("a%20b.c", "A b c", "#a_b_c"),
    ("___", "—", "#section"),
])
def test_an_unknown_section_is_humanised_never_raw(slug: str, name: str, tag: str) -> None:
    assert section_name(slug, "en") == section_name(slug, "ru") == name
    assert section_hashtag(slug, "en") == tag and TAG.match(tag)


def test_every_hashtag_is_one_telegram_hashtag() -> None:
    for slug in ("news_odkb", "smi", "speech", "statements", "x-y", "9", "новости"):
        for language in ("en", "ru"):
            assert TAG.match(section_hashtag(slug, language)), (slug, language)
