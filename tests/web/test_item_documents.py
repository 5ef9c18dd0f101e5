"""Documents everywhere the history is: the web item page and search, `show`, the bot's
/item (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import quote

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from core.models import Document, DocumentVersion, Item, Source
from csto_monitor.bot.handlers import document_links, item_text
from csto_monitor.showitem import print_item
from monitor.read import history
from tests.web.helpers import HOSTILE, T0, LiveServer, add_item, fetch

PDF_URL = "https://en.odkb-csto.org/upload/iblock/1a2/Annex%202.pdf"
BEFORE = "The Council adopted the declaration.\n\nThe annex lists four contingents."
AFTER = "The Council adopted the declaration.\n\nThe annex lists five contingents."


def item_with_documents(sessions: sessionmaker[Session]) -> int:
    with sessions() as session, session.begin():
        source = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en")
        session.add(source)
        session.flush()
        item = add_item(session, source, 3, "Declaration adopted", date(2026, 2, 1), "Body.")
        item.attachments = [PDF_URL, "https://en.odkb-csto.org/upload/x/scan.pdf"]
        pdf = _document(session, item, PDF_URL, "Annex 2.pdf", "ok", "")
        for number, text in ((1, BEFORE), (2, AFTER)):
            session.add(DocumentVersion(
                document_id=pdf.id, number=number, captured_at=T0 + timedelta(hours=number),
                sha256=f"{number:064d}", bytes=1400, content_type="application/pdf",
                status="ok", text=text))
        pdf.sha256 = f"{2:064d}"
        _document(session, item, item.attachments[1], HOSTILE, "no_text",
                  "no text layer (a scanned image?)")
        return item.id


def _document(session: Session, item: Item, url: str, name: str, status: str, detail: str
              ) -> Document:
    document = Document(item_id=item.id, url=url, name=name, content_type="application/pdf",
                        bytes=1400, sha256="", text_chars=10, status=status, detail=detail,
                        attached=True, first_seen=T0, last_checked=T0, last_changed=T0)
    session.add(document)
    session.flush()
    return document


def test_item_page_lists_documents_with_versions_and_a_text_diff(
        server: LiveServer, sessions: sessionmaker[Session]) -> None:
    page = fetch(f"{server.url}/items/{item_with_documents(sessions)}").text
    documents = page[page.index('id="documents"'):]
    assert f'<a href="{PDF_URL}" rel="noopener noreferrer">Annex 2.pdf</a>' in documents
    assert "PDF, 1 KB" in documents and "Version 2" in documents and "Version 1" in documents
    assert "lists <del>four</del><ins>five</ins> contingents." in documents
    assert "no text layer (a scanned image?)" in documents
    assert HOSTILE not in page and "&lt;script&gt;" in documents


def test_web_search_says_the_hit_is_in_a_document(
        server: LiveServer, sessions: sessionmaker[Session]) -> None:
    item_with_documents(sessions)
    with sessions() as session:  # the search index of SQLite is filled by its triggers
        assert [r["found_in"] for r in history.items(
            session, history.Filters(search="five contingents"))] == [["document: Annex 2.pdf"]]
        assert history.items(session, history.Filters(search="four contingents")) == []
        assert [r["found_in"] for r in history.items(
            session, history.Filters(search="declaration adopted"))] == [
            ["item", "document: Annex 2.pdf"]]
        assert [r["found_in"] for r in history.items(
            session, history.Filters(search="Lead of item"))] == [["item"]]
    page = fetch(f"{server.url}/?q={quote('five contingents')}").text
    assert "Declaration adopted" in page and "Found in the document Annex 2.pdf" in page


def test_show_and_bot_item_list_documents(sessions: sessionmaker[Session]) -> None:
    item_id = item_with_documents(sessions)
    with sessions() as session:
        item = session.get_one(Item, item_id)
        out = io.StringIO()
        print_item(item, Console(file=out, width=200, highlight=False))
        text = out.getvalue()
        assert "Documents\n  Annex 2.pdf (PDF, 1 KB)" in text
        assert "Version 2" in text and "~ The annex lists [-four-]{+five+} contingents." in text
        assert "no_text: no text layer (a scanned image?)" in text
        links = document_links(item)
        message = item_text(item.title, item.url, item.status, item.revisions, "en", links)
    assert f'<a href="{PDF_URL}">Annex 2.pdf</a> · PDF, 1 KB · v2' in message
    assert "&lt;script&gt;" in message and HOSTILE not in message
