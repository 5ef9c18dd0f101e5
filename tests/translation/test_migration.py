"""Migration 0010 on a database with subscribers: they keep what they receive (no
translations), and it goes down and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select, text

from core.db import make_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.models import CachedTranslation, Subscriber, utcnow

SUBSCRIBER = (
    "INSERT INTO subscribers (channel, address, ui_language, languages, sections, keywords, "
    "mode, include_edits, include_removals, status, consecutive_failures, created_at, "
    "updated_at) VALUES ('email', 'ann@example.org', 'en', '[\"en\"]', '[]', '[]', "
    "'instant', true, true, 'active', 0, :t, :t)")


def test_subscribers_keep_their_news_and_the_cache_comes_and_goes(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0009")
        with engine.begin() as conn:
            conn.execute(text(SUBSCRIBER), {"t": utcnow()})
        upgrade(engine)
        sessions = session_factory(engine)
        with sessions() as session, session.begin():
            assert session.scalars(select(Subscriber.accept_translated)).all() == [False]
            session.add(CachedTranslation(provider="deepl", source="ru", target="en",
                                          text_sha256="0" * 64, translation="Summit"))
        command.downgrade(alembic_config(engine), "0009")
        columns = {c["name"] for c in inspect(engine).get_columns("subscribers")}
        assert "accept_translated" not in columns
        assert "translations" not in inspect(engine).get_table_names()
        upgrade(engine)
        with sessions() as session:
            assert session.scalar(select(Subscriber.address)) == "ann@example.org"
            assert session.scalars(select(CachedTranslation)).all() == []
    finally:
        engine.dispose()
