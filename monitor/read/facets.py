"""Facets of a search: how many of its matches are in each section, language and year."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import ColumnElement, Select, func
from sqlalchemy.orm import Session

from core.models import Item


def _year(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y", Item.published)
    return func.to_char(Item.published, "YYYY")


def facets(session: Session, matches: Select[Any]) -> dict[str, dict[str, int]]:
    """Counts by `section`, `language` and `year` (of publication; undated items have none)
    of the items `matches` (a select of item ids under every filter) finds, most first.

    One pass over the matches, grouped by the three at once and summed up here: a common
    word's 40,000 of 100,000 items were read three times, each twice (an id list of a
    select of ids).
    """
    columns = {"section": Item.section, "language": Item.language, "year": _year(session)}
    found: dict[str, Counter[str]] = {name: Counter() for name in columns}
    rows = session.execute(matches.with_only_columns(*columns.values(), func.count())
                           .group_by(*columns.values()))
    for *keys, count in rows:
        for name, key in zip(columns, keys, strict=True):
            if key is not None:
                found[name][str(key)] += count
    return {name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            for name, counts in found.items()}
