"""The small story sets the tests of the table of ranked words store (PostgreSQL's 0015,
SQLite's 0016), and what they read back: the same items, document and reindex run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from core.models import Document, DocumentVersion, Item, Source
from monitor.read import history

# (day of March 2025 or None, language, title, lead, body)
Text = tuple[int | None, str, str, str, str]


def _item(source: Source, n: int, text: Text) -> Item:
    day, language, title, lead, body = text
    return Item(source=source, url=f"https://en.odkb-csto.org/news/{n}/", slug=f"s{n}",
                section="news" if n % 2 else "speech", language=language,
                published=date(2025, 3, day) if day else None, title=title, lead=lead,
                body=body)


def attach(session: Session, item: Item, body: str) -> None:
    """An attached document of `item` whose current version's text is `body`."""
    sha = f"{item.id:064d}"
    document = Document(item_id=item.id, url=item.url + "f.pdf", name="f.pdf",
                        content_type="application/pdf", sha256=sha, status="ok", etag=None,
                        last_modified=None)
    session.add(document)
    session.flush()
    session.add(DocumentVersion(document_id=document.id, number=1, sha256=sha, bytes=1,
                                content_type="application/pdf", status="ok", text=body))


def store(session: Session, texts: Sequence[Text], document_only: Text, document: str
          ) -> list[int]:
    """The items of `texts`, then one whose attached document alone holds `document`;
    their ids in that order ("news" and "speech" sections alternate)."""
    source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
    session.add(source)
    items = [_item(source, n, text) for n, text in enumerate(texts)]
    other = _item(source, len(texts), document_only)
    session.add_all([*items, other])
    session.flush()
    attach(session, other, document)
    session.commit()
    return [i.id for i in items] + [other.id]


def titles(sessions: sessionmaker[Session], query: str) -> list[str]:
    """`history --search`'s results as "title|date", in order."""
    with sessions() as session:
        return [f"{row['title']}|{row['published']}"
                for row in history.items(session, history.Filters(search=query))]


def reindex_config(tmp_path: Path, url: str) -> Path:
    """The smallest configuration `csto-monitor reindex` loads for this database."""
    config = tmp_path / "config.yaml"
    config.write_text(f"database_url: '{url}'\nsources: [{{name: csto-en, "
                      "url: 'https://en.odkb-csto.org/news/', language: en}]\n")
    return config
