"""Announcing documents through real polls (SQLite and PostgreSQL): a new item's message
names its files; a file replaced under the same link is exactly one `document_changed`
event with the changed sentences, delivered like the other kinds."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import ChangeEvent, Delivery, Document
from monitor.poll import PollOutcome, SourcePoller
from notifier import outbox
from notifier.channels.console import ConsoleNotifier, render
from notifier.message import EventMessage
from scraper.runner import SourceCrawler
from tests.documents import files
from tests.replica import ReplicaServer, World, make_article, sample_world

PDF_TEXT = ["The Council adopted the declaration on collective security.",
            "The annex lists four peacekeeping contingents."]


def _poll(run: Any, poller: SourcePoller, settings: Settings) -> PollOutcome:
    outcome: PollOutcome = run(poller.poll(settings.sources[0]))
    assert outcome.clean, outcome.line()
    return outcome


def _messages(sessions: sessionmaker[Session], kind: str) -> list[str]:
    with sessions() as session:
        events = session.scalars(select(ChangeEvent).where(ChangeEvent.kind == kind)
                                 .order_by(ChangeEvent.id))
        return [render(EventMessage.from_event(event)) for event in events]


def test_new_item_names_its_files_and_a_replaced_file_is_one_event(
        db_sessions: sessionmaker[Session], source_crawler: SourceCrawler, run: Any) -> None:
    world: World = sample_world(5, "en")
    with ReplicaServer(world, markup="bitrix", language="en").start() as server:
        settings = Settings.model_validate({
            "sources": [{"name": "csto", "url": server.listing_url, "language": "en",
                         "pages": 1, "recheck_latest": 10}],
            "crawl": {"recheck_interval": "0s", "download_delay": "0s",
                      "autothrottle": False},
        })
        announce = outbox.announcer({"console": ConsoleNotifier()}, settings.notify_on)
        poller = SourcePoller(settings, db_sessions, source_crawler, announce)
        _poll(run, poller, settings)  # the baseline

        world.put_file("Declaration.pdf", files.pdf(PDF_TEXT))
        world.put_file("Agreement.docx", files.docx(["The parties agree."]))
        world.publish(make_article(
            "The Collective Security Council adopted a declaration", published=date.today(),
            attachments=[("Declaration.pdf", "Declaration.pdf"),
                         ("Agreement.docx", "Download document Agreement.docx")]))
        assert _poll(run, poller, settings).new == 1
        [new] = _messages(db_sessions, "new")
        assert re.search(r"documents: Declaration\.pdf \(PDF, \d+ KB\); "
                         r"Agreement\.docx \(DOCX, \d+ KB\)\n", new), new

        replaced = [PDF_TEXT[0], "The annex lists five peacekeeping contingents."]
        world.put_file("Declaration.pdf", files.pdf(replaced))
        outcome = _poll(run, poller, settings)
        assert (outcome.new, outcome.edited, outcome.documents_changed) == (0, 0, 1)
        [changed] = _messages(db_sessions, "document_changed")
        assert changed.startswith(
            "[DOCUMENT CHANGED] The Collective Security Council adopted a declaration")
        assert "Declaration.pdf: ~ The annex lists [-four-]{+five+} peacekeeping contingents." \
            in changed
        with db_sessions() as session:
            deliveries = session.scalars(select(Delivery.channel).join(ChangeEvent).where(
                ChangeEvent.kind == "document_changed"))
            assert list(deliveries) == ["console"]

        assert _poll(run, poller, settings).documents_changed == 0
        assert len(_messages(db_sessions, "document_changed")) == 1


def test_a_file_attached_later_is_part_of_the_items_edit(
        db_sessions: sessionmaker[Session], source_crawler: SourceCrawler, run: Any) -> None:
    world: World = sample_world(4, "en")
    article = world.articles_in("en")[0]
    world.edit(article.id, attachments=[])
    with ReplicaServer(world, markup="bitrix", language="en").start() as server:
        settings = Settings.model_validate({
            "sources": [{"name": "csto", "url": server.listing_url, "language": "en",
                         "pages": 1, "recheck_latest": 10}],
            "crawl": {"recheck_interval": "0s", "download_delay": "0s",
                      "autothrottle": False},
        })
        announce = outbox.announcer({"console": ConsoleNotifier()}, settings.notify_on)
        poller = SourcePoller(settings, db_sessions, source_crawler, announce)
        _poll(run, poller, settings)
        world.put_file("Annex 3.docx", files.docx(["Annex three."]))
        world.edit(article.id, attachments=[("Annex 3.docx", "Annex 3.docx")])
        outcome = _poll(run, poller, settings)
        assert (outcome.edited, outcome.documents_changed) == (1, 0)
        [edited] = _messages(db_sessions, "edited")
        assert "changed: documents" in edited and "documents: + Annex 3.docx" in edited


def test_a_file_linked_from_a_second_item_is_read_once(
        db_sessions: sessionmaker[Session], source_crawler: SourceCrawler, run: Any) -> None:
    world: World = sample_world(4, "en")
    first = world.articles_in("en")[0]
    world.put_file("Shared.pdf", files.pdf(PDF_TEXT))
    world.edit(first.id, attachments=[("Shared.pdf", "Shared.pdf")])
    with ReplicaServer(world, markup="bitrix", language="en").start() as server:
        settings = Settings.model_validate({
            "sources": [{"name": "csto", "url": server.listing_url, "language": "en",
                         "pages": 1, "recheck_latest": 10}],
            "crawl": {"recheck_interval": "0s", "download_delay": "0s",
                      "autothrottle": False},
        })
        announce = outbox.announcer({"console": ConsoleNotifier()}, settings.notify_on)
        poller = SourcePoller(settings, db_sessions, source_crawler, announce)
        _poll(run, poller, settings)
        world.publish(make_article("A second item links the same file", published=date.today(),
                                   attachments=[("Shared.pdf", "Shared.pdf")]))
        server.clear_log()
        assert _poll(run, poller, settings).new == 1
        assert {r.status for r in server.requests if r.path.endswith("/Shared.pdf")} == {304}
        [new] = _messages(db_sessions, "new")
        assert re.search(r"documents: Shared\.pdf \(PDF, \d+ KB\)\n", new), new
        with db_sessions() as session:
            rows = session.execute(select(Document.status, Document.sha256, Document.text_chars))
            [(status, sha, chars)] = set(rows)
            assert status == "ok" and len(sha) == 64 and chars > 50
