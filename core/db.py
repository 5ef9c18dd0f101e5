"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core import migrate
from core.analyzer import register_sqlite_functions


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Search triggers analyse text in Python (migration 0012).
    register_sqlite_functions(dbapi_connection)
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINTs).
    dbapi_connection.isolation_level = None


def make_engine(database_url: str) -> Engine:
    """Create the engine; for a SQLite file, create its folder first."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise ValueError(
                "database_url: an in-memory SQLite database is not supported (each thread "
                "would see its own empty one); use a file such as sqlite:///data/csto-monitor.db"
            )
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True)
class Database:
    """An engine on the newest schema and its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]


def open_database(database_url: str) -> Database:
    """Where every command starts: the engine, migrated (under a lock), and its sessions."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    return Database(engine, session_factory(engine))
