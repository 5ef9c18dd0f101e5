"""Alembic, driven from code: no alembic.ini to find, the URL comes from the configuration.

Every command opens the database through `upgrade`, and almost always it is already on the
newest schema: that is checked first by reading the version files' ids as text and one row
of `alembic_version`, so that a command pays for importing Alembic (and Mako, Pygments:
~0.1 s) only when there is something to migrate.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (idempotent; one process at a time on PostgreSQL)."""
    if revision == "head" and at_head(engine):
        return
    from alembic import command

    with wait_lock(engine, "migrations"):
        command.upgrade(alembic_config(engine), revision)


def at_head(engine: Engine) -> bool:
    """Whether the database is on the newest schema; False when unsure (Alembic decides)."""
    head = _known_head()
    if head is None:
        return False
    with engine.connect() as conn:  # a database that cannot be reached raises here, as before
        try:
            stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:  # no such table yet: a new database
            return False
    return stored == [head]


@cache
def _known_head() -> str | None:
    return head_revision(VERSIONS)


def head_revision(versions: Path = VERSIONS) -> str | None:
    """The one revision no other migration builds on, from the files' `revision` and
    `down_revision` lines; None when they cannot be read that simply (Alembic decides)."""
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
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


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
