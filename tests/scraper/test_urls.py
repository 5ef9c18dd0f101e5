from __future__ import annotations

import pytest

from scraper.urls import canonical_detail_url, listing_page_url, section_and_slug

EN = "https://en.odkb-csto.org/news/"
RU = "https://odkb-csto.org/news/"
LOCAL = "http://127.0.0.1:8123/news/"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/news/news_odkb/slug/", "https://en.odkb-csto.org/news/news_odkb/slug/"),
        ("news_odkb/slug/", "https://en.odkb-csto.org/news/news_odkb/slug/"),  # relative
        ("/news/smi/slug", "https://en.odkb-csto.org/news/smi/slug/"),  # missing slash
        (
            "/news/news_odkb/slug/?bxajaxid=9f86d081884c7d659a2feaa0c55ad015",
            "https://en.odkb-csto.org/news/news_odkb/slug/",
        ),
        ("/news/news_odkb/slug/?sphrase_id=1234", "https://en.odkb-csto.org/news/news_odkb/slug/"),
        ("/news/speech/slug/?ELEMENT_ID=5521", "https://en.odkb-csto.org/news/speech/slug/"),
        ("/news/news_odkb/slug/#loaded", "https://en.odkb-csto.org/news/news_odkb/slug/"),
        (
            "http://en.odkb-csto.org/news/news_odkb/slug/",
            "https://en.odkb-csto.org/news/news_odkb/slug/",
        ),
        (
            "https://www.en.odkb-csto.org/news/news_odkb/slug/",
            "https://en.odkb-csto.org/news/news_odkb/slug/",
        ),
        (
            "//en.odkb-csto.org/news/news_odkb/slug/",
            "https://en.odkb-csto.org/news/news_odkb/slug/",
        ),
        (
            "/documents/statements/statement-of-ministers/",
            "https://en.odkb-csto.org/documents/statements/statement-of-ministers/",
        ),
        # slugs are kept as written
        (
            "/news/smi/interview_of_the_secretary%20general_to_ria.novosti2",
            "https://en.odkb-csto.org/news/smi/interview_of_the_secretary%20general_to_ria.novosti2/",
        ),
        (
            "/news/news_odkb/cut-at-one-hundred-characters-/",
            "https://en.odkb-csto.org/news/news_odkb/cut-at-one-hundred-characters-/",
        ),
        (
            "  /news/news_odkb/spaces around/ ",
            "https://en.odkb-csto.org/news/news_odkb/spaces%20around/",
        ),
    ],
)
def test_canonical_detail_url(href: str, expected: str) -> None:
    assert canonical_detail_url(href, EN, EN) == expected


@pytest.mark.parametrize(
    "href",
    [
        None,
        "",
        "#",
        "javascript:history.back()",
        "mailto:press@odkb-csto.org",
        "/news/",
        "/news/news_odkb/",  # a section index
        "/news/news_odkb/index.php",
        "/documents/statements/",
        "/news/?PAGEN_1=2",
        "/about/slug/",
        "/news/news_odkb/slug/extra/",
        "https://odkb-csto.org/news/news_odkb/slug/",  # the other language's host
        "https://example.org/news/news_odkb/slug/",
        "ftp://en.odkb-csto.org/news/news_odkb/slug/",
    ],
)
def test_other_links_are_not_details(href: str | None) -> None:
    assert canonical_detail_url(href, EN, EN) is None


def test_russian_site_accepts_www_and_http() -> None:
    for href in (
        "https://www.odkb-csto.org/news/news_odkb/slug/",
        "http://www.odkb-csto.org/news/news_odkb/slug",
        "http://odkb-csto.org/news/news_odkb/slug/?sphrase_id=3#loaded",
    ):
        assert canonical_detail_url(href, RU, RU) == "https://odkb-csto.org/news/news_odkb/slug/"


def test_canonical_url_takes_scheme_host_and_port_of_the_source() -> None:
    page = "http://127.0.0.1:8123/news/?PAGEN_1=2"
    assert canonical_detail_url("/news/smi/x", page, LOCAL) == "http://127.0.0.1:8123/news/smi/x/"
    assert (
        canonical_detail_url("http://127.0.0.1:8123/news/smi/x/", page, LOCAL)
        == "http://127.0.0.1:8123/news/smi/x/"
    )
    assert canonical_detail_url("http://127.0.0.1:9999/news/smi/x/", page, LOCAL) is None


def test_section_and_slug() -> None:
    assert section_and_slug("https://en.odkb-csto.org/news/news_odkb/a_b.c%20d/") == (
        "news_odkb",
        "a_b.c%20d",
    )
    assert section_and_slug("https://en.odkb-csto.org/documents/statements/zayavlenie/") == (
        "statements",
        "zayavlenie",
    )
    with pytest.raises(ValueError, match="not a news"):
        section_and_slug("https://en.odkb-csto.org/about/")


def test_listing_page_url() -> None:
    assert listing_page_url(EN, 1) == EN
    assert listing_page_url(EN, 2) == "https://en.odkb-csto.org/news/?PAGEN_1=2"
    assert listing_page_url(EN + "?PAGEN_1=5", 3) == "https://en.odkb-csto.org/news/?PAGEN_1=3"
    with pytest.raises(ValueError):
        listing_page_url(EN, 0)
