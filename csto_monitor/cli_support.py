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
from core.db import open_database
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
    """A migrated database session, with a readable error when it cannot be opened."""
    try:
        with open_database(settings.database_url).sessions() as session:
            yield session
    except (OperationalError, ValueError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise fail(f"cannot open the database {safe_url(settings)}: {reason}") from None


def safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def run_async(ctx: typer.Context, coro_fn: Callable[[Settings], Any]) -> Any:
    settings = load(ctx)
    try:
        return asyncio.run(coro_fn(settings))
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise fail(f"cannot open the database {safe_url(settings)}: {reason}") from None
    except ConfigError as exc:  # found only when starting, e.g. http.listen already taken
        raise fail(str(exc)) from None
    finally:
        # asyncio.run() ends by cancelling what is left, e.g. a crawl abandoned at SIGTERM,
        # and Scrapy's cleanup can start the reactor's thread pool again: stop it for good.
        if "twisted.internet.reactor" in sys.modules:
            from scraper.reactor import shutdown_reactor

            shutdown_reactor()
