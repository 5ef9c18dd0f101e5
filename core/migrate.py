"""Alembic, driven from code: no alembic.ini to find, the URL comes from the configuration."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from core.locks import wait_lock


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "core:migrations")
    # env.py uses this connection instead of building its own engine.
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (idempotent; one process at a time on PostgreSQL)."""
    with wait_lock(engine, "migrations"):
        command.upgrade(alembic_config(engine), revision)
