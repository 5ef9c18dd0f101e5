"""GET / (history: search, filters, paging, monthly chart) and GET /items/<id>."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from core.models import Item
from csto_monitor.web import queries
from csto_monitor.web.chart import monthly_chart
from csto_monitor.web.context import TEMPLATES, error_page, in_thread
from csto_monitor.web.diffhtml import document_views, html_diff
from csto_monitor.web.queries import KINDS, PAGE_SIZE, Query
from monitor import divergence_store
from monitor.pair_store import counterpart, counterparts
from monitor.read.history import document_texts
from monitor.read.search import document_hits, translation_hits
from monitor.read.snippets import snippet
from monitor.read.translated import english_texts
from monitor.textdiff import clip
from notifier.story_words import describe_divergence

SUMMARY_WIDTH = 280


class BadQuery(ValueError):
    """A form value that cannot be used, worded for the page."""


def _date(params: Mapping[str, str], name: str) -> date | None:
    text = params.get(name, "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise BadQuery(f"“{text}” is not a date for {name}; use YYYY-MM-DD, "
                       "e.g. 2025-07-01") from None


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = params.get(name, "")
    if value and value not in allowed:
        raise BadQuery(f"{name} must be one of {', '.join(allowed)} (or empty), "
                       f"not “{value}”")
    return value


def _page(params: Mapping[str, str]) -> int:
    text = params.get("page", "1") or "1"
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise BadQuery(f"page must be a number from 1, not “{text}”")
    return int(text)


def parse_query(params: Mapping[str, str]) -> Query:
    since, until = _date(params, "since"), _date(params, "until")
    if since and until and since > until:
        raise BadQuery("since is after until: swap the two dates")
    return Query(q=params.get("q", "")[:500], section=params.get("section", "")[:64],
                 lang=_choice(params, "lang", ("en", "ru")), since=since, until=until,
                 kind=_choice(params, "kind", KINDS), sort=_choice(params, "sort", ("date",)),
                 page=_page(params))


def _link(query: Query, **changes: Any) -> str:
    """The history URL for `query` with some fields changed (empty values left out)."""
    values = {**query.__dict__, **changes}
    params = {k: str(v) for k, v in values.items() if v and not (k == "page" and v == 1)}
    return "/?" + urlencode(params) if params else "/"


def _summary(lead: str, body: str) -> str:
    return clip(lead or body.split("\n\n", 1)[0], SUMMARY_WIDTH)


def _rows(session: Session, q: str, items: list[Item]) -> list[dict[str, Any]]:
    """The page's results; with a search, where each was found and its words in context
    (a Russian-only story found by its stored English: that English, and so said)."""
    ids = [i.id for i in items]
    hits = document_hits(session, q, ids) if q else {}
    in_translation = translation_hits(session, q, ids) if q else set()
    texts = document_texts(session, list(hits)) if q else {}
    english = english_texts(session, items) if q else {}
    others = counterparts(session, ids)
    return [{"item": i, "summary": _summary(i.lead, i.body), "revisions": len(i.revisions),
             "in_documents": hits.get(i.id, []), "in_translation": i.id in in_translation,
             "counterpart": others.get(i.id), "both_found": False,
             "snippet": _snippet(q, i, [*texts.get(i.id, []), i.title, *english.get(i.id, [])])}
            for i in items]


def _history(session: Session, query: Query, env: Any) -> str:
    page = queries.page_of_items(session, query)
    pages = max(1, -(-page.total // PAGE_SIZE))
    rows = _rows(session, query.q, page.items)
    if query.q and not query.lang:
        rows = _one_row_per_story(rows)
    return str(env.get_template("history.html").render(
        query=query, rows=rows, total=page.total, page=query.page, pages=pages,
        sections=queries.sections(session), kinds=KINDS,
        facets=_facet_links(query, queries.search_facets(session, query)),
        chart=monthly_chart(queries.month_counts(session, query)),
        prev_url=_link(query, page=query.page - 1) if query.page > 1 else None,
        next_url=_link(query, page=query.page + 1) if query.page < pages else None))


def _facet_links(query: Query, counts: dict[str, dict[str, int]]
                 ) -> dict[str, list[tuple[str, int, str]]]:
    """Each facet's values as (label, count, URL of the search narrowed to it)."""
    def narrowed(name: str, value: str) -> str:
        if name == "year":
            return _link(query, since=f"{value}-01-01", until=f"{value}-12-31", page=1)
        return _link(query, **{"section" if name == "section" else "lang": value}, page=1)

    return {name: [(value, n, narrowed(name, value)) for value, n in values.items()]
            for name, values in counts.items()}


def _snippet(q: str, item: Item, others: list[str]) -> Markup | None:
    """The matched words in context, each in <mark>: from the lead, the body, then `others`
    (found documents, the title, a Russian-only story's stored English), as `history`."""
    if not q.strip():
        return None
    found = snippet(q, [item.lead, item.body, *others])
    if found is None:
        return None
    return Markup(found.marked(lambda w: f"<mark>{escape(w)}</mark>", lambda t: str(escape(t))))


def _one_row_per_story(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A story found in both languages is one result: its first row on the page stays and
    shows the other version under it; the other version's own row goes."""
    shown = {row["item"].id for row in rows}
    kept, dropped = [], set()
    for row in rows:
        if row["item"].id in dropped:
            continue
        other = row["counterpart"]
        if other is not None and other.id in shown:
            dropped.add(other.id)
            row["both_found"] = True
        kept.append(row)
    return kept


async def history_page(request: web.Request) -> web.Response:
    try:
        query = parse_query(request.query)
    except BadQuery as exc:
        return error_page(request, 400, "Cannot search like that", str(exc))
    env = request.app[TEMPLATES]
    html = await in_thread(request, lambda s: _history(s, query, env))
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def _item(session: Session, item_id: int, env: Any) -> str | None:
    item = queries.item_with_revisions(session, item_id)
    if item is None:
        return None
    other = counterpart(session, item.id)
    other_item = queries.item_with_revisions(session, other.id) if other else None
    return str(env.get_template("item.html").render(
        item=item, revisions=_revisions(item), documents=document_views(item.documents),
        paragraphs=_paragraphs(item.body), other=other, other_item=other_item,
        other_revisions=_revisions(other_item) if other_item else [],
        other_paragraphs=_paragraphs(other_item.body) if other_item else [],
        divergences=_divergences(session, [item.id, *([other.id] if other else [])]),
        merges=_merges(session, item.id)))


def _merges(session: Session, item_id: int) -> list[dict[str, Any]]:
    """The item's re-slug merges: the old URL, why, and whether `unmerge` can undo it."""
    from monitor.reslug_store import describe, merges_of

    return [{"text": describe(m, item_id),
             "undoable": m.unmerged_at is None and m.item_id == item_id}
            for m in merges_of(session, [item_id])]


def _divergences(session: Session, item_ids: list[int]) -> list[dict[str, Any]]:
    """The story's `diverged` events: when, and which version changed without the other."""
    return [{"detected_at": e.detected_at, "language": e.item.language,
             "text": describe_divergence("en", e.item.language, e.previous, e.fields)}
            for e in divergence_store.divergences(session, item_ids)]


def _paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def _revisions(item: Item) -> list[dict[str, Any]]:
    """Every revision with its diff from the one before, newest first."""
    revisions = [{"revision": r, "diff": html_diff(before, r) if before else []}
                 for before, r in zip([None, *item.revisions], item.revisions, strict=False)]
    return list(reversed(revisions))


async def item_page(request: web.Request) -> web.Response:
    key = request.match_info["item_id"]
    if not key.isdigit() or len(key) > 18:
        raise web.HTTPNotFound()
    env = request.app[TEMPLATES]
    html = await in_thread(request, lambda s: _item(s, int(key), env))
    if html is None:
        raise web.HTTPNotFound()
    return web.Response(text=html, content_type="text/html", charset="utf-8")

