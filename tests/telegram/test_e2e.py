"""The real `csto-monitor run` daemon with `telegram.api_url` pointing at the double."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.e2e.harness import Daemon
from tests.replica import ReplicaServer, World, make_article
from tests.telegram.botapi import TOKEN, BotApiDouble, check_html
from tests.test_daemon import daemon_config

HOSTILE = 'CSTO <b>drill</b> & <script>x</script> "quoted"'


def test_items_reach_channel_and_subscribers_once(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        botapi: BotApiDouble) -> None:
    config = daemon_config(tmp_path, replica, database_url, telegram={
        "token": TOKEN, "api_url": botapi.url, "channel": "@csto_news", "admins": [900]})
    daemon = Daemon(config, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        daemon.wait_for_log("telegram bot @csto_test_bot is listening")
        botapi.command(1, "/start")
        botapi.command(1, "/subscribe")
        botapi.command(2, "/subscribe", language="ru")
        botapi.wait_for(lambda: len(botapi.sent(1)) == 2 and len(botapi.sent(2)) == 1)
        article = world.publish(make_article(HOSTILE, published=date(2025, 7, 30)))
        botapi.wait_for(lambda: botapi.sent(2) and len(botapi.sent(1)) == 3
                        and botapi.sent("@csto_news"), 30, "the new item")
        world.edit(article.id, title="CSTO drill ends")
        botapi.wait_for(lambda: len(botapi.sent("@csto_news")) == 2, 30, "the edit")
        world.remove(article.id)
        botapi.wait_for(lambda: len(botapi.sent("@csto_news")) == 3, 30, "the removal")
        botapi.wait_for(lambda: len(botapi.sent(2)) == 4, 30, "the subscriber's copies")
    finally:
        assert daemon.stop() == 0
    post, edit, removal = botapi.sent("@csto_news")
    for call in [post, edit, removal, *botapi.sent(1), *botapi.sent(2)]:
        check_html(call.text)
    assert "CSTO &lt;b&gt;drill&lt;/b&gt; &amp; &lt;script&gt;" in post.text
    assert edit.params["reply_parameters"]["message_id"] == post.message_id
    assert removal.params["reply_parameters"]["message_id"] == post.message_id
    assert "Updated:" in edit.text and "removed from the site" in removal.text
    news_1, news_2 = botapi.sent(1)[2:], botapi.sent(2)[1:]  # after the bot's answers
    assert len(news_1) == len(news_2) == 3  # new, edit, removal: each exactly once
    # The channel post ends with its section's hashtag; a subscriber's copy does not.
    assert post.text == news_1[0].text + "\n\n#CSTO_news" and "Updated:" in news_1[1].text
    assert "Изменено:" in botapi.sent(2)[2].text and "удалена" in botapi.sent(2)[3].text
    assert TOKEN not in daemon.err and TOKEN.split(":")[1] not in daemon.err
    assert "Traceback" not in daemon.err
