"""Every channel renders a document_changed event as an edit, and names a new item's files."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.models import Item, Subscriber
from monitor.documents import describe
from monitor.revdiff import version_diff
from notifier.channels.console import render
from notifier.email.render import Footer, render_instant
from notifier.message import EventMessage
from notifier.subscriptions import wants
from notifier.telegram.render import event_text


def _message(kind: str) -> EventMessage:
    changes = version_diff("Annex 2.pdf", "It lists four states.", "It lists five states.")
    return EventMessage(
        event_id=1, kind=kind, title="The Council adopted a declaration",
        url="https://en.odkb-csto.org/news/news_odkb/declaration/", published=date(2025, 6, 5),
        section="news_odkb", language="en", summary="The Council met.",
        detected_at=datetime(2025, 6, 5, tzinfo=UTC), fields=("document",),
        changes=changes if kind == "document_changed" else version_diff("x", "", ""),
        documents=(describe("Annex 2.pdf", "application/pdf", 1_300_000, "ok"),
                   describe("Scan.pdf", "application/pdf", 20_000, "no_text")))


def test_document_changed_in_every_channel() -> None:
    message = _message("document_changed")
    console = render(message)
    assert console.startswith("[DOCUMENT CHANGED] The Council adopted a declaration")
    assert "Annex 2.pdf: ~ It lists [-four-]{+five+} states." in console
    telegram = event_text(message, "en")
    assert "<i>Annex 2.pdf:</i>" in telegram and "<s>four</s>" in telegram
    email = render_instant(message, "en", Footer("a@example.org", "instant", None))
    assert email.subject == "[CSTO] Updated: The Council adopted a declaration"
    assert "Annex 2.pdf" in email.text and "five" in email.html


def test_new_item_names_its_files() -> None:
    message = _message("new")
    line = "Annex 2.pdf (PDF, 1.2 MB); Scan.pdf (PDF, 20 KB, no text)"
    assert f"documents: {line}" in render(message)
    assert line in event_text(message, "en")
    email = render_instant(message, "en", Footer("a@example.org", "instant", None))
    assert f"Documents: {line}" in email.text and line in email.html


def test_subscribers_filters_apply() -> None:
    item = Item(language="en", section="news_odkb", title="Declaration", lead="", body="")
    everyone = Subscriber(languages=[], sections=[], keywords=[], include_edits=True)
    russian = Subscriber(languages=["ru"], sections=[], keywords=[], include_edits=True)
    no_edits = Subscriber(languages=[], sections=[], keywords=[], include_edits=False)
    assert wants(everyone, "document_changed", item)
    assert not wants(russian, "document_changed", item)
    assert not wants(no_edits, "document_changed", item)
