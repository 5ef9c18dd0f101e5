"""Migration 0005 on a database with digests already sent: nothing is listed twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select, text

from monitor.db import make_engine, session_factory
from monitor.migrate import upgrade
from monitor.models import DigestEntry, Subscriber

# One source and item; events at 06:00 on 1, 2 and 3 March; a daily digest of
# [1 Mar 07:00, 2 Mar 07:00) sent to ann; an instant message to bob (who is now daily).
ROWS = [
    "INSERT INTO sources (id, name, url, language, consecutive_failures, alerted, "
    "baseline_done) VALUES (1, 'csto-en', 'https://x.org/news/', 'en', 0, false, true)",
    "INSERT INTO items (id, source_id, url, section, slug, language, title, lead, body, "
    "attachments, listing_hash, status, first_seen, last_changed, last_seen) VALUES "
    "(1, 1, 'https://x.org/news/a/', 'news', 'a', 'en', 'A', '', '', '[]', '', 'active', "
    ":t0, :t0, :t0)",
    *(f"INSERT INTO change_events (id, item_id, kind, detected_at, fields, url, title, "
      f"previous) VALUES ({n}, 1, 'edited', :e{n}, '[]', 'https://x.org/news/a/', 'A', '{{}}')"
      for n in (1, 2, 3)),
    "INSERT INTO subscribers (channel, address, ui_language, languages, sections, keywords, "
    "mode, include_edits, include_removals, status, consecutive_failures, created_at, "
    "updated_at) VALUES ('email', :who, 'en', '[]', '[]', '[]', 'daily', true, true, "
    "'active', 0, :t0, :t0)",
    "INSERT INTO deliveries (event_id, period, period_start, period_end, channel, "
    "recipient, idempotency_key, status, attempts, next_attempt_at, created_at) VALUES "
    "(NULL, 'daily:2026-03-02', :p0, :p1, 'email', 'ann@example.org', "
    "'digest:email:ann@example.org:daily:2026-03-02', 'sent', 1, :p1, :p1)",
    "INSERT INTO deliveries (event_id, channel, recipient, idempotency_key, status, "
    "attempts, next_attempt_at, created_at) VALUES (3, 'email', 'bob@example.org', "
    "'3:email:bob@example.org', 'sent', 1, :e3, :e3)",
]


def when(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def _old_database(engine: Engine) -> None:
    upgrade(engine, "0004")
    params = {"t0": when(1, 0), "e1": when(1, 6), "e2": when(2, 6), "e3": when(3, 6),
              "p0": when(1, 7), "p1": when(2, 7)}
    with engine.begin() as conn:
        for statement in ROWS:
            for who in (("ann@example.org", "bob@example.org") if "subscribers" in statement
                        else (None,)):
                conn.execute(text(statement), {**params, "who": who})


def _check(engine: Engine) -> None:
    _old_database(engine)
    upgrade(engine)
    with session_factory(engine)() as session:
        entries = {(e.recipient, e.event_id) for e in session.scalars(select(DigestEntry))}
        since = {address: moment for address, moment in session.execute(
            select(Subscriber.address, Subscriber.digest_since))}
    assert entries == {("ann@example.org", 2)}  # what the sent digest listed
    assert since == {"ann@example.org": when(2, 7), "bob@example.org": when(3, 6)}
    engine.dispose()


def test_on_sqlite(tmp_path: Path) -> None:
    _check(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))


def test_on_postgresql(new_pg_database: str) -> None:
    _check(make_engine(new_pg_database))
