"""Attached files through real polls (the monitor's SourcePoller, the real spider, the
replica) on SQLite and PostgreSQL: read, typed, hostile ones ending in a status, versions
kept, an unchanged file costing one request answered 304."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import Document, DocumentVersion
from monitor.poll import PollOutcome, SourcePoller
from monitor.read import history
from notifier import outbox
from notifier.channels.console import ConsoleNotifier
from scraper.runner import SourceCrawler
from tests.documents import files
from tests.replica import ReplicaServer, World, sample_world

PDF_TEXT = ["The Council adopted the declaration on collective security.",
            "The annex lists the peacekeeping contingents of the member states."]
FILES = {
    "Declaration.pdf": lambda: files.pdf(PDF_TEXT),
    "Заявление.pdf": lambda: files.pdf(["Совет принял заявление о коллективной безопасности."]),
    "Agreement.docx": lambda: files.docx(["The parties agree on joint exercises."]),
    "Scan.pdf": files.scanned_pdf,
    "Broken.pdf": lambda: files.truncated_pdf(PDF_TEXT * 20),
    "Huge.pdf": lambda: files.oversized(2),
    "Bomb.docx": files.zip_bomb_docx,
}
STATUSES = {"Declaration.pdf": "ok", "Заявление.pdf": "ok", "Agreement.docx": "ok",
            "Scan.pdf": "no_text", "Broken.pdf": "truncated", "Huge.pdf": "too_large",
            "Bomb.docx": "zip_bomb", "Gone.pdf": "http_error"}


@pytest.fixture
def site() -> Iterator[tuple[World, ReplicaServer]]:
    world = sample_world(6, "en")
    article = world.articles_in("en")[0]
    world.edit(article.id, attachments=[(name, name) for name in STATUSES])
    for name, make in FILES.items():
        world.put_file(name, make())
    world.missing_files.add("Gone.pdf")
    server = ReplicaServer(world, markup="bitrix", language="en").start()
    yield world, server
    server.stop()


def _poller(server: ReplicaServer, sessions: sessionmaker[Session], crawler: SourceCrawler
            ) -> tuple[SourcePoller, Settings]:
    settings = Settings.model_validate({
        "sources": [{"name": "csto", "url": server.listing_url, "language": "en",
                     "pages": 1, "recheck_latest": 50}],
        "crawl": {"recheck_interval": "0s", "download_delay": "0s", "autothrottle": False},
        "documents": {"max_bytes": "1MB"},
    })
    announce = outbox.announcer({"console": ConsoleNotifier()}, settings.notify_on)
    return SourcePoller(settings, sessions, crawler, announce), settings


def _documents(sessions: sessionmaker[Session]) -> dict[str, Document]:
    with sessions() as session:
        rows = session.scalars(select(Document))
        return {row.name: row for row in rows}


def _versions(sessions: sessionmaker[Session], name: str) -> list[DocumentVersion]:
    with sessions() as session:
        return list(session.scalars(select(DocumentVersion).join(Document).where(
            Document.name == name).order_by(DocumentVersion.number)))


def test_files_read_hostile_ones_end_in_a_status_and_versions_are_kept(
        db_sessions: sessionmaker[Session], source_crawler: SourceCrawler, run: Any,
        site: tuple[World, ReplicaServer]) -> None:
    world, server = site
    poller, settings = _poller(server, db_sessions, source_crawler)

    def poll() -> PollOutcome:
        outcome: PollOutcome = run(poller.poll(settings.sources[0]))
        assert outcome.clean, outcome.line()
        return outcome

    poll()
    stored = _documents(db_sessions)
    assert {name: d.status for name, d in stored.items()} == STATUSES
    declaration = stored["Declaration.pdf"]
    assert declaration.content_type == "application/pdf" and declaration.text_chars > 50
    assert "declaration on collective security" in _versions(db_sessions, "Declaration.pdf")[0].text
    assert "заявление" in _versions(db_sessions, "Заявление.pdf")[0].text
    assert "no text layer" in stored["Scan.pdf"].detail
    assert stored["Huge.pdf"].sha256 == "" and "larger than 1 MB" in stored["Huge.pdf"].detail
    assert stored["Bomb.docx"].sha256 and not _versions(db_sessions, "Bomb.docx")[0].text
    _search_finds_words_inside_documents(db_sessions, world.articles_in("en")[0].title)

    world.put_file("Declaration.pdf", files.pdf([PDF_TEXT[0], "A new closing sentence."]))
    server.clear_log()
    poll()
    versions = _versions(db_sessions, "Declaration.pdf")
    assert [v.number for v in versions] == [1, 2]
    assert "A new closing sentence." in versions[1].text
    assert [v.number for v in _versions(db_sessions, "Agreement.docx")] == [1]

    server.clear_log()
    poll()
    answers = [r.status for r in server.requests if r.path.endswith("/Declaration.pdf")]
    assert answers == [304]
    assert [v.number for v in _versions(db_sessions, "Declaration.pdf")] == [1, 2]


def _search_finds_words_inside_documents(sessions: sessionmaker[Session], title: str) -> None:
    with sessions() as session:
        [row] = history.items(session, history.Filters(search="peacekeeping contingents"))
        assert " ".join(row["title"].split()) == " ".join(title.split())
        assert row["found_in"] == ["document: Declaration.pdf"]
        [russian] = history.items(session, history.Filters(search="заявление о коллективной"))
        assert russian["found_in"] == ["document: Заявление.pdf"]
        # Words of the item and of its document together find it (its snippet is of these words).
        both = history.items(session, history.Filters(search="contingents Council"))
        assert [r["id"] for r in both] == [row["id"]]
        assert history.items(session, history.Filters(search="zzyzx")) == []
        documents = {d["name"]: d for d in row["documents"]}
        assert set(documents) == set(STATUSES)
        pdf = documents["Declaration.pdf"]
        assert set(pdf) == {"url", "name", "content_type", "bytes", "sha256", "text_chars",
                            "status", "detail", "versions"}
        assert (pdf["content_type"], pdf["status"], pdf["versions"]) == (
            "application/pdf", "ok", 1)
        assert len(pdf["sha256"]) == 64 and pdf["bytes"] > 0
        assert documents["Huge.pdf"]["versions"] == 0
