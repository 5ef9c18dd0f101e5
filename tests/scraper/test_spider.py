"""The spider's decisions, fed with responses built in memory (no network)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from scraper.failures import describe_failure
from scraper.items import KnownItem, ListingEntry, NewsItem, ProbeResult
from scraper.request import CrawlRequest, Revisit
from scraper.spiders.news import NewsSpider
from tests.scraper.site import page

SOURCE = "https://en.odkb-csto.org/news/"
BASE = "https://en.odkb-csto.org"
GLUED = f"{BASE}/news/news_odkb/anons-joint-exercise-interaction-2025/"
INTERVIEW = f"{BASE}/news/smi/interview_of_the_secretary%20general_to_ria.novosti2/"
STATEMENT = f"{BASE}/documents/statements/statement-of-the-csto-foreign-ministers/"


def spider(
    known: Mapping[str, KnownItem] | None = None,
    pages: int = 1,
    recheck_latest: int = 0,
    etag: str | None = None,
    last_modified: str | None = None,
) -> NewsSpider:
    return NewsSpider(request=CrawlRequest(
        source_name="en",
        source_url=SOURCE,
        language="en",
        pages=pages,
        recheck_latest=recheck_latest,
        known=known or {},
        etag=etag,
        last_modified=last_modified,
        selectors={"listing_item": None, "detail_title": None, "detail_body": None},
    ))


def response(
    url: str, body: str, status: int = 200, headers: dict[str, str] | None = None
) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body.encode(), encoding="utf-8", headers=headers)


def split(results: Iterable[Any]) -> tuple[list[ListingEntry], list[Request]]:
    items = list(results)
    return (
        [i for i in items if isinstance(i, ListingEntry)],
        [i for i in items if isinstance(i, Request)],
    )


def test_first_request_is_conditional() -> None:
    s = spider(etag='"v1"', last_modified="Fri, 07 Feb 2025 10:00:00 GMT")
    request = s._listing_request(1)
    assert request.url == SOURCE
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Fri, 07 Feb 2025 10:00:00 GMT"
    assert request.meta["handle_httpstatus_list"] == [304]
    assert s._listing_request(2).url == SOURCE + "?PAGEN_1=2"
    assert b"If-None-Match" not in s._listing_request(2).headers


def test_not_modified_ends_the_crawl() -> None:
    s = spider(etag='"v1"')
    assert list(s.parse_listing(response(SOURCE, "", status=304), page=1)) == []
    assert s.outcome.not_modified


def test_listing_page_yields_entries_validators_and_the_next_page() -> None:
    s = spider(pages=2)
    validators = {"ETag": '"v2"', "Last-Modified": "x"}
    first = response(SOURCE, page("bitrix/listing_1.html"), headers=validators)
    entries, requests = split(s.parse_listing(first, page=1))
    assert [e.position for e in entries] == [0, 1, 2, 3]
    assert {e.page for e in entries} == {1}
    assert [r.url for r in requests] == [SOURCE + "?PAGEN_1=2"]
    assert (s.outcome.etag, s.outcome.last_modified, s.outcome.listing_pages_ok) == ('"v2"', "x", 1)


def test_a_repeated_page_stops_paging_and_starts_details() -> None:
    s = spider(pages=5)
    list(s.parse_listing(response(SOURCE, page("bitrix/listing_1.html")), page=1))
    second = response(SOURCE + "?PAGEN_1=2", page("bitrix/listing_2.html"))
    entries, requests = split(s.parse_listing(second, page=2))
    assert [e.position for e in entries] == [4, 5, 6, 7]  # the box's repeat of item 0 is skipped
    assert requests[0].url == SOURCE + "?PAGEN_1=3"
    again = response(SOURCE + "?PAGEN_1=3", page("bitrix/listing_2.html"))
    entries, requests = split(s.parse_listing(again, page=3))
    assert entries == []
    assert len(requests) == 8 and all(r.callback == s.parse_detail for r in requests)


def test_empty_first_page_is_a_listing_error() -> None:
    s = spider()
    assert list(s.parse_listing(response(SOURCE, "<html><body>Redesigned!</body></html>"), 1)) == []
    assert s.outcome.listing_errors == [
        f"no news items found on {SOURCE}: the page markup may have changed"
    ]


def _entries_of_page_1() -> list[ListingEntry]:
    entries, _ = split(spider().parse_listing(response(SOURCE, page("bitrix/listing_1.html")), 1))
    return entries


def test_which_details_are_fetched_and_which_urls_are_probed() -> None:
    first, glued, interview, statement = _entries_of_page_1()
    known = {
        first.url: KnownItem(first.fingerprint(), first.published, active=True),  # recheck
        glued.url: KnownItem("stale-hash", glued.published, active=True),  # changed
        interview.url: KnownItem(interview.fingerprint(), interview.published, active=True),
        statement.url: KnownItem(statement.fingerprint(), statement.published, active=False),
        f"{BASE}/news/news_odkb/gone/": KnownItem("h", date(2025, 2, 2), active=True),
        f"{BASE}/news/news_odkb/on-the-oldest-day/": KnownItem("h", date(2025, 2, 1), active=True),
        f"{BASE}/news/news_odkb/older/": KnownItem("h", date(2025, 1, 31), active=True),
        f"{BASE}/news/news_odkb/removed/": KnownItem("h", date(2025, 2, 4), active=False),
        f"{BASE}/news/news_odkb/no-date/": KnownItem("h", None, active=True),
    }
    s = spider(known=known, recheck_latest=1)
    _, requests = split(s.parse_listing(response(SOURCE, page("bitrix/listing_1.html")), 1))
    details = [r.url for r in requests if r.callback == s.parse_detail]
    probes = [r for r in requests if r.callback == s.parse_probe]
    assert details == [first.url, glued.url, statement.url]
    assert [r.url for r in probes] == [
        f"{BASE}/news/news_odkb/gone/",
        f"{BASE}/news/news_odkb/on-the-oldest-day/",
    ]
    assert probes[0].meta["handle_httpstatus_list"] == [404, 410, 301, 302, 303, 307, 308]
    assert probes[0].meta["dont_redirect"] is True


def test_detail_page_becomes_a_news_item() -> None:
    entry = _entries_of_page_1()[1]
    s = spider()
    [item] = list(s.parse_detail(response(GLUED, page("bitrix/detail_glued.html")), entry=entry))
    assert isinstance(item, NewsItem)
    assert (item.url, item.section, item.slug, item.language) == (
        GLUED,
        "news_odkb",
        "anons-joint-exercise-interaction-2025",
        "en",
    )
    assert item.published == date(2025, 2, 5)
    assert item.lead == entry.lead  # the listing's lead wins
    assert item.body[0].startswith("On 10 February")
    assert item.listing_hash == entry.fingerprint()


def test_detail_lead_falls_back_to_the_first_paragraph() -> None:
    entry = _entries_of_page_1()[2]
    assert entry.lead == ""
    s = spider()
    [item] = s.parse_detail(response(INTERVIEW, page("bitrix/detail_attachments.html")), entry)
    assert isinstance(item, NewsItem)
    assert item.lead == item.body[1] == "– How do you assess the year?"  # body[0]: subtitle
    assert item.section == "smi"
    assert len(item.attachments) == 2


def test_unreadable_detail_is_a_detail_error() -> None:
    entry = _entries_of_page_1()[3]
    s = spider()
    assert list(s.parse_detail(response(STATEMENT, page("bitrix/detail_nodate.html")), entry)) == []
    assert s.outcome.detail_errors == [
        f"{STATEMENT}: no article date (dd.mm.yyyy) after the title "
        "'A page the scraper cannot read'"
    ]


def _failure(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_probe_statuses() -> None:
    s = spider()
    url = f"{BASE}/news/news_odkb/gone/"
    gone = response(url, "", status=404)
    assert list(s.parse_probe(gone, url=url)) == [ProbeResult(url, 404)]
    request = Request(url, cb_kwargs={"url": url})
    error: Response = response(url, "", status=503)
    results = list(s.probe_failed(_failure(HttpError(error, "Ignoring"), request)))
    assert results == [ProbeResult(url, 503)]
    assert s.outcome.detail_errors == [f"{url}: HTTP 503 (probe)"]


def test_a_probe_reads_where_a_redirect_goes_and_says_when_nothing_answered() -> None:
    s = spider()
    url = f"{BASE}/news/news_odkb/old-slug/"
    moved = response(url, "", status=301,
                     headers={"Location": "/news/news_odkb/new-slug?bxajaxid=1#loaded"})
    assert list(s.parse_probe(moved, url=url)) == [
        ProbeResult(url, 301, location=f"{BASE}/news/news_odkb/new-slug/")]
    home = response(url, "", status=302, headers={"Location": "/"})
    assert list(s.parse_probe(home, url=url)) == [ProbeResult(url, 302)]
    request = Request(url, cb_kwargs={"url": url}, meta={"download_timeout": 3})
    assert list(s.probe_failed(_failure(TimeoutError(), request))) == [ProbeResult(url, 0)]
    assert s.outcome.detail_errors == [f"cannot reach {url}: timeout after 3 s (probe)"]


def test_failures_read_well() -> None:
    request = Request(SOURCE, meta={"download_timeout": 30})
    assert describe_failure(_failure(TimeoutError(), request), request) == (
        f"cannot reach {SOURCE}: timeout after 30 s"
    )
    assert describe_failure(_failure(ConnectionRefusedError(), request), request) == (
        f"cannot reach {SOURCE}: connection refused"
    )
    assert describe_failure(_failure(DNSLookupError(), request), request) == (
        f"cannot reach {SOURCE}: DNS lookup failed (no such host?)"
    )


def test_a_failed_later_listing_page_still_fetches_details() -> None:
    s = spider(pages=2)
    list(s.parse_listing(response(SOURCE, page("bitrix/listing_1.html")), page=1))
    request = s._listing_request(2)
    requests = list(s.listing_failed(_failure(ConnectionRefusedError(), request)))
    assert s.outcome.listing_errors == [f"cannot reach {request.url}: connection refused"]
    assert len(requests) == 4
    first_page_failure = spider()
    request = first_page_failure._listing_request(1)
    assert list(first_page_failure.listing_failed(_failure(TimeoutError(), request))) == []


def _revisiting(revisit: Revisit) -> NewsSpider:
    return NewsSpider(request=CrawlRequest(
        source_name="en", source_url=SOURCE, language="en", pages=1, etag='"v1"',
        revisits=(revisit,), fetch_documents=True))


REVISIT = Revisit(url=INTERVIEW, published=date(2025, 1, 30), title="Interview",
                  lead="The stored lead.", listing_hash="stored-hash", etag='"p1"',
                  last_modified="Fri, 07 Feb 2025 10:00:00 GMT",
                  attachments=(f"{BASE}/upload/stored.pdf",))


def test_a_listing_answered_304_still_sends_the_due_revisits_conditionally() -> None:
    s = _revisiting(REVISIT)
    [request] = s.parse_listing(response(SOURCE, "", status=304), page=1)
    assert request.url == INTERVIEW and request.callback == s.parse_revisit
    assert request.headers[b"If-None-Match"] == b'"p1"'
    assert request.headers[b"If-Modified-Since"] == b"Fri, 07 Feb 2025 10:00:00 GMT"
    assert request.meta["handle_httpstatus_list"] == [304, 404, 410]


def test_a_revisit_answered_304_rechecks_the_pages_files_and_one_answered_200_is_read() -> None:
    s = _revisiting(REVISIT)
    [document] = s.parse_revisit(response(INTERVIEW, "", status=304), REVISIT)
    assert isinstance(document, Request) and document.url == f"{BASE}/upload/stored.pdf"
    assert s.outcome.revisits_unchanged == [INTERVIEW]
    html = page("bitrix/detail_attachments.html")
    results = list(s.parse_revisit(response(INTERVIEW, html, headers={"ETag": '"p2"'}),
                                   REVISIT))
    [item] = [r for r in results if isinstance(r, NewsItem)]
    files = [r for r in results if isinstance(r, Request)]
    assert item.listing_hash == "stored-hash" and item.lead == "The stored lead."
    assert len(files) == len(item.attachments) == 2  # the page's files pass through
    assert s.outcome.page_validators[INTERVIEW] == ('"p2"', None)
    assert [e.url for e in s.outcome.revisited] == [INTERVIEW]
    [gone] = s.parse_revisit(response(INTERVIEW, "", status=410), REVISIT)
    assert gone == ProbeResult(url=INTERVIEW, status=410)


def test_a_revisit_the_listing_already_reads_is_not_sent_twice() -> None:
    entry = ListingEntry(url=INTERVIEW, published=date(2025, 1, 30), title="Interview",
                         lead="", page=1, position=0)
    s = _revisiting(REVISIT)
    s._entries, s._listed = [entry], {INTERVIEW}  # new on the listing: its page is read
    requests = list(s._follow_up())
    assert [r.callback for r in requests] == [s.parse_detail]
