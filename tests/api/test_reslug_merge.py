"""Issue 24: a re-slug merge stored by the poll's own writer is named on the web item page
(old URL, why, how to undo it), and the API's revisions carry the `url` change."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.models import Source
from monitor import store
from monitor.snapshot import EditedChange, StoredItem
from scraper.items import NewsItem
from tests.api.helpers import conforms, get
from tests.web.helpers import T0, LiveServer, add_item, fetch

OLD = "https://en.odkb-csto.org/news/news_odkb/item-1/"
NEW = "https://en.odkb-csto.org/news/news_odkb/item-1-fixed/"


def merged_item(sessions: sessionmaker[Session], reason: str) -> int:
    """A stored item moved to a new URL by a confirmed re-slug, as a poll records it."""
    with sessions() as session, session.begin():
        source = Source(name="csto-en", url="http://127.0.0.1:9/news/", language="en")
        session.add(source)
        session.flush()
        item = add_item(session, source, 1, "The Council met in Minsk", T0.date(), "Body.")
        stored = StoredItem(item.id, OLD, item.published, item.title, item.lead, item.body,
                            True, ())
        read = NewsItem(url=NEW, section="news_odkb", slug="item-1-fixed", language="en",
                        published=item.published, title=item.title, lead=item.lead,
                        body=["Body."])
        run = store.start_run(session, source, T0)
        change = EditedChange(stored, read, ("url",), reslug=reason)
        store.apply_changes(session, source, run, [change], record_events=True)
        return item.id


def test_the_item_page_names_the_old_url_and_why(api: LiveServer,
                                                 sessions: sessionmaker[Session]) -> None:
    item_id = merged_item(sessions, "410")
    page = fetch(f"{api.url}/items/{item_id}").text
    assert (f"URL history: merged from {OLD} at revision 2 (the old URL answered 410 Gone)"
            f" · undo with <code>csto-monitor unmerge {item_id}</code>") in page


def test_the_api_revisions_carry_the_url_change(api: LiveServer,
                                                sessions: sessionmaker[Session]) -> None:
    item_id = merged_item(sessions, "redirect")
    path = "/api/v1/items/{id}"
    body = conforms(get(f"{api.url}/api/v1/items/{item_id}"), path)
    assert [(r["number"], r["fields"], r["url"]) for r in body["revisions"]] == [
        (1, [], OLD), (2, ["url"], NEW)]
    assert body["url"] == NEW
