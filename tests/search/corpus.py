"""Items of the inflection set and of the translation set written to a database (tests and
`bench --only search`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.models import Document, DocumentVersion, Item, Source, StoryPair
from tests.search.inflections import ENGLISH, FRAMES, NEUTRAL, RUSSIAN
from tests.search.translated_set import FRAMES as TRANSLATED_FRAMES
from tests.search.translated_set import NEUTRAL as NEUTRAL_TRANSLATED
from tests.search.translated_set import PAIRED, RUSSIAN_OF


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


@dataclass
class TranslatedCorpus(Corpus):
    """The translation set's items: `relevant` per English query word (the Russian-only
    stories whose English holds a form, and the English version of each paired story);
    `dictionary` the English of every Russian title and lead (what the translator double
    answers); `paired_russian` the Russian versions of the paired stories (never listed by
    an English query: their English version is) and `russian_only` every unpaired one."""

    dictionary: dict[str, str] = field(default_factory=dict)
    paired_russian: set[int] = field(default_factory=set)
    russian_only: set[int] = field(default_factory=set)


def write_translated_corpus(session: Session) -> TranslatedCorpus:
    """Per English query word: each of its forms in the English of a Russian-only story's
    title (first form) or lead (second); for the words of PAIRED a story in both languages
    too (its English item holding the first form, its Russian one translated); then the
    Russian-only neutral stories."""
    sources = {lang: Source(name=f"translated-{lang}", url=f"https://odkb-csto.org/{lang}/",
                            language=lang) for lang in ("ru", "en")}
    corpus, n = TranslatedCorpus(), 1000
    corpus.dictionary["Новости недели"] = "News of the week"  # no query word in it
    for query, forms in ENGLISH.items():
        found = corpus.relevant.setdefault(query, set())
        for k, form in enumerate(forms):
            russian, english = (f.format(w) for f, w in zip(
                TRANSLATED_FRAMES[k % len(TRANSLATED_FRAMES)], (RUSSIAN_OF[form], form),
                strict=True))
            corpus.dictionary[russian] = english
            n += 1
            fields = (russian, "") if k % 2 == 0 else ("Новости недели", russian)
            item = _item(session, sources["ru"], n, "ru", *fields, body="")
            found.add(item.id)
            corpus.russian_only.add(item.id)
        if query in PAIRED:
            n += 1
            found.add(_paired(session, sources, n, forms[0], corpus))
    for russian, english in NEUTRAL_TRANSLATED.items():
        n += 1
        corpus.dictionary[russian] = english
        corpus.russian_only.add(_item(session, sources["ru"], n, "ru", russian, "", "").id)
    corpus.all_ids = corpus.russian_only | corpus.paired_russian | set().union(
        *corpus.relevant.values())
    session.flush()
    return corpus


def _paired(session: Session, sources: dict[str, Source], n: int, form: str,
            corpus: TranslatedCorpus) -> int:
    """A story in both languages; the id of its English item, which holds `form`."""
    russian, english = (f"Итоги недели: {RUSSIAN_OF[form]}.", f"Results of the week: {form}.")
    corpus.dictionary[russian] = english
    ru = _item(session, sources["ru"], n, "ru", russian, "", "")
    en = _item(session, sources["en"], n, "en", english, "", "")
    session.add(StoryPair(en_item_id=en.id, ru_item_id=ru.id, confidence=0.9, evidence=[]))
    corpus.paired_russian.add(ru.id)
    return en.id


def store_translations(sessions: sessionmaker[Session], dictionary: dict[str, str]) -> None:
    """What translating the stories for English readers stores: the English of each text,
    asked of the LibreTranslate double (tests/translation) by the project's translator."""
    from tests.translation.doubles import TranslatorDouble
    from tests.translation.helpers import translator

    double = TranslatorDouble("libretranslate", dictionary=dictionary).start()
    try:
        patient = translator(double, sessions, timeout="10s")  # a loaded machine
        english = asyncio.run(patient.translate(list(dictionary), "ru", "en"))
    finally:
        double.stop()
    assert english == list(dictionary.values()), "the translator double did not answer"
