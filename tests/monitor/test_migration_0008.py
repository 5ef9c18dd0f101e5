"""Migration 0008 on a database with items: they arrive unscheduled, and the first poll
ends the old ones' schedules in bulk and schedules the recent ones; down and up again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from core.config import Revisits
from core.db import make_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.models import Item
from monitor import revisit_store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
STEPS = Revisits().schedule
ITEM = ("INSERT INTO items (source_id, url, section, slug, language, published, title, lead, "
        "body, attachments, listing_hash, status, first_seen, last_changed, last_seen) VALUES "
        "(1, :url, 'news', 's', 'en', :published, 'T', '', '', '[]', '', 'active', :seen, "
        ":changed, :seen)")


def _old_database(engine: Engine) -> None:
    upgrade(engine, "0007")
    rows = [  # (slug, published, first seen, last changed)
        ("archive", date(2024, 5, 1), NOW - timedelta(days=200), NOW - timedelta(days=200)),
        ("backfilled", date(2024, 5, 2), NOW - timedelta(hours=2), NOW - timedelta(hours=2)),
        ("yesterday", date(2026, 3, 9), NOW - timedelta(hours=20), NOW - timedelta(hours=20)),
        ("edited", date(2025, 1, 1), NOW - timedelta(days=400), NOW - timedelta(days=2)),
    ]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, name, url, language, consecutive_failures,"
                          " alerted, baseline_done) VALUES (1, 'csto-en', "
                          "'https://x.org/news/', 'en', 0, false, true)"))
        for slug, published, seen, changed in rows:
            conn.execute(text(ITEM), {"url": f"https://x.org/news/{slug}/",
                                      "published": published, "seen": seen,
                                      "changed": changed})


def _check(engine: Engine) -> None:
    _old_database(engine)
    upgrade(engine)
    with session_factory(engine)() as session:
        assert {(i.revisit_step, i.next_revisit_at) for i in session.scalars(select(Item))} == {
            (0, None)}
        revisit_store.schedule_unscheduled(session, 1, STEPS, NOW)
        session.commit()
        got = {i.url.split("/")[-2]: (i.revisit_step, i.next_revisit_at)
               for i in session.scalars(select(Item))}
    assert got == {
        "archive": (len(STEPS), None),  # over, in bulk
        "backfilled": (len(STEPS), None),  # found late: counted from its publication day
        "yesterday": (3, NOW - timedelta(hours=20) + timedelta(days=1)),  # the 1-day step
        "edited": (4, NOW - timedelta(days=2) + timedelta(days=3)),  # from its last edit
    }
    command.downgrade(alembic_config(engine), "0007")
    columns = {c["name"] for c in inspect(engine).get_columns("items")}
    assert not columns & {"next_revisit_at", "revisit_step", "page_etag", "page_last_modified"}
    assert "next_poll_reason" not in {c["name"] for c in inspect(engine).get_columns("sources")}
    upgrade(engine)
    engine.dispose()


def test_on_sqlite(tmp_path: Path) -> None:
    _check(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))


def test_on_postgresql(new_pg_database: str) -> None:
    _check(make_engine(new_pg_database))
