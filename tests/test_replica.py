"""The site replica behaves as the scraper's tests need: pages, caching, removals, faults."""

from __future__ import annotations

import dataclasses
import http.client
import re
import socket
import urllib.error
import urllib.request
from datetime import date, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from parsel import Selector

from tests.replica import (
    Article,
    ReplicaServer,
    World,
    make_article,
    sample_articles,
    seed_article,
    seed_articles,
)

ITEM_PATH = re.compile(r"^/news/[^/]+/[^/]+/?$|^/documents/statements/[^/]+/?$")
DATE = re.compile(r"\d\d\.\d\d\.\d{4}")
TODAY = date(2030, 1, 1)


def fetch(url: str, headers: dict[str, str] | None = None,
          timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET, redirects followed, errors returned not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def raw_get(server: ReplicaServer, path: str, timeout: float = 5) -> http.client.HTTPResponse:
    """A GET with http.client (no redirect following); the response is not read yet."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    conn.request("GET", path)
    return conn.getresponse()


def page(server: ReplicaServer, path: str = "/news/") -> Selector:
    status, _, body = fetch(server.url + path)
    assert status == 200, path
    return Selector(text=body.decode("utf-8"))


def text_of(node: Selector) -> str:
    return " ".join(" ".join(node.xpath(".//text()").getall()).split())


def items_on(server: ReplicaServer, path: str = "/news/") -> list[tuple[str, str]]:
    """(canonical path, date) of each item: an item link and a date in its smallest block
    (a detail page's links to itself, print or font-size buttons, are not items)."""
    found = []
    for link in page(server, path).xpath("//a[@href]"):
        target = urlsplit(urljoin(server.url + path, link.attrib["href"]))
        if not ITEM_PATH.match(target.path) or target.path == urlsplit(path).path:
            continue
        block = next(a for a in reversed(link.xpath("ancestor::*")) if DATE.search(text_of(a)))
        found.append((target.path.rstrip("/") + "/", DATE.findall(text_of(block))[0]))
    return found


def expected_items(articles: list[Article]) -> list[tuple[str, str]]:
    return [(a.path, a.published.strftime("%d.%m.%Y")) for a in articles]


# --- listing and pagination ------------------------------------------------------------


def test_listing_pages_newest_first_and_last_page_repeats(any_replica: ReplicaServer,
                                                          world: World) -> None:
    articles = world.articles_in("en")
    assert items_on(any_replica) == expected_items(articles[:20])
    assert items_on(any_replica, "/news/?PAGEN_1=2") == expected_items(articles[20:])
    assert page(any_replica, "/news/?PAGEN_1=2").xpath("//a[@href='/news/']")
    last = fetch(any_replica.url + "/news/?PAGEN_1=2")[2]
    assert fetch(any_replica.url + "/news/?PAGEN_1=99")[2] == last
    first = fetch(any_replica.listing_url)[2]
    assert fetch(any_replica.url + "/news/?PAGEN_1=junk")[2] == first


def test_page_one_links_to_page_two(replica: ReplicaServer) -> None:
    hrefs = page(replica).xpath("//a/@href").getall()
    assert "/news/?PAGEN_1=2" in hrefs and "/news/?PAGEN_1=1" not in hrefs


def test_section_listing_and_page_size(replica: ReplicaServer, world: World) -> None:
    world.page_size = 4
    speeches = [(a.path, a.published.strftime("%d.%m.%Y"))
                for a in world.articles_in("en", "speech")]
    assert items_on(replica, "/news/speech/") == speeches[:4]
    assert len(items_on(replica)) == 4


def test_publish_edit_remove_show_on_listing(replica: ReplicaServer, world: World) -> None:
    new = world.publish(make_article("Brand new item", published=date(2025, 6, 5)))
    assert items_on(replica)[0] == (new.path, "05.06.2025")
    world.edit(new.id, published=date(2025, 6, 6))
    assert items_on(replica)[0] == (new.path, "06.06.2025")
    world.remove(new.id)
    assert new.path not in dict(items_on(replica))


def test_menu_language_switch_and_header_links_are_not_items(any_replica: ReplicaServer) -> None:
    hrefs = page(any_replica).xpath("//a/@href").getall()
    assert {"/about/", "/news/news_odkb/", "/documents/statements/"} <= set(hrefs)
    assert "https://odkb-csto.org/" in hrefs


# --- conditional requests --------------------------------------------------------------


def test_etag_and_last_modified_give_304(replica: ReplicaServer, world: World) -> None:
    status, headers, body = fetch(replica.listing_url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"') and body
    assert fetch(replica.listing_url, {"If-None-Match": etag})[:1] == (304,)
    assert fetch(replica.listing_url, {"If-None-Match": etag})[2] == b""
    assert fetch(replica.listing_url, {"If-Modified-Since": modified})[0] == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), True)
    assert fetch(replica.listing_url, {"If-Modified-Since": earlier})[0] == 200
    assert fetch(replica.listing_url, {"If-None-Match": '"other"',
                                       "If-Modified-Since": modified})[0] == 200


def test_every_change_invalidates_validators(replica: ReplicaServer, world: World) -> None:
    changes = [lambda: world.publish(make_article("Another item")),
               lambda: world.edit(world.articles[3].id, lead="Edited lead"),
               lambda: world.remove(world.articles[5].id)]
    for change in changes:
        headers = fetch(replica.listing_url)[1]
        change()
        assert fetch(replica.listing_url, {"If-None-Match": headers["ETag"]})[0] == 200
        since = {"If-Modified-Since": headers["Last-Modified"]}
        assert fetch(replica.listing_url, since)[0] == 200


# --- detail pages ----------------------------------------------------------------------


def test_detail_sidebar_comes_first_and_is_current(any_replica: ReplicaServer,
                                                   world: World) -> None:
    seed = next(a for a in world.articles if a.slug == seed_article().slug)
    fresh = world.publish(make_article("Fresh sidebar item", published=date(2025, 7, 1)))
    html = fetch(any_replica.url_for(seed))[2].decode()
    text = text_of(Selector(text=html))
    sidebar = [text.index(lead) for lead in [fresh.lead, *(a.lead for a in world.articles[1:5])]]
    heading = text.index(f"{seed.title} 07.02.2025")
    assert max(sidebar) < heading < text.index(seed.expected_body[-1])
    assert text.index("Go back") > text.index(seed.expected_body[-1])
    assert "Back to the section" in text and "Back to the all news" in text


@pytest.mark.parametrize("markup", ["bitrix", "modern"])
def test_date_styles(replica_factory, markup: str) -> None:
    styles = ["after_title", "own_line", "glued", "nbsp"]
    arts = [make_article(f"Title {s}", date_style=s, published=date(2020, 5, 21),
                         body=["On May 26 something happened."]) for s in styles]
    server = replica_factory(markup, world=World(arts))
    texts = {a.date_style: fetch(server.url_for(a))[2].decode() for a in arts}
    assert "Title after_title <" in texts["after_title"]
    glued = "".join(Selector(text=texts["glued"]).xpath("//body//text()").getall())
    assert "Title glued\n" in glued or "Title glued<" in texts["glued"]
    assert "21.05.2020On May 26" in glued
    assert "Title nbsp&nbsp;" in texts["nbsp"]
    assert re.search(r"own_line</p>\s*<p><span|own_line<br><small>", texts["own_line"])


def test_hostile_title_is_escaped(any_replica: ReplicaServer, world: World) -> None:
    title = 'Tags <b>bold</b> & "quotes" &amp; it\'s'
    article = world.publish(make_article(title, slug="hostile", lead="Lead <i> & more"))
    listing = page(any_replica)
    assert title in listing.xpath("//a//text()").getall()
    assert "Lead <i> & more" in text_of(listing)
    detail = page(any_replica, article.path)
    assert not detail.xpath("//b[text()='bold']") and not listing.xpath("//i[text()=' & more']")
    heading = detail.xpath("//h1/text() | //div[@class='hdr']/text()").getall()
    assert heading == [title]
    assert text_of(detail).count(title) >= 2


def test_every_markup_renders_the_same_items(replica_factory, world: World) -> None:
    bitrix, modern, portal = (replica_factory(m) for m in ("bitrix", "modern", "portal"))
    for path in ("/news/", "/news/?PAGEN_1=2", "/news/smi/", "/documents/statements/"):
        assert items_on(bitrix, path) == items_on(modern, path) == items_on(portal, path) != []
    # Detail pages: the sidebar's and the related list's items (the portal's sidebar is a
    # definition list, dates apart from their links: not comparable this way).
    detail = world.articles[7].path
    assert items_on(bitrix, detail) == items_on(modern, detail) != []


def test_title_line_break_per_markup(replica_factory) -> None:
    article = make_article("First line\nSecond line", slug="two-lines")
    bitrix = replica_factory("bitrix", world=World([article]))
    modern = replica_factory("modern", world=World([article]))
    assert page(bitrix, article.path).xpath("//h1/br")
    hdr = page(modern, article.path).xpath("//div[@class='hdr']/text()").get()
    assert hdr == "First line\nSecond line"


def test_attachments_subtitle_signature(any_replica: ReplicaServer, world: World) -> None:
    article = world.publish(make_article(
        "With files", slug="with-files", subtitle="A subtitle", signature="The CSTO Press "
        "Secretary", attachments=[("0f1e.docx", "Download document 0f1e.docx"),
                                  ("Annex 2.pdf", "Annex 2.pdf")]))
    detail = page(any_replica, article.path)
    links = [urljoin(any_replica.url, h) for h in detail.xpath("//a/@href").getall()]
    assert article.attachment_urls(any_replica.url) == [u for u in links if "/upload/" in u]
    assert "A subtitle" in text_of(detail) and "The CSTO Press Secretary" in text_of(detail)
    for url in article.attachment_urls(any_replica.url):
        assert fetch(url)[0] == 200


def test_link_quirks_resolve(replica: ReplicaServer, world: World) -> None:
    hrefs = page(replica).xpath("//div[@class='news-list']//a/@href").getall()
    assert any("?bxajaxid=" in h for h in hrefs) and any("#loaded" in h for h in hrefs)
    assert any(h.startswith(replica.url) for h in hrefs)
    for href in hrefs:
        assert fetch(urljoin(replica.listing_url, href))[0] == 200, href
    slashless = next(a for a in world.articles if a.link_no_trailing_slash)
    response = raw_get(replica, slashless.path.rstrip("/"))
    assert response.status == 301 and response.getheader("Location") == replica.url_for(slashless)


# --- removals --------------------------------------------------------------------------


def test_remove_and_reslug(replica: ReplicaServer, world: World) -> None:
    gone, moved, kept = world.articles[2], world.articles[3], world.articles[4]
    world.remove(gone.id)
    world.remove(kept.id, status=410)
    new = world.reslug(moved.id, moved.slug + "-2")
    assert fetch(replica.url_for(gone))[0] == 404
    assert fetch(replica.url_for(kept))[0] == 410
    assert fetch(replica.url_for(moved))[0] == 404
    assert fetch(replica.url_for(new))[0] == 200
    assert new.path in dict(items_on(replica)) and moved.path not in dict(items_on(replica))
    status, headers, body = fetch(replica.url + "/no/such/page/")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"<html" in body


def test_reslug_with_a_redirect(replica: ReplicaServer, world: World) -> None:
    moved = world.articles[3]
    new = world.reslug(moved.id, moved.slug + "-2", redirect=True)
    response = raw_get(replica, moved.path)
    assert response.status == 301 and response.getheader("Location") == replica.url_for(new)
    assert fetch(replica.url_for(new))[0] == 200
    world.remove(new.id)  # the old URL stops redirecting only when published again
    world.publish(dataclasses.replace(moved, id=moved.id + 10_000))
    assert fetch(replica.url_for(moved))[0] == 200


# --- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("fault,status", [("http_500", 500), ("http_503", 503),
                                          ("http_429", 429)])
def test_http_faults_then_recovery(replica: ReplicaServer, world: World, fault: str,
                                   status: int) -> None:
    world.set_fault(fault, times=2)
    assert [fetch(replica.listing_url)[0] for _ in range(3)] == [status, status, 200]
    world.fault = fault
    assert fetch(replica.url_for(world.articles[0]))[0] == 200  # details unaffected


def test_hang_times_out_client(replica: ReplicaServer, world: World) -> None:
    world.hang_seconds = 2
    world.fault = "hang"
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(replica.listing_url, timeout=0.3)


def test_reset_and_truncated(replica: ReplicaServer, world: World) -> None:
    world.fault = "reset"
    with pytest.raises(ConnectionError):
        raw_get(replica, "/news/")
    assert replica.requests_to("/news/")[-1].status == 0
    world.fault = "truncated"
    response = raw_get(replica, "/news/")
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead):
        response.read()


def test_garbage_empty_and_changed_markup(any_replica: ReplicaServer, world: World) -> None:
    world.fault = "garbage"
    status, _, body = fetch(any_replica.listing_url)
    assert status == 200 and b"<html" not in body
    world.fault = "empty_listing"
    assert items_on(any_replica) == []
    world.fault = "markup_changed"
    changed = page(any_replica)
    assert items_on(any_replica) == [] and not DATE.search(text_of(changed.xpath("//body")[0]))
    assert world.articles[0].title in text_of(changed)


def test_detail_faults(replica: ReplicaServer, world: World) -> None:
    first, second = world.articles[0], world.articles[1]
    world.detail_faults[first.path] = "http_500"
    world.set_detail_fault(second.path, "reset", times=1)
    assert fetch(replica.url_for(first))[0] == 500
    with pytest.raises(ConnectionError):
        raw_get(replica, second.path)
    assert fetch(replica.url_for(second))[0] == 200
    assert fetch(replica.listing_url)[0] == 200


def test_unknown_fault_is_refused(world: World) -> None:
    with pytest.raises(ValueError):
        world.fault = "explode"


# --- server ----------------------------------------------------------------------------


def test_request_log_robots_and_uploads(replica: ReplicaServer) -> None:
    fetch(replica.listing_url, {"User-Agent": "csto-monitor-test"})
    record = replica.requests_to("/news/")[-1]
    assert (record.method, record.path, record.status) == ("GET", "/news/", 200)
    assert record.headers["user-agent"] == "csto-monitor-test"
    replica.clear_log()
    assert replica.requests == []
    status, _, robots = fetch(replica.url + "/robots.txt")
    assert status == 200 and b"Disallow: /bitrix/" in robots


def test_markup_switch_changes_page_not_items(replica: ReplicaServer) -> None:
    before_items = items_on(replica)
    before = fetch(replica.listing_url)[1]["ETag"]
    replica.markup = "modern"
    assert fetch(replica.listing_url, {"If-None-Match": before})[0] == 200
    assert page(replica).xpath("//article[@class='card']")
    assert items_on(replica) == before_items


def test_stop_and_restart_same_port(replica: ReplicaServer) -> None:
    port = replica.port
    replica.stop()
    with pytest.raises(urllib.error.URLError):
        fetch(replica.listing_url, timeout=1)
    replica.start()
    assert replica.port == port and fetch(replica.listing_url)[0] == 200


def test_russian_site(replica_factory) -> None:
    server = replica_factory("modern", language="ru")
    text = text_of(page(server))
    assert "«" in text and "Новости" in text
    article = server.world.articles[0]
    detail = text_of(page(server, article.path))
    assert "Вернуться назад" in detail and "Назад ко всем новостям" in detail
    assert fetch(server.url_for(seed_article()))[0] == 404  # English items are not served


# --- factories -------------------------------------------------------------------------


def test_seed_article_parsed() -> None:
    seeds = seed_articles()
    article = seeds[-1]
    assert article.published == date(2025, 2, 7) and article.section == "news_odkb"
    assert article.title.startswith("The CSTO Secretary General participated in the fourth")
    assert article.expected_body[0].startswith("On 7 February 2025, the CSTO Secretary")
    assert article.expected_body[-1].startswith("Allow me to wish you")
    assert [a.published.isoformat() for a in seeds[:5]] == [
        "2025-06-05", "2025-06-05", "2025-06-02", "2025-05-28", "2025-05-28"]


def test_samples_have_the_sites_oddities() -> None:
    en, ru = sample_articles(40, "en"), sample_articles(40, "ru")
    slugs = [a.slug for a in en]
    assert len(set(slugs)) == len(slugs) and all(len(unquote(s)) <= 100 for s in slugs)
    assert any(s.startswith("anons-") for s in slugs)
    assert any(len(s) == 100 and s.endswith("-") for s in slugs)
    assert any("_" in s for s in slugs) and any("%20" in s for s in slugs)
    assert any("." in s for s in slugs) and any(s[-1].isdigit() for s in slugs)
    assert max(sum(a.published == d for a in en) for d in {a.published for a in en}) <= 3
    assert [a.published for a in en] == [a.published for a in ru]
    assert any("«" in a.title for a in ru) and any("(Video)" in a.title for a in en)
    assert any("\xa0" in p for a in ru for p in a.body)
    assert {a.section for a in en} == {"news_odkb", "smi", "speech", "statements"}


# --- page furniture --------------------------------------------------------------------


def test_furniture_changes_between_requests(any_replica: ReplicaServer, world: World) -> None:
    """The counter grows per request, the photo's URL and caption change, the promo rotates,
    and the related list follows a new publication: all inside the article, on every markup."""
    seed = next(a for a in world.articles if a.slug == seed_article().slug)
    first, second = (fetch(any_replica.url_for(seed))[2].decode() for _ in range(2))
    views = [_views(html) for html in (first, second)]
    assert views[1] == views[0] + 1
    images = [re.search(r'src="([^"]*\?v=\d+)"', html).group(1) for html in (first, second)]
    assert images[0] != images[1]
    assert re.search(r"Participants of the event, \d\d:\d\d:\d\d", first)
    assert "Photo: CSTO Press Service" in first and "Share:" in first and "A+" in first
    promos = {re.search(r"(Subscribe|Follow|Watch|Download)[^<:]*", fetch(
        any_replica.url_for(seed))[2].decode()).group(0) for _ in range(4)}
    assert len(promos) == 4
    fresh = world.publish(make_article("A story published just now", published=date(2025, 7, 1)))
    assert fresh.path in fetch(any_replica.url_for(seed))[2].decode().split("Read also", 1)[1]
    assert seed.expected_body[-1] in text_of(Selector(text=second))


def _views(html: str) -> int:
    """The view counter: `Views: 1 234` or `1 234 views`."""
    text = html.replace("&nbsp;", " ").replace("\xa0", " ")
    match = re.search(r"Views\W{0,3}(\d[\d ]*)|(\d[\d ]*) views", text)
    assert match is not None
    return int((match.group(1) or match.group(2)).replace(" ", ""))


def test_russian_furniture_and_the_switch(replica_factory) -> None:
    server = replica_factory("portal", language="ru")
    article = server.world.articles[3]
    html = fetch(server.url_for(article))[2].decode()
    for text in ("Просмотров: ", "Поделиться:", "Версия для печати", "Читайте также",
                 "Фото: пресс-служба ОДКБ", "Главная"):
        assert text in html, text
    server.world.furniture = False
    plain = fetch(server.url_for(article))[2].decode()
    assert "Просмотров" not in plain and "?v=" not in plain and "Читайте также" not in plain
    assert article.expected_body[0] in text_of(Selector(text=plain))
