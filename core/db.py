"""Engine and session factory; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Insert, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core import migrate, search_facets, search_terms
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
    search_terms.register_sqlite_functions(dbapi_connection)
    search_facets.register_sqlite_functions(dbapi_connection)
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


def insert_or_skip(session: Session, model: type[Any], values: Any,
                   index_elements: Sequence[str]) -> Insert:
    """INSERT ... ON CONFLICT (index_elements) DO NOTHING, in the session's dialect.

    PostgreSQL and SQLite spell it alike, each in its own dialect module: the one in use is
    imported here, on use (the PostgreSQL dialect costs ~20 ms to import in a process on
    SQLite, e.g. `check`)."""
    dialect = importlib.import_module(f"sqlalchemy.dialects.{session.get_bind().dialect.name}")
    statement: Insert = dialect.insert(model).values(values).on_conflict_do_nothing(
        index_elements=list(index_elements))
    return statement


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@dataclass(frozen=True)
class Database:
    """An engine on the newest schema, its session factory, and what opening it did."""

    engine: Engine
    sessions: sessionmaker[Session]
    schema: migrate.Upgrade


class UnusableDatabase(Exception):
    """The database cannot be opened or brought to this release's schema.

    `reason` is one line naming the cause; `fix` says what the operator can do."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"{reason}; {fix}" if fix else reason)
        self.reason = reason
        self.fix = fix


def open_database(database_url: str) -> Database:
    """Where every command starts: the engine, migrated (under a lock), and its sessions."""
    try:
        engine = make_engine(database_url)
    except OSError as exc:  # the SQLite file's folder cannot be created
        raise UnusableDatabase(f"cannot create the folder {exc.filename}: {exc.strerror}",
                               "check database_url, and that this user may create it") from None
    except ValueError as exc:  # a URL it refuses (in-memory SQLite); the text says why
        raise UnusableDatabase(str(exc), "") from None
    try:
        schema = migrate.upgrade(engine)
    except migrate.SchemaError as exc:
        engine.dispose()
        raise UnusableDatabase(str(exc), "") from None
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise UnusableDatabase(reason, _fix(engine, exc)) from None
    return Database(engine, session_factory(engine), schema)


def _fix(engine: Engine, exc: DBAPIError) -> str:
    if engine.dialect.name != "sqlite":
        return ("check database_url, and that the database server is running and accepts "
                "this user")
    if isinstance(exc, OperationalError):  # e.g. a folder it cannot write, a locked file
        return "check database_url, and that this user can write the file and its folder"
    return ("database_url must name a csto-monitor SQLite database, or a file that does not "
            "exist yet")
