"""Channel posts and subscriber delivery through the outbox, against the Bot API double."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, Delivery, Subscriber, TelegramPost
from notifier import outbox
from notifier.channels.telegram import TelegramNotifier
from notifier.dispatch import DispatchResult, deliver_due
from tests.telegram.botapi import CANT_PARSE, TOO_MANY, BotApiDouble, check_html
from tests.telegram.conftest import History, make_notifier

KINDS = ("new", "edited", "removed")


def deliver(sessions: sessionmaker[Session], notifier: TelegramNotifier,
            events: Sequence[ChangeEvent]) -> DispatchResult:
    """Queue the events as the poller does, then drain the outbox like the daemon."""
    with sessions() as session, session.begin():
        merged = [session.get_one(ChangeEvent, e.id) for e in events]
        outbox.enqueue(session, merged, {"telegram": notifier}, KINDS)

    async def drain() -> DispatchResult:
        try:
            return await deliver_due(sessions, {"telegram": notifier})
        finally:
            await notifier.bot.shutdown()

    return asyncio.run(drain())


def test_new_edit_removal_post_and_reply_in_the_channel(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions)
    run = history.run()
    new = history.new(run, "Summit in Minsk", lead="One. Two. Three. Four.")
    assert deliver(db_sessions, notifier, [new]).sent == 1
    post = botapi.sent("@csto_news")[0]
    assert post.text.startswith(f'<b><a href="{new.url}">Summit in Minsk</a></b>\n'
                                "<i>2025-07-01 · News</i>")
    assert "One. Two. Three." in post.text and "Four" not in post.text
    assert post.text.endswith("\n\n#news") and post.params["parse_mode"] == "HTML"
    assert post.text.count(new.url) == 1  # the title's link, no bare address
    original = post.message_id

    edit = history.edit(history.run(), new, "Summit in Minsk ends")
    removal = history.remove(history.run(), new)
    assert deliver(db_sessions, notifier, [edit, removal]).sent == 2
    reply, gone = botapi.sent("@csto_news")[1:]
    assert reply.params["reply_parameters"]["message_id"] == original
    assert "Updated:" in reply.text and "<i>Title:</i>\n• Summit in Minsk <b>ends</b>" \
        in reply.text
    assert gone.params["reply_parameters"]["message_id"] == original
    assert "removed from the site" in gone.text
    with db_sessions() as session:
        assert session.scalar(select(func.count(TelegramPost.id))) == 3


BODY = ("The CSTO Secretary General arrived in Minsk on Monday.\n\n"
        "The talks covered the fourth stage of the joint exercise.\n\n"
        "Questions of border security were also discussed.")


def test_an_edit_reply_shows_exactly_the_changed_words(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions)
    new = history.new(history.run(), "Talks in Minsk", body=BODY)
    deliver(db_sessions, notifier, [new])
    edited = BODY.replace("fourth", "fifth")
    deliver(db_sessions, notifier, [history.edit(history.run(), new, body=edited)])
    reply = botapi.sent("@csto_news")[1].text
    check_html(reply)
    assert "<i>Text:</i>\n• The talks covered the <s>fourth</s> <b>fifth</b> stage of the " \
           "joint exercise." in reply
    assert reply.count("<s>") == 1 and reply.count("<b>") == 2  # "Updated:" is the other

    paragraphs = edited.split("\n\n")
    rewritten = "\n\n".join([*paragraphs[1:], "A joint statement was signed after the talks."])
    deliver(db_sessions, notifier, [history.edit(history.run(), new, body=rewritten)])
    reply = botapi.sent("@csto_news")[2].text
    check_html(reply)
    assert "− <s>The CSTO Secretary General arrived in Minsk on Monday.</s>" in reply
    assert "+ <b>A joint statement was signed after the talks.</b>" in reply
    assert "fifth" not in reply  # unchanged paragraphs are not repeated


def test_a_quote_and_space_only_edit_has_no_diff_lines(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    """Events recorded before quotes were ignored still send a reply, without a diff."""
    notifier = make_notifier(botapi, db_sessions)
    new = history.new(history.run(), "Talks in «Minsk»", body=BODY)
    deliver(db_sessions, notifier, [new])
    retyped = BODY.replace(" ", "\u00a0", 3)
    deliver(db_sessions, notifier, [history.edit(history.run(), new, "Talks in “Minsk”",
                                                 body=retyped)])
    reply = botapi.sent("@csto_news")[1].text
    assert "Updated:" in reply and "<s>" not in reply and "Text:" not in reply


def test_a_huge_edit_fits_one_message_and_counts_the_rest(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions)
    old = "\n\n".join(f"Paragraph {n} " + "about the joint exercise " * 40 + "ends here."
                      for n in range(30))
    new = history.new(history.run(), "Exercise", body=old)
    deliver(db_sessions, notifier, [new])
    # Forty changes in each of thirty sentences: far more than one message holds.
    edited = old.replace("ends here", "ends there").replace("joint", "<joint> & co")
    deliver(db_sessions, notifier, [history.edit(history.run(), new, body=edited)])
    reply = botapi.sent("@csto_news")[1]
    check_html(reply.text)
    assert len(reply.text) <= 4096 and reply.text.count("• ") >= 1
    shown = reply.text.count("• ")
    assert f"…and {30 - shown} more changes" in reply.text
    assert "&lt;joint&gt; &amp; co</b> exercise" in reply.text and "<joint>" not in reply.text


def test_hostile_titles_arrive_as_literal_text(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    hostile = 'A <b>bold</b> & <script>alert(1)</script>\nline "q"'
    notifier = make_notifier(botapi, db_sessions)
    deliver(db_sessions, notifier, [history.new(history.run(), hostile, lead="x < y & z.")])
    text = botapi.sent("@csto_news")[0].text
    check_html(text)
    assert "&lt;script&gt;" in text and "&lt;b&gt;bold&lt;/b&gt; &amp;" in text
    assert "<script>" not in text and "x &lt; y &amp; z." in text


def test_a_burst_is_one_summary_post(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    notifier = make_notifier(botapi, db_sessions, burst_threshold=3)
    run = history.run()
    events = [history.new(run, f"Item {n}") for n in range(8)]
    deliver(db_sessions, notifier, events)
    posts = botapi.sent("@csto_news")
    assert len(posts) == 1 and "8 changes" in posts[0].text
    assert all(f"Item {n}" in posts[0].text for n in range(8))
    edit = history.edit(history.run(), events[5], "Item 5 renamed")
    deliver(db_sessions, notifier, [edit])
    assert botapi.sent("@csto_news")[1].params["reply_parameters"]["message_id"] == \
        posts[0].message_id


def test_subscribers_get_their_language_and_preferences(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    history.subscriber("101", ui_language="ru")
    history.subscriber("102", sections=["other"])
    history.subscriber("103", include_edits=False)
    history.subscriber("104", mode="daily")
    notifier = make_notifier(botapi, db_sessions)
    new = history.new(history.run(), "Exercise")
    deliver(db_sessions, notifier, [new])
    deliver(db_sessions, notifier, [history.edit(history.run(), new, "Exercise ends")])
    assert [c.chat for c in botapi.sent()].count("101") == 2
    assert "Изменено:" in botapi.sent("101")[1].text
    assert not botapi.sent("102") and not botapi.sent("104")
    assert len(botapi.sent("103")) == 1


def test_blocked_and_missing_chats_are_deactivated_others_still_receive(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    for address in ("201", "202", "203"):
        history.subscriber(address)
    botapi.blocked.add("201")
    botapi.missing.add("202")
    result = deliver(db_sessions, make_notifier(botapi, db_sessions),
                     [history.new(history.run(), "News")])
    assert result.sent == 2 and result.failed == 2  # the channel and 203; 201 and 202 fail
    assert len(botapi.sent("203")) == 1
    with db_sessions() as session:
        statuses = {a: s for a, s in session.execute(select(Subscriber.address,
                                                               Subscriber.status))}
    assert statuses == {"201": "blocked", "202": "blocked", "203": "active"}


def test_unparseable_html_is_resent_as_plain_text(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    botapi.failures.append(("sendMessage", CANT_PARSE))
    deliver(db_sessions, make_notifier(botapi, db_sessions),
            [history.new(history.run(), "Tom & Jerry")])
    sent = botapi.sent("@csto_news")
    assert len(sent) == 1 and "parse_mode" not in sent[0].params
    assert sent[0].text.startswith("Tom & Jerry\n")


def test_a_429_waits_and_retries_once(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    botapi.failures.append(("sendMessage", TOO_MANY))
    started = time.monotonic()
    result = deliver(db_sessions, make_notifier(botapi, db_sessions),
                     [history.new(history.run(), "News")])
    assert result.sent == 1 and len(botapi.sent("@csto_news")) == 1
    assert time.monotonic() - started >= 1.0


def test_a_timeout_after_sending_is_not_resent(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    botapi.delay = 2.0
    result = deliver(db_sessions, make_notifier(botapi, db_sessions, read_timeout="0.5s"),
                     [history.new(history.run(), "News")])
    assert result.failed == 1
    with db_sessions() as session:
        row = session.scalars(select(Delivery)).one()
    assert row.status == "failed" and "not resent" in (row.last_error or "")


def test_fan_out_to_1000_under_429s(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    with db_sessions() as session, session.begin():
        session.add_all([Subscriber(channel="telegram", address=str(10_000 + n),
                                    status="active") for n in range(1000)])
    botapi.rate_limit_every = 150
    botapi.blocked.add("10500")
    started = time.monotonic()
    result = deliver(db_sessions, make_notifier(botapi, db_sessions),
                     [history.new(history.run(), "Big news")])
    elapsed = time.monotonic() - started
    print(f"fan-out: 1001 messages in {elapsed:.1f} s")
    accepted = [c.chat for c in botapi.sent()]
    assert len(accepted) == len(set(accepted)) == 1000  # 999 subscribers + the channel
    assert "10500" not in accepted and result.sent == 1000 and result.failed == 1
    assert botapi.limit_violations() == []
    assert len(botapi.sent(ok_only=False)) - len(accepted) >= 6  # 429s and the 403 happened
