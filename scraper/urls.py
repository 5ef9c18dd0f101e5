"""Canonical detail URLs, their section and slug, and listing page URLs.

The site links the same story in many spellings (http and https, with and without
`www.`, with `?bxajaxid=…`, `#loaded`, without the trailing slash): one canonical form
per story lets the monitor recognise it across crawls.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from w3lib.url import add_or_replace_parameter

_DETAIL_PATH = re.compile(
    r"^/(?:news/(?P<section>[^/?#]+)|documents/(?P<statements>statements))/(?P<slug>[^/?#]+)/?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_PAGES = {"index.php", "index.html", "index.htm"}
_IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#")


def _bare_host(host: str | None) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _port_of(scheme: str, port: int | None) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme)


def same_site(url: str, source_url: str) -> bool:
    """Same host as the source, ignoring a leading `www.` and http vs https."""
    link, source = urlsplit(url), urlsplit(source_url)
    if link.scheme not in _DEFAULT_PORTS or _bare_host(link.hostname) != _bare_host(
        source.hostname
    ):
        return False
    try:
        link_port = link.port
    except ValueError:
        return False
    # An explicit non-default port must match (tests serve 127.0.0.1:PORT); default
    # ports differ between http and https and are then ignored.
    if link_port is None or link_port == _DEFAULT_PORTS[link.scheme]:
        return True
    return link_port == _port_of(source.scheme, source.port)


def canonical_detail_url(href: str | None, page_url: str, source_url: str) -> str | None:
    """The canonical URL of a news or statement detail link, or None for any other link."""
    href = (href or "").strip()
    if not href or href.lower().startswith(_IGNORED_SCHEMES):
        return None
    absolute = urljoin(page_url, href.replace(" ", "%20"))
    if not same_site(absolute, source_url):
        return None
    path = urlsplit(absolute).path
    match = _DETAIL_PATH.match(path)
    if match is None or match.group("slug").lower() in _INDEX_PAGES:
        return None
    source = urlsplit(source_url)
    if not path.endswith("/"):
        path += "/"
    return f"{source.scheme}://{source.netloc}{path}"


def section_and_slug(url: str) -> tuple[str, str]:
    """(`news_odkb`, `slug`) for a news URL; (`statements`, `slug`) for a statement."""
    match = _DETAIL_PATH.match(urlsplit(url).path)
    if match is None:
        raise ValueError(f"{url} is not a news or statement detail URL")
    section = match.group("section") or match.group("statements")
    return section, match.group("slug")


def listing_page_url(source_url: str, n: int) -> str:
    """Page 1 is the source URL itself; page N ≥ 2 adds Bitrix's `PAGEN_1=N`."""
    if n < 1:
        raise ValueError(f"listing pages start at 1, not {n}")
    if n == 1:
        return source_url
    return str(add_or_replace_parameter(source_url, "PAGEN_1", str(n)))


def absolute_url(href: str, page_url: str) -> str:
    """An absolute URL without its fragment (for attachments)."""
    return urljoin(page_url, href.strip().replace(" ", "%20")).split("#", 1)[0]
