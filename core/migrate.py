"""Alembic, driven from code: no alembic.ini to find, the URL comes from the configuration.

Every command opens the database through `upgrade`, and almost always it is already on the
newest schema: that is checked first by reading the version files' ids as text and one row
of `alembic_version`, so that a command pays for importing Alembic (and Mako, Pygments:
~0.1 s) only when there is something to migrate.
"""

from __future__ import annotations

import ast
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
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        parents.update([down] if isinstance(down, str) else down or ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
