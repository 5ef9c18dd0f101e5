"""Migration 0012 on a database with items: the merges table arrives empty, holds a merge,
goes on the way down and comes back on the way up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from core.db import make_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.models import Item, ReslugMerge

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
ITEM = ("INSERT INTO items (source_id, url, section, slug, language, published, title, lead, "
        "body, attachments, listing_hash, status, first_seen, last_changed, last_seen) VALUES "
        "(1, 'https://x.org/news/news_odkb/fixed/', 'news_odkb', 'fixed', 'en', NULL, 'T', "
        "'', '', '[]', '', 'active', :now, :now, :now)")


def _check(engine: Engine) -> None:
    upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, name, url, language, consecutive_failures,"
                          " alerted, baseline_done) VALUES (1, 'csto-en', "
                          "'https://x.org/news/', 'en', 0, false, true)"))
        conn.execute(text(ITEM), {"now": NOW})
    assert "reslug_merges" not in inspect(engine).get_table_names()
    upgrade(engine)
    with session_factory(engine)() as session:
        assert session.scalars(select(ReslugMerge)).all() == []
        item = session.scalars(select(Item)).one()
        session.add(ReslugMerge(item_id=item.id, old_url="https://x.org/news/news_odkb/fxed/",
                                new_url=item.url, reason="404", revision_number=2,
                                merged_at=NOW))
        session.commit()
        merge = session.scalars(select(ReslugMerge)).one()
        assert (merge.reason, merge.merged_at, merge.unmerged_at) == ("404", NOW, None)
    command.downgrade(alembic_config(engine), "0011")
    assert "reslug_merges" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "reslug_merges" in inspect(engine).get_table_names()
    engine.dispose()


def test_on_sqlite(tmp_path: Path) -> None:
    _check(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))


def test_on_postgresql(new_pg_database: str) -> None:
    _check(make_engine(new_pg_database))
