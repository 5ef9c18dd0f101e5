"""The daemon keeps each source's learnt rhythm between polls (monitor.rhythm_store): it
is learnt again as soon as an item is stored, edited or deleted, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.models import CrawlRun, Item, Source, utcnow
from monitor import rhythm_store

ZONE = "Europe/Moscow"


def sunday_night_item(session: Session, source: Source, n: int, seen: datetime) -> Item:
    item = Item(source=source, url=f"https://en.odkb-csto.org/news/news_odkb/s-{n}/",
                section="news_odkb", slug=f"s-{n}", language="en", published=seen.date(),
                title=f"Story {n}", lead="", body="", first_seen=seen, last_changed=seen)
    session.add(item)
    return item


def test_the_kept_profile_follows_what_is_stored(db_sessions: sessionmaker[Session]) -> None:
    now = utcnow()
    sunday = (now - timedelta(days=now.weekday() + 1, weeks=1)).replace(hour=0, minute=30)
    with db_sessions() as session, session.begin():
        source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
        session.add(source)
        session.flush()
        source_id = source.id
        session.add(CrawlRun(source_id=source_id, started_at=now - timedelta(weeks=4),
                             outcome="baseline"))
    learned: rhythm_store.Learned = {}

    def kept() -> rhythm_store.rhythm.Profile:
        with db_sessions() as session:
            fresh = rhythm_store.profile(session, source_id, ZONE, now)
            cached = rhythm_store.cached_profile(session, source_id, ZONE, now, learned)
        assert cached == fresh  # never a stale profile
        return cached

    assert kept().items == 0
    with db_sessions() as session, session.begin():
        source = session.get_one(Source, source_id)
        items = [sunday_night_item(session, source, n, sunday + timedelta(minutes=n))
                 for n in range(6)]
    night = kept()
    assert night.items == 6 and night.slot(sunday) in night.active
    with db_sessions() as session, session.begin():  # an edit moves a story's date
        item = session.get_one(Item, items[0].id)
        item.published, item.last_changed = (sunday - timedelta(days=30)).date(), now
    assert kept().items == 5
    with db_sessions() as session, session.begin():
        session.delete(session.get_one(Item, items[1].id))
    assert kept().items == 4
