"""Items of the inflection set written to a database (tests and `bench --only search`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from core.models import Document, DocumentVersion, Item, Source
from tests.search.inflections import ENGLISH, FRAMES, NEUTRAL, RUSSIAN


@dataclass
class Corpus:
    relevant: dict[str, set[int]] = field(default_factory=dict)  # query -> item ids
    all_ids: set[int] = field(default_factory=set)


def _item(session: Session, source: Source, n: int, language: str, title: str, lead: str,
          body: str) -> Item:
    item = Item(source=source, url=f"https://odkb-csto.org/news/{language}/forms-{n}/",
                section="news_odkb", slug=f"forms-{n}", language=language,
                published=date(2025, 1, 1) + timedelta(days=n % 300), title=title,
                lead=lead, body=body)
    session.add(item)
    session.flush()
    return item


def _attach(session: Session, item: Item, text: str) -> None:
    sha = f"{item.id:064d}"
    document = Document(item_id=item.id, url=item.url + "doc.pdf", name="doc.pdf",
                        content_type="application/pdf", bytes=100, sha256=sha,
                        text_chars=len(text), status="ok", etag=None, last_modified=None)
    session.add(document)
    session.flush()
    session.add(DocumentVersion(document_id=document.id, number=1, sha256=sha, bytes=100,
                                content_type="application/pdf", status="ok", text=text))
    session.flush()


def write_corpus(session: Session) -> Corpus:
    """Each query's forms in items of its language: the first form in the body, the second
    in the lead, the third in the title; the last query of each language only in an
    attached document's text. Then the neutral items."""
    source = Source(name="forms", url="https://odkb-csto.org/news/", language="ru")
    session.add(source)
    corpus, n = Corpus(), 0
    for language, words in (("ru", RUSSIAN), ("en", ENGLISH)):
        frames = FRAMES[language]
        last = list(words)[-1]
        for query, forms in words.items():
            found = corpus.relevant.setdefault(query, set())
            for k, form in enumerate(forms):
                n += 1
                sentence = frames[k % len(frames)].format(form)
                fields = ["Новости" if language == "ru" else "News", "", ""]
                if query == last:
                    item = _item(session, source, n, language, *fields)
                    _attach(session, item, sentence)
                else:
                    fields[(2 - k) % 3] = sentence  # body, lead, title in turn
                    item = _item(session, source, n, language, *fields)
                found.add(item.id)
                corpus.all_ids.add(item.id)
        for text in NEUTRAL[language]:
            n += 1
            corpus.all_ids.add(_item(session, source, n, language, text, "", text).id)
    session.flush()
    return corpus
