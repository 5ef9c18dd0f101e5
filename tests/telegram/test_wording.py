"""Messages read like news, as the Bot API double receives them: the section in words in
the reader's language, the title linked (no bare address), one hashtag per section in
channel posts, and every message within Telegram's 4,096 characters."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from notifier.message import EventMessage
from notifier.telegram.html import MAX_LENGTH, to_plain
from notifier.telegram.render import event_text
from tests.telegram.botapi import BotApiDouble, check_html
from tests.telegram.conftest import History, make_notifier
from tests.telegram.test_delivery import deliver


def test_a_russian_channel_names_the_section_and_tags_it(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions, channel_language="ru")
    history.subscriber("201", ui_language="en")
    history.subscriber("202", ui_language="ru")
    new = history.new(history.run(), "Media on the summit", section="smi", lead="One. Two.")
    deliver(db_sessions, notifier, [new])
    (post,) = botapi.sent("@csto_news")
    check_html(post.text)
    assert post.params["parse_mode"] == "HTML"
    assert post.text == (f'<b><a href="{new.url}">Media on the summit</a></b>\n'
                         "<i>2025-07-01 · СМИ об ОДКБ</i>\n\nOne. Two.\n\n#СМИ_об_ОДКБ")
    (english,), (russian,) = botapi.sent("201"), botapi.sent("202")
    assert "<i>2025-07-01 · Media about the CSTO</i>" in english.text
    assert "<i>2025-07-01 · СМИ об ОДКБ</i>" in russian.text
    assert "#" not in english.text + russian.text  # hashtags are for the channel
    for text in (post.text, english.text, russian.text):
        assert "smi" not in to_plain(text).replace(new.url, "")  # never the raw slug
        assert to_plain(text).count("https://") == 0  # the address is the title's link


def test_edits_and_removals_name_the_section_and_carry_its_hashtag(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions)
    new = history.new(history.run(), "Address by the Secretary General", section="speech")
    deliver(db_sessions, notifier, [new])
    edit = history.edit(history.run(), new, "Address by the Secretary General in Minsk")
    removal = history.remove(history.run(), new)
    deliver(db_sessions, notifier, [edit, removal])
    _, reply, gone = botapi.sent("@csto_news")
    assert reply.text.startswith(f'<b>Updated:</b> <a href="{new.url}">Address by the '
                                 "Secretary General in Minsk</a>\n<i>2025-07-01 · Speeches</i>")
    assert reply.text.endswith("\n\n#speeches")
    assert gone.text == (f'<b><a href="{new.url}">Address by the Secretary General in '
                         "Minsk</a></b>\n<i>2025-07-01 · Speeches</i>\n\nThis page was "
                         "removed from the site.\n\n#speeches")


def test_a_burst_post_names_each_section_and_tags_each_once(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions, burst_threshold=2)
    run = history.run()
    events = [history.new(run, f"Story {n}", section=section)
              for n, section in enumerate(["news_odkb", "statements", "news_odkb",
                                           "press_releases"])]
    deliver(db_sessions, notifier, events)
    (post,) = botapi.sent("@csto_news")
    check_html(post.text)
    assert f'• [new] <a href="{events[1].url}">Story 1</a> · 2025-07-01 · Statements' \
        in post.text
    assert "· Press releases" in post.text  # an unknown section, humanised
    assert post.text.endswith("\n\n#CSTO_news #statements #press_releases")


def test_a_post_with_a_long_title_and_many_files_fits_in_one_message() -> None:
    message = EventMessage(
        event_id=1, kind="new", title="Declaration & annexes " * 40,
        url="https://en.odkb-csto.org/news/news_odkb/" + "x" * 100 + "/",
        published=date(2025, 7, 1), section="news_odkb", language="en",
        summary="A sentence. " * 50, detected_at=datetime(2025, 7, 1, tzinfo=UTC),
        documents=tuple(f"Annex {n} <draft>.pdf (PDF, 1.2 MB)" for n in range(200)))
    text = event_text(message, "en", channel=True)
    check_html(text)
    assert len(text) <= MAX_LENGTH and text.endswith("…\n\n#CSTO_news")
    assert "Annex 0 &lt;draft&gt;.pdf" in text
