"""Telegram HTML rendering, splitting, translations and configuration (no network, no DB)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_settings
from monitor.revdiff import NOTIFY_LIMIT
from monitor.worddiff import item_diff
from notifier.message import EventMessage
from notifier.telegram.html import split, to_plain
from notifier.telegram.i18n import TEXTS, language_of
from notifier.telegram.render import event_text
from tests.telegram.botapi import check_html


def message(**fields: object) -> EventMessage:
    base: dict[str, object] = {
        "event_id": 1, "kind": "new", "title": "T", "url": "https://example.org/a?b=1&c=2",
        "published": date(2025, 7, 1), "section": "news", "language": "en",
        "summary": "S.", "detected_at": datetime(2025, 7, 1, tzinfo=UTC)}
    return EventMessage(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize("title", ["<b>x</b>", "a & b", "<script>alert(1)</script>",
                                   "line\nbreak", '"quotes" & <tags', "&amp; already"])
def test_hostile_text_is_valid_telegram_html(title: str) -> None:
    for kind in ("new", "edited", "removed"):
        text = event_text(message(title=title, kind=kind, fields=("title",),
                                  previous={"title": title}), "en")
        check_html(text)
        assert title in to_plain(text)


def test_long_messages_split_at_paragraphs() -> None:
    paragraphs = [f"<b>{n}</b> " + "word &amp; " * 60 for n in range(30)]
    parts = split("\n\n".join(paragraphs))
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)
    for part in parts:
        check_html(part)
    huge = split("&amp;" * 2000)
    assert all(len(p) <= 4096 and p.endswith(";") for p in huge)


def edited(before: dict[str, str], after: dict[str, str], **fields: object) -> EventMessage:
    return message(kind="edited", fields=tuple(after), previous=before,
                   changes=item_diff(before, after, limit=NOTIFY_LIMIT), **fields)


def test_an_edit_shows_deleted_and_inserted_words() -> None:
    text = event_text(edited({"title": "Talks in Minsk", "body": "One. Two is here. Three."},
                             {"title": "Talks in Minsk end", "body": "One. Two is there."}),
                      "en")
    check_html(text)
    assert ("<i>Title:</i>\n• Talks in Minsk <b>end</b>\n\n<i>Text:</i>\n"
            "• Two is <s>here</s> <b>there</b>.\n− <s>Three.</s>") in text


def test_diff_text_is_escaped_and_russian_labels() -> None:
    text = event_text(edited({"lead": "A <b> & c."}, {"lead": "A <i> & c."}), "ru")
    check_html(text)
    assert "<i>Анонс:</i>\n• A &lt;<s>b</s> <b>i</b>&gt; &amp; c." in text
    assert "<b>i</b>" in text and "<i>" not in to_plain(text)


def test_more_changes_than_the_cap_are_counted() -> None:
    before = {"body": "\n\n".join(f"Paragraph {n} is old." for n in range(15))}
    after = {"body": before["body"].replace("old", "new")}
    text = event_text(edited(before, after), "en")
    assert text.count("• ") == NOTIFY_LIMIT and "…and 5 more changes" in text
    assert "…и ещё 5 изменений" in event_text(edited(before, after), "ru")


def test_both_languages_have_every_text() -> None:
    assert set(TEXTS["en"]) == set(TEXTS["ru"])
    assert [language_of(c) for c in ("ru", "ru-RU", "en-GB", "de", None)] == [
        "ru", "ru", "en", "en", "en"]


@pytest.mark.parametrize(("telegram", "path"), [
    ({"token": "not a token"}, "telegram.token"),
    ({"channel": "csto news"}, "telegram.channel"),
    ({"timezone": "Mars/Olympus"}, "telegram.timezone"),
    ({"daily_at": "25:00"}, "telegram.daily_at"),
    ({"burst_threshold": 0}, "telegram.burst_threshold"),
])
def test_wrong_telegram_settings_name_the_key(tmp_path: Path, telegram: dict[str, object],
                                              path: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources: [{name: a, url: 'https://example.org/', language: en}]\n"
                      f"telegram: {telegram!r}\n".replace("'", '"'))
    with pytest.raises(ConfigError, match=path):
        load_settings(config, env={})
