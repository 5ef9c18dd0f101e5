"""GET /feed.atom[?section=&lang=]: the latest change events as an Atom feed (feedgen).

One entry per item, identified by the item's URL: when an item is edited, its entry comes
back to the top with a new `updated` time and the current title and lead, which is what
feed readers show as an updated entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web
from feedgen.feed import FeedEntry, FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.models import ChangeEvent, Item, utcnow
from csto_monitor.web.context import in_thread

ENTRIES = 50
# Characters XML 1.0 forbids; a scraped string containing one would make lxml refuse it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_KIND_PREFIX = {"new": "", "edited": "Edited: ", "removed": "Removed: ",
                "document_changed": "Document changed: ", "diverged": "Versions differ: "}


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class FeedQuery:
    section: str | None
    language: str | None
    origin: str  # scheme://host[:port] of this server, for links to its item pages
    self_url: str
    signup_url: str | None = None  # the email sign-up form, when it is on


def latest_events(session: Session, query: FeedQuery) -> list[ChangeEvent]:
    """The newest event of each of the items changed most recently."""
    stmt = (select(ChangeEvent).join(ChangeEvent.item).options(joinedload(ChangeEvent.item))
            .order_by(ChangeEvent.detected_at.desc(), ChangeEvent.id.desc())
            .limit(ENTRIES * 4))
    if query.section:
        stmt = stmt.where(Item.section == query.section)
    if query.language:
        stmt = stmt.where(Item.language == query.language)
    newest: dict[int, ChangeEvent] = {}
    for event in session.scalars(stmt):
        newest.setdefault(event.item_id, event)
    return list(newest.values())[:ENTRIES]


def _entry(entry: FeedEntry, event: ChangeEvent) -> None:
    item = event.item
    entry.id(xml_text(item.url))
    entry.title(xml_text(_KIND_PREFIX.get(event.kind, "") + item.title))
    entry.updated(event.detected_at)
    entry.published(item.first_seen)
    # One link only: feedgen 1.0 drops the rel of entry links, and a second link would be
    # read as a second "alternate". Every revision is one click away on the history page.
    entry.link(href=xml_text(item.url))
    summary = item.lead or item.body.split("\n\n", 1)[0]
    if event.kind == "edited" and event.fields:
        summary = f"Changed: {', '.join(event.fields)}.\n\n{summary}"
    entry.summary(xml_text(summary) or None)
    entry.category(term=xml_text(item.section))


def build_feed(session: Session, query: FeedQuery) -> bytes:
    events = latest_events(session, query)
    feed = FeedGenerator()
    feed.id(query.self_url)
    scope = " · ".join(x for x in (query.section, query.language) if x)
    feed.title("CSTO news: new, edited and removed" + (f" ({scope})" if scope else ""))
    feed.author({"name": "csto-monitor"})
    feed.link(href=query.self_url, rel="self")
    feed.link(href=f"{query.origin}/", rel="alternate")
    if query.signup_url:  # feed readers show "related" links: where to get it by email
        feed.link(href=query.signup_url, rel="related", title="Subscribe by email")
    feed.updated(max((e.detected_at for e in events), default=None) or utcnow())
    for event in events:
        _entry(feed.add_entry(order="append"), event)
    result: bytes = feed.atom_str(pretty=True)
    return result


def _signup_url(request: web.Request) -> str | None:
    from csto_monitor.web.signup import SIGNUP  # the form's module only when asked for

    return f"{request.url.origin()}/subscribe" if SIGNUP in request.app else None


async def handler(request: web.Request) -> web.Response:
    lang = request.query.get("lang") or None
    if lang not in (None, "en", "ru"):
        raise web.HTTPBadRequest(text=f"lang={lang!r}: use en or ru, or leave it out")
    query = FeedQuery(section=request.query.get("section") or None, language=lang,
                      origin=str(request.url.origin()), self_url=str(request.url),
                      signup_url=_signup_url(request))
    body = await in_thread(request, lambda s: build_feed(s, query))
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")
