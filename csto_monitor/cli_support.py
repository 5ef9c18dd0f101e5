"""What every command shares: its settings, the database, an event loop, readable failures."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.config import ConfigError, Settings, load_settings
from core.db import Database, UnusableDatabase, open_database
from core.logs import redact_secrets


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def load(ctx: typer.Context) -> Settings:
    try:
        settings = load_settings(ctx.obj)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    redact_secrets(settings.secrets())
    return settings


@contextmanager
def database(settings: Settings) -> Iterator[Session]:
    """A migrated database session, with a readable error when it cannot be used."""
    sessions = opened(settings).sessions
    try:
        with sessions() as session:
            yield session
    except OperationalError as exc:  # e.g. the server went away, the file is locked
        raise lost(settings, exc) from None


def opened(settings: Settings) -> Database:
    """The database on this release's schema, or a one-line error naming cause and fix."""
    try:
        return open_database(settings.database_url)
    except UnusableDatabase as exc:
        raise unusable(settings, exc) from None


def unusable(settings: Settings, exc: UnusableDatabase) -> typer.Exit:
    return fail(f"cannot use the database {safe_url(settings)}: {exc}")


def lost(settings: Settings, exc: OperationalError) -> typer.Exit:
    reason = str(exc.orig or exc).strip().splitlines()[0]
    return fail(f"cannot use the database {safe_url(settings)}: {reason}")


def safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def run_async(ctx: typer.Context, coro_fn: Callable[[Settings], Any]) -> Any:
    settings = load(ctx)
    try:
        return asyncio.run(coro_fn(settings))
    except UnusableDatabase as exc:
        raise unusable(settings, exc) from None
    except OperationalError as exc:
        raise lost(settings, exc) from None
    except ConfigError as exc:  # found only when starting, e.g. http.listen already taken
        raise fail(str(exc)) from None
    finally:
        # asyncio.run() ends by cancelling what is left, e.g. a crawl abandoned at SIGTERM,
        # and Scrapy's cleanup can start the reactor's thread pool again: stop it for good.
        if "twisted.internet.reactor" in sys.modules:
            from scraper.reactor import shutdown_reactor

            shutdown_reactor()
