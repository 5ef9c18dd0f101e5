"""The item page (/items/<id>) shows what each revision changed, word by word."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.models import CrawlRun, Source
from tests.web.helpers import T0, LiveServer, add_item, edit_item, fetch

BODY = ("The CSTO Secretary General arrived in Minsk on Monday.\n\n"
        "The talks covered the fourth stage of the joint exercise & <drills>.\n\n"
        "Questions of border security were also discussed.")
ONE_WORD = BODY.replace("fourth", "fifth")
REWRITTEN = "\n\n".join([*ONE_WORD.split("\n\n")[1:], "A joint statement was signed."])


def edited_item(sessions: sessionmaker[Session]) -> int:
    with sessions() as session, session.begin():
        source = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en")
        session.add(source)
        session.flush()
        run = CrawlRun(source_id=source.id, started_at=T0, outcome="changed")
        session.add(run)
        item = add_item(session, source, 7, "Talks in Minsk", date(2026, 2, 1), BODY)
        edit_item(session, item, run, 2, T0 + timedelta(hours=1), body=ONE_WORD)
        edit_item(session, item, run, 3, T0 + timedelta(hours=2), body=REWRITTEN)
        return item.id


def revision(page: str, number: int) -> str:
    start = page.index(f'id="revision-{number}"')
    end = page.find("<section", start)
    return page[start:end if end != -1 else None]


def test_each_revision_shows_its_changed_words(server: LiveServer,
                                               sessions: sessionmaker[Session]) -> None:
    page = fetch(f"{server.url}/items/{edited_item(sessions)}").text
    assert "· CSTO news · en" in page  # the section in words, not its slug
    one_word = revision(page, 2)
    assert re.search(r'<div class="chg"><span class="sign">~</span><span class="where">¶2'
                     r"</span> The talks covered the <del>fourth</del><ins>fifth</ins> stage "
                     r"of the joint exercise &amp; &lt;drills&gt;.</div>", one_word)
    assert one_word.count("<del>") == one_word.count("<ins>") == 1
    assert "Monday" not in one_word  # unchanged paragraphs are not repeated

    paragraphs = revision(page, 3)
    assert ('<div class="del"><span class="sign">−</span><span class="where">¶1</span> '
            "<del>The CSTO Secretary General arrived in Minsk on Monday.</del></div>"
            in paragraphs)
    assert ('<div class="ins"><span class="sign">+</span><span class="where">¶3</span> '
            "<ins>A joint statement was signed.</ins></div>" in paragraphs)
    assert "fifth" not in paragraphs and 'class="chg"' not in paragraphs
