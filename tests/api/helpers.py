"""The API under test: a live server with a high rate limit, and response validation."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from openapi_schema_validator import OAS31Validator
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, CrawlRun, Item, ItemRevision, Source
from csto_monitor.web.api.openapi import document
from tests.web.helpers import Reply

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def get(url: str, headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read())


@cache
def _validators() -> dict[tuple[str, str], OAS31Validator]:
    doc = document()
    found = {}
    for path, methods in doc["paths"].items():
        for status, response in methods["get"]["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                found[(path, status)] = OAS31Validator({**schema,
                                                        "components": doc["components"]})
    return found


def conforms(reply: Reply, path: str) -> Any:
    """The reply's JSON, after checking it against the OpenAPI document (path template)."""
    assert reply.headers["Content-Type"].startswith("application/json"), reply.headers
    body = json.loads(reply.body)
    _validators()[(path, str(reply.status))].validate(body)
    return body


def add_items(sessions: sessionmaker[Session], count: int, first: int = 0,
              start: date = date(2024, 1, 1), step: int = 1) -> list[int]:
    """`count` items with one revision each, dated `start` + (n // 3) * step days."""
    with sessions() as session, session.begin():
        source_id = _source(session)
        rows = [{"source_id": source_id, "url": f"https://en.odkb-csto.org/news/p/i-{n}/",
                 "section": "news_odkb" if n % 2 else "speech", "slug": f"i-{n}",
                 "language": "en", "published": start + timedelta(days=(n // 3) * step),
                 "title": f"Item {n}", "lead": f"Lead {n}", "body": f"Body of {n} quokka",
                 "attachments": [], "listing_hash": "", "status": "active", "first_seen": T0,
                 "last_changed": T0, "last_seen": T0} for n in range(first, first + count)]
        ids = list(session.scalars(insert(Item).returning(Item.id), rows))
        session.execute(insert(ItemRevision), [
            {"item_id": i, "number": 1, "captured_at": T0, "url": r["url"],
             "published": r["published"], "title": r["title"], "lead": r["lead"],
             "body": r["body"], "attachments": [], "changed_fields": []}
            for i, r in zip(ids, rows, strict=True)])
        return ids


def add_events(sessions: sessionmaker[Session], item_ids: list[int], when: datetime,
               kind: str = "new") -> list[int]:
    with sessions() as session, session.begin():
        run = CrawlRun(source_id=_source(session), started_at=when, outcome="changed")
        session.add(run)
        session.flush()
        events = [ChangeEvent(item_id=i, run_id=run.id, kind=kind, detected_at=when,
                              url=f"u{i}", title=f"t{i}", revision_number=1)
                  for i in item_ids]
        session.add_all(events)
        session.flush()
        return [e.id for e in events]


def _source(session: Session) -> int:
    found = session.scalar(select(Source.id).where(Source.name == "csto-en"))
    if found is not None:
        return found
    source = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en")
    session.add(source)
    session.flush()
    return source.id
