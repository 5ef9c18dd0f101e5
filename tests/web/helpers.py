"""A live server of the web app on a thread, and a small stored history to show."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import ChangeEvent, CrawlRun, Item, ItemRevision, Source
from csto_monitor.web.application import make_app
from tests.fixtures.ports import free_port

__all__ = ["free_port"]  # re-exported for the tests that name a port in a configuration

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def settings_for(database_url: str, **extra: Any) -> Settings:
    return Settings.model_validate({
        "database_url": database_url,
        "sources": [{"name": "csto-en", "url": "http://127.0.0.1:9/news/", "language": "en"}],
        **extra})


class LiveServer:
    """The aiohttp app on its own loop and thread (Playwright's sync API needs the main one)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.app = make_app(settings, sessions)
        # Bound here, on a port the kernel picks: no collision with a parallel worker.
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = int(self._socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner = web.AppRunner(self.app, access_log=None)

    def start(self) -> LiveServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._socket.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, data: bytes | None = None, timeout: float = 10) -> Reply:
    """GET (or POST `data`) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read())


def add_item(session: Session, source: Source, n: int, title: str, published: date,
             body: str, section: str = "news_odkb") -> Item:
    item = Item(source_id=source.id, url=f"https://en.odkb-csto.org/news/{section}/item-{n}/",
                section=section, slug=f"item-{n}", language="en", published=published,
                title=title, lead=f"Lead of item {n}.", body=body, first_seen=T0,
                last_changed=T0, last_seen=T0)
    session.add(item)
    session.flush()
    session.add(ItemRevision(item_id=item.id, number=1, captured_at=T0, url=item.url,
                             published=published, title=title, lead=item.lead, body=body))
    return item


def edit_item(session: Session, item: Item, run: CrawlRun, number: int, when: datetime,
              **fields: str) -> None:
    """A later revision of `item` with `fields` changed, and its "edited" event."""
    previous = {name: getattr(item, name) for name in fields}
    for name, value in fields.items():
        setattr(item, name, value)
    item.last_changed = when
    session.add(ItemRevision(item_id=item.id, number=number, captured_at=when, url=item.url,
                             published=item.published, title=item.title, lead=item.lead,
                             body=item.body, changed_fields=list(fields)))
    session.add(ChangeEvent(item_id=item.id, run_id=run.id, kind="edited", detected_at=when,
                            fields=list(fields), revision_number=number, url=item.url,
                            title=item.title, previous=previous))


def sample_history(sessions: sessionmaker[Session]) -> dict[str, int]:
    """30 items over 14 months, one edited twice, one with a hostile title; returns ids."""
    with sessions() as session, session.begin():
        source = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en",
                        last_success_at=T0)
        session.add(source)
        session.flush()
        run = CrawlRun(source_id=source.id, started_at=T0, outcome="changed")
        session.add(run)
        items = [add_item(session, source, n, f"Council meeting number {n}",
                          date(2025, 1, 1) + timedelta(days=14 * n),
                          f"Paragraph one of {n}.\n\nThe delegates discussed matter {n}.",
                          section="news_odkb" if n % 3 else "speech") for n in range(1, 29)]
        edited = add_item(session, source, 100, "Secretary General visits Minsk",
                          date(2026, 2, 10), "The visit began.\n\nTalks covered "
                          "the quokka programme and border security.")
        hostile = add_item(session, source, 101, HOSTILE, date(2026, 2, 11),
                           "Body with <b>markup</b> & ampersands.")
        session.flush()
        session.add(ChangeEvent(item_id=items[-1].id, run_id=run.id, kind="new",
                                detected_at=T0, revision_number=1, url=items[-1].url,
                                title=items[-1].title))
        edit_item(session, edited, run, 2, T0 + timedelta(hours=1),
                  body="The visit began on Monday.\n\nTalks covered the quokka programme "
                       "and border security.")
        edit_item(session, edited, run, 3, T0 + timedelta(hours=2),
                  title="Secretary General visits Minsk and Astana")
        return {"edited": edited.id, "hostile": hostile.id, "newest_plain": items[-1].id}
