"""Facets of a search: how many of its matches are in each section, language and year."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from core.models import Item


def _year(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y", Item.published)
    return func.to_char(Item.published, "YYYY")


def facets(session: Session, matches: Select[Any]) -> dict[str, dict[str, int]]:
    """Counts by `section`, `language` and `year` (of publication; undated items have none)
    of the items `matches` (a select of item ids under every filter) finds."""
    ids = matches.subquery()
    found: dict[str, dict[str, int]] = {}
    for name, column in (("section", Item.section), ("language", Item.language),
                         ("year", _year(session))):
        rows = session.execute(select(column, func.count()).where(
            Item.id.in_(select(ids.c[0])), column.is_not(None))
            .group_by(column).order_by(func.count().desc(), column))
        found[name] = {str(key): int(count) for key, count in rows}
    return found
