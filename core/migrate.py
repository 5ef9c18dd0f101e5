"""Alembic, driven from code: no alembic.ini to find, the URL comes from the configuration.

Every command opens the database through `upgrade`, and almost always it is already on the
newest schema: that is checked first by reading the version files' ids as text and one row
of `alembic_version`, so that a command pays for importing Alembic (and Mako, Pygments:
~0.1 s) only when there is something to migrate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from core.locks import wait_lock

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_ASSIGNMENT = re.compile(r"^(down_revision|revision)\s*(?::[^=]+)?=\s*(.+?)\s*$", re.M)
# A value as migrations write it: None, "id", or a tuple of ids (a merge).
_VALUE = re.compile(r"""^(?:None|(?P<one>"[^"]*"|'[^']*')|\((?P<many>[^()]*)\))$""")
_ID = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)')\s*$""")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "core:migrations")
    # env.py uses this connection instead of building its own engine.
    config.attributes["engine"] = engine
    return config


@dataclass(frozen=True)
class Upgrade:
    """What opening a database did to its schema: `before` is None for a new database."""

    before: str | None
    after: str | None

    def line(self) -> str:
        """The one line `db upgrade` prints and the daemon logs at start."""
        if self.before is None:
            return f"created the database at revision {self.after}"
        if self.before == self.after:
            return f"already at revision {self.after}"
        return f"upgraded from {self.before} to {self.after}"


class SchemaError(Exception):
    """The database's schema is not one this release can migrate (e.g. a newer release's)."""


def upgrade(engine: Engine, revision: str = "head") -> Upgrade:
    """Apply migrations up to `revision` (idempotent; one process at a time on PostgreSQL).

    Raises SchemaError for a revision this release does not know, and lets the driver's
    error through (sqlalchemy.exc.DBAPIError) for a database that cannot be reached or read.
    """
    before = stored_revision(engine)
    _check_known(before)
    if revision == "head" and before is not None and before == _known_head():
        return Upgrade(before, before)
    from alembic import command
    from alembic.util.exc import CommandError

    with wait_lock(engine, "migrations"):
        before = stored_revision(engine)  # again: another process may have migrated it
        try:
            command.upgrade(alembic_config(engine), revision)
        except CommandError as exc:  # only when the files could not be read simply
            raise SchemaError(f"the database's schema cannot be migrated: {exc}") from None
        except DBAPIError as exc:  # the migrations run in one transaction: it rolled back
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise SchemaError(
                f"migrating from revision {before} failed ({reason}); the database was left at "
                f"revision {stored_revision(engine)}. Restore it from a backup or report the "
                "failure with this line") from None
    return Upgrade(before, stored_revision(engine))


def stored_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for a new database (no `alembic_version` yet).

    A database that cannot be reached, or a file that is not a database, raises here."""
    with engine.connect() as conn:
        try:  # one query on the usual path: a database that has the table
            stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            conn.rollback()
            if inspect(conn).has_table("alembic_version"):
                raise  # the table is there and could not be read: not "a new database"
            return None
    return "+".join(sorted(stored)) or None


def at_head(engine: Engine) -> bool:
    """Whether the database is on the newest schema; False when unsure (Alembic decides)."""
    head = _known_head()
    return head is not None and stored_revision(engine) == head


def _check_known(stored: str | None) -> None:
    known = _known_revisions()
    if stored is None or known is None or stored in known:
        return
    raise SchemaError(
        f"the database is at revision {stored}, which this release of csto-monitor does not "
        f"know (its newest is {_known_head()}): it was written by a newer release. Install "
        "that release (or a later one), or set database_url to another database")


@cache
def _known_head() -> str | None:
    return head_revision(VERSIONS)


@cache
def _known_revisions() -> frozenset[str] | None:
    graph = _graph(VERSIONS)
    return None if graph is None else frozenset(graph[0])


def head_revision(versions: Path = VERSIONS) -> str | None:
    """The one revision no other migration builds on, from the files' `revision` and
    `down_revision` lines; None when they cannot be read that simply (Alembic decides)."""
    graph = _graph(versions)
    if graph is None:
        return None
    heads = graph[0] - graph[1]
    return heads.pop() if len(heads) == 1 else None


def _graph(versions: Path) -> tuple[set[str], set[str]] | None:
    """Every revision of the files and every one that another builds on; None if unreadable."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        revision = _ids(found.get("revision", ""))
        down = _ids(found.get("down_revision", "None"))
        if revision is None or len(revision) != 1 or down is None:
            return None
        revisions.update(revision)
        parents.update(down)
    return revisions, parents


def _ids(value: str) -> list[str] | None:
    """The ids a `revision`/`down_revision` value names; None if it is not a plain literal."""
    match = _VALUE.match(value)
    if match is None:
        return None
    if match["one"]:
        return [match["one"][1:-1]]
    if match["many"] is None:
        return []  # None
    parts = [p for p in match["many"].split(",") if p.strip()]
    ids = [_ID.match(p) for p in parts]
    return None if not all(ids) else [m[1] if m[1] is not None else m[2] for m in ids if m]
