"""/api/v1/ against a stored history, on SQLite and PostgreSQL; every reply is checked
against the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from openapi_spec_validator import validate
from sqlalchemy.orm import Session, sessionmaker

from csto_monitor.web.api.openapi import document
from tests.api.helpers import T0, add_events, add_items, conforms, get
from tests.web.helpers import HOSTILE, LiveServer

ITEMS, ITEM, CHANGES = "/api/v1/items", "/api/v1/items/{id}", "/api/v1/changes"
ITEM_FIELDS = ["id", "url", "title", "published", "section", "language", "lead", "status",
               "first_seen", "last_changed", "counterpart", "revisions", "found_in",
               "snippet"]  # as `history` (found_in, snippet: with a search only; here null)
CHANGE_FIELDS = ["id", "kind", "item_id", "url", "title", "detected_at", "fields",
                 "published", "section", "language"]  # as `history --changes --format json`


def test_the_openapi_document_is_valid_3_1_and_served(api: LiveServer) -> None:
    validate(document())
    reply = get(api.url + "/api/v1/openapi.json")
    assert reply.status == 200 and reply.json() == document()
    assert reply.json()["openapi"] == "3.1.0" and "ETag" in reply.headers


def test_items_are_the_history_rows_newest_first(api: LiveServer,
                                                 history_ids: dict[str, int]) -> None:
    body = conforms(get(api.url + ITEMS + "?limit=3"), ITEMS)
    assert [list(i) for i in body["items"]] == [ITEM_FIELDS] * 3
    assert [i["id"] for i in body["items"]] == [history_ids["hostile"], history_ids["edited"],
                                                history_ids["newest_plain"]]
    first = body["items"][0]
    assert first["title"] == HOSTILE and first["published"] == "2026-02-11"
    assert first["first_seen"] == "2026-01-05T09:30:00+00:00" and first["status"] == "active"
    assert body["items"][1]["revisions"] == 3 and body["next_cursor"]


@pytest.mark.parametrize(("query", "count"), [
    ("q=quokka", 1), ("q=QUOKKA%20prog*", 1), ("q=QUOKKA%20prog", 0), ("section=speech", 9),
    ("lang=ru", 0),
    ("since=2026-01-01&until=2026-02-10", 3), ("status=removed", 0), ("status=active", 30),
])
def test_items_filters(api: LiveServer, history_ids: dict[str, int], query: str,
                       count: int) -> None:
    body = conforms(get(f"{api.url}{ITEMS}?limit=500&{query}"), ITEMS)
    assert len(body["items"]) == count and body["next_cursor"] is None


def test_one_item_has_every_revision(api: LiveServer, history_ids: dict[str, int]) -> None:
    body = conforms(get(f"{api.url}/api/v1/items/{history_ids['edited']}"), ITEM)
    assert body["title"] == "Secretary General visits Minsk and Astana"
    assert "quokka" in body["body"] and body["attachments"] == []
    assert [(r["number"], r["fields"]) for r in body["revisions"]] == [
        (1, []), (2, ["body"]), (3, ["title"])]
    assert body["revisions"][0]["title"] == "Secretary General visits Minsk"
    assert body["revisions"][2]["detected_at"] == "2026-01-05T11:30:00+00:00"
    missing = get(f"{api.url}/api/v1/items/99999")
    assert conforms(missing, ITEM)["error"]["code"] == "not_found" and missing.status == 404


def test_changes_are_the_history_change_rows(api: LiveServer,
                                             history_ids: dict[str, int]) -> None:
    body = conforms(get(api.url + CHANGES), CHANGES)
    assert [list(c) for c in body["changes"]] == [CHANGE_FIELDS] * 3
    assert [(c["kind"], c["fields"]) for c in body["changes"]] == [
        ("edited", ["title"]), ("edited", ["body"]), ("new", [])]
    assert body["changes"][0]["detected_at"] == "2026-01-05T11:30:00+00:00"
    for query, kinds in (("kind=new", ["new"]), ("since=2026-01-05T10:00:00Z",
                                                 ["edited", "edited"]),
                         ("until=2026-01-05T10:30", ["edited", "new"]),
                         ("since=2026-01-06", []), ("until=2026-01-05&section=news_odkb",
                                                    ["edited", "edited", "new"])):
        found = conforms(get(f"{api.url}{CHANGES}?{query}"), CHANGES)["changes"]
        assert [c["kind"] for c in found] == kinds, query


def test_etag_and_304(api: LiveServer, history_ids: dict[str, int],
                      sessions: sessionmaker[Session]) -> None:
    for path in (ITEMS, f"/api/v1/items/{history_ids['edited']}", CHANGES,
                 "/api/v1/openapi.json"):
        first = get(api.url + path)
        etag = first.headers["ETag"]
        again = get(api.url + path, {"If-None-Match": etag})
        assert again.status == 304 and again.body == b"" and again.headers["ETag"] == etag
        assert get(api.url + path, {"If-None-Match": f'W/{etag}, "x"'}).status == 304
        assert get(api.url + path, {"If-None-Match": '"other"'}).status == 200
    etag = get(api.url + ITEMS).headers["ETag"]
    add_items(sessions, 1, start=date(2027, 1, 1))
    assert get(api.url + ITEMS, {"If-None-Match": etag}).status == 200


@pytest.mark.parametrize(("path", "message"), [
    (ITEMS + "?limit=0", "limit: Input should be greater than or equal to 1"),
    (ITEMS + "?limit=lots", "limit: Input should be a valid integer"),
    (ITEMS + "?lang=fr", "lang: Input should be 'en' or 'ru'"),
    (ITEMS + "?since=2025-13-01", "since: Input should be a valid date"),
    (ITEMS + "?since=2026-02-01&until=2026-01-01", "since: after until"),
    (ITEMS + "?status=gone", "status: Input should be 'active' or 'removed'"),
    (ITEMS + "?language=en", "language: unknown parameter; this endpoint takes limit, "
                             "cursor, section, lang, q, sort, since, until, status"),
    (ITEMS + "?cursor=garbage", "cursor: not a cursor this API gave out"),
    (CHANGES + "?kind=moved",
     "kind: Input should be 'new', 'edited', 'removed', 'document_changed' or 'diverged'"),
    (CHANGES + "?since=yesterday", "since: not a valid date or date-time"),
    (CHANGES + "?until=2026-02-30", "until: not a valid date or date-time"),
    (CHANGES + "?cursor=eyJrIjpudWxsfQ", "cursor: not a cursor this API gave out"),
    ("/api/v1/items/abc", "id: 'abc' is not an item id"),
])
def test_a_bad_parameter_is_a_400_naming_it(api: LiveServer, path: str, message: str) -> None:
    reply = get(api.url + path)
    template = ITEM if path.startswith("/api/v1/items/") else path.split("?")[0]
    body = conforms(reply, template)
    assert reply.status == 400 and body["error"]["code"] == "bad_parameter"
    assert body["error"]["message"].startswith(message), body


def test_a_cursor_belongs_to_its_filters(api: LiveServer, history_ids: dict[str, int]) -> None:
    cursor = get(api.url + ITEMS + "?limit=2&section=speech").json()["next_cursor"]
    assert get(f"{api.url}{ITEMS}?limit=5&section=speech&cursor={cursor}").status == 200
    reply = get(f"{api.url}{ITEMS}?section=news_odkb&cursor={cursor}")
    assert reply.status == 400 and "other filters" in reply.json()["error"]["message"]


def test_unknown_paths_and_methods_are_json_errors(api: LiveServer) -> None:
    for path in ("/api/v1/nothing", "/api/v2/items", "/api/"):
        reply = get(api.url + path)
        assert reply.status == 404 and reply.json()["error"]["code"] == "not_found", path


def _page_all(api: LiveServer, path: str, key: str, limit: int, between: object) -> list[int]:
    seen: list[int] = []
    cursor = ""
    while True:
        query = f"?limit={limit}" + (f"&cursor={quote(cursor)}" if cursor else "")
        body = conforms(get(api.url + path + query), path)
        seen += [row["id"] for row in body[key]]
        if body["next_cursor"] is None:
            return seen
        cursor = body["next_cursor"]
        between(len(seen))  # type: ignore[operator]


def test_paging_1000_items_while_items_are_stored_skips_and_repeats_nothing(
        api: LiveServer, sessions: sessionmaker[Session]) -> None:
    add_items(sessions, 1000)  # 3 a day: many share a date, so ties are broken by id
    before = _page_all(api, ITEMS, "items", 500, lambda n: None)
    assert len(before) == 1000

    def poll(n: int) -> None:  # newer, older and same-day items, as a poll or backfill adds
        add_items(sessions, 3, first=10_000 + n, start=date(2023, 6, 1) + timedelta(days=n))
        add_items(sessions, 2, first=20_000 + n, start=date(2030, 1, 1))

    paged = _page_all(api, ITEMS, "items", 37, poll)
    assert paged == before  # the listing as it was at its first page, in the same order
    assert len(_page_all(api, ITEMS, "items", 500, lambda n: None)) > 1000


def test_paging_changes_while_events_are_stored_skips_and_repeats_nothing(
        api: LiveServer, sessions: sessionmaker[Session]) -> None:
    ids = add_items(sessions, 300)
    for k in range(3):  # events of three polls, 100 in each (ties on detected_at)
        add_events(sessions, ids[k * 100:(k + 1) * 100], T0 + timedelta(minutes=k))
    before = _page_all(api, CHANGES, "changes", 500, lambda n: None)
    paged = _page_all(api, CHANGES, "changes", 29, lambda n: add_events(
        sessions, ids[:2], T0 + timedelta(minutes=n % 5)))
    assert paged == before and len(set(paged)) == 300


def test_the_history_page_links_the_openapi_document(api: LiveServer) -> None:
    assert 'href="/api/v1/openapi.json"' in get(api.url + "/").text
