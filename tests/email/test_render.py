"""Rendering and composing: both parts, headers, escaping, no header injection."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from monitor.worddiff import ItemDiff, item_diff
from notifier.digest import DigestMessage, Period
from notifier.email.compose import Envelope, compose, message_id
from notifier.email.render import Footer, clean_line, render_digest, render_instant
from notifier.message import EventMessage
from notifier.tokens import verify

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
SECRET = "a-long-test-secret-0123456789"
ENVELOPE = Envelope("CSTO news <news@example.org>", "desk@example.org",
                    "https://csto.example.org/", SECRET)
HOSTILE = "Summit\r\nBcc: x@y <script>alert(1)</script> & co"


def event(n: int, kind: str = "new", title: str | None = None,
          published: date | None = None) -> EventMessage:
    title = title or f"Story {n}"
    before = {"title": f"Old story {n}"} if kind == "edited" else {}
    return EventMessage(
        event_id=n, kind=kind, title=title,
        url=f"https://en.odkb-csto.org/news/news_odkb/story-{n}/",
        published=published or date(2026, 11, 20 + n % 5), section="news_odkb",
        language="en", summary=f"Summary of story {n} <b>bold</b> & more.",
        detected_at=NOW - timedelta(hours=n), fields=tuple(before), previous=before,
        changes=item_diff(before, {"title": title}) if before else ItemDiff())


def parse(msg: EmailMessage) -> EmailMessage:
    return message_from_bytes(msg.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def build(rendered, key: str = "1:email:ann@example.org") -> EmailMessage:  # type: ignore[no-untyped-def]
    url = ENVELOPE.unsubscribe_url("email", "ann@example.org")
    return parse(compose(rendered, ENVELOPE, "ann@example.org", key=key, date=NOW,
                         unsubscribe_url=url))


def footer(mode: str = "instant") -> Footer:
    return Footer("ann@example.org", mode, ENVELOPE.unsubscribe_url("email", "ann@example.org"))


def test_instant_is_multipart_alternative_with_list_headers() -> None:
    msg = build(render_instant(event(1), "en", footer()))
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert msg["Subject"] == "[CSTO] Story 1"
    assert "https://en.odkb-csto.org/news/news_odkb/story-1/" in text
    assert 'href="https://en.odkb-csto.org/news/news_odkb/story-1/"' in html
    assert "Summary of story 1 &lt;b&gt;bold&lt;/b&gt; &amp; more." in html
    unsubscribe = msg["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://csto.example.org/unsubscribe?token=")
    assert "<mailto:news@example.org?subject=unsubscribe>" in unsubscribe
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Reply-To"] == "desk@example.org" and msg["Date"]
    token = unsubscribe.split("token=", 1)[1].split(">", 1)[0]
    assert verify(SECRET, token) == ("email", "ann@example.org")
    assert verify("another-secret-0123456789", token) is None


def test_hostile_title_adds_no_header_and_is_escaped() -> None:
    msg = build(render_instant(event(1, title=HOSTILE), "en", footer()))
    assert msg["Bcc"] is None and "Bcc" not in msg
    assert msg["Subject"] == "[CSTO] Summit Bcc: x@y <script>alert(1)</script> & co"
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    raw = msg.as_bytes()
    assert b"\nBcc:" not in raw and b"\r\nBcc:" not in raw


def test_message_id_follows_the_idempotency_key() -> None:
    first = build(render_instant(event(1), "en", footer()), key="7:email:ann@example.org")
    again = build(render_instant(event(1), "en", footer()), key="7:email:ann@example.org")
    other = build(render_instant(event(1), "en", footer()), key="8:email:ann@example.org")
    assert first["Message-ID"] == again["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@example.org>")
    assert message_id("k", "a <b@c.org>") == message_id("k", "a <b@c.org>")


def digest(language: str = "en") -> DigestMessage:
    period = Period("daily", "daily:2026-11-27", NOW - timedelta(days=1), NOW)
    events = [event(1, published=date(2026, 11, 25)), event(2, published=date(2026, 11, 26)),
              event(3, published=date(2026, 11, 26)), event(4, "edited"),
              event(5, "removed")]
    return DigestMessage(period, language, events)


def test_digest_groups_by_date_newest_first_with_updated_and_removed() -> None:
    msg = build(render_digest(digest(), footer("daily"), "Europe/Moscow"))
    assert msg["Subject"] == "CSTO news digest: 3 new, 1 updated, 1 removed — 27 Nov 2026"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.index("26 Nov 2026") < text.index("25 Nov 2026")
    assert text.index("Story 2") < text.index("Story 1")
    assert text.index("== New ==") < text.index("== Updated ==") < text.index(
        "== Removed from the site ==")
    assert "Title:\n    ~ [-Old story-]{+Story+} 4" in text
    assert "Story 5" in text.split("Removed from the site")[1]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.index("Story 2") < html.index("Story 1") < html.index("Story 4")
    assert re.search(r'<del style="[^"]*line-through[^"]*">Old story</del><ins style="[^"]*">'
                     r"Story</ins> 4", html)
    assert "Removed from the site" in html and 'href="https://csto.example.org/unsub' in html


def test_digest_in_russian() -> None:
    msg = build(render_digest(digest("ru"), footer("daily"), "Europe/Moscow"))
    assert msg["Subject"] == ("Дайджест новостей ОДКБ: новых 3, изменённых 1, удалённых 1"
                              " — 27 ноября 2026")
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "26 ноября 2026" in text and "Удалено с сайта" in text and "Отписаться" in text


def test_clean_line_removes_every_line_break_and_control() -> None:
    assert clean_line("a\r\nb\x00c\u2028d\u0085e\tf") == "a b c d e f"


def test_without_public_url_only_mailto() -> None:
    envelope = Envelope("CSTO <news@example.org>")
    rendered = render_instant(event(1), "en", Footer("ann@example.org", "instant", None))
    msg = parse(compose(rendered, envelope, "ann@example.org", key="k", date=NOW,
                        unsubscribe_url=None))
    assert msg["List-Unsubscribe"] == "<mailto:news@example.org?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None
    assert "reply with the subject" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
