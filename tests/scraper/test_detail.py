from __future__ import annotations

import json
import re
from datetime import date

import pytest

from scraper.extract.detail import ExtractionError, extract_detail
from tests.scraper.site import PAGES, page

URL = "https://en.odkb-csto.org/news/news_odkb/some-item/"
SIDEBAR_AND_BACK = ("On 3-5 June", "On 27-30 May", "Go back", "Back to", "Вернуться", "Назад")


def assert_clean(body: list[str], title: str) -> None:
    for paragraph in body:
        assert not paragraph.startswith(SIDEBAR_AND_BACK), paragraph
        assert paragraph != title
        assert not re.fullmatch(r"\d\d\.\d\d\.\d{4}", paragraph)


def test_real_seed_page() -> None:
    expected = json.loads((PAGES / "bitrix/detail_seed.expected.json").read_text("utf-8"))
    fields = extract_detail(page("bitrix/detail_seed.html"), URL)
    assert fields.title == expected["title"]
    assert fields.published == date(2025, 2, 7)  # not the sidebar's 05.06.2025
    assert fields.body == expected["paragraphs"]
    assert fields.lead == expected["paragraphs"][0]
    assert fields.attachments == []
    assert fields.subtitle is None
    assert_clean(fields.body, fields.title)


def test_date_glued_to_the_first_paragraph_and_video_marker() -> None:
    fields = extract_detail(page("bitrix/detail_glued.html"), URL)
    assert fields.title == "Announcement: joint exercise “Interaction-2025”"
    assert fields.published == date(2025, 2, 5)
    assert fields.body == [
        "On 10 February, the joint exercise of the CSTO Collective Rapid Reaction Forces "
        "“Interaction-2025” begins in Belarus. (Video)",
        "About 2,000 servicemen and 500 units of equipment will take part.",
        "The active phase will be observed by the CSTO Secretary General.",
    ]


def test_subtitle_attachments_signature_and_back_links() -> None:
    fields = extract_detail(page("bitrix/detail_attachments.html"), URL)
    assert fields.title == (
        "Interview of the CSTO Secretary General to RIA Novosti:\n"
        "“The Organization is ready to respond to any challenge”"
    )
    assert fields.published == date(2025, 2, 3)
    assert fields.subtitle == "Imangali Tasmagambetov answered the questions of the agency"
    assert fields.body == [
        "Imangali Tasmagambetov answered the questions of the agency",
        "– How do you assess the year?",
        "– The year was intense. The details are at https://en.odkb-csto.org/documents/.",
        "The CSTO Press Secretary V. Zainetdinov",
    ]
    assert fields.lead == fields.body[1]  # a heading subtitle is not the lead
    assert fields.attachments == [
        "https://en.odkb-csto.org/upload/iblock/5d4/5d41402abc4b2a76b9719d911017c592.docx",
        "https://en.odkb-csto.org/upload/iblock/0aa/Annex%202.pdf",
    ]


def test_title_and_date_on_one_line() -> None:
    fields = extract_detail(page("bitrix/detail_statement.html"), URL)
    assert (
        fields.title
        == "Statement of the CSTO Foreign Ministers on the 80th anniversary of the Victory"
    )
    assert fields.published == date(2025, 2, 1)
    assert fields.body == [
        "The Ministers of Foreign Affairs of the CSTO member states adopted a joint statement.",
        "We, the Ministers, pay tribute to the memory of the fallen.",
    ]


def test_hostile_title_is_read_literally() -> None:
    fields = extract_detail(page("bitrix/detail_hostile.html"), URL)
    assert fields.title == "<b> Tom & Jerry\nline break"
    assert fields.published == date(2025, 1, 15)
    assert fields.body == ["The text <i>keeps</i> its entities & spaces.", "Second paragraph."]


def test_no_date_after_the_title_is_an_error_even_with_sidebar_dates() -> None:
    reason = r"no article date .* 'A page the scraper cannot read'"
    with pytest.raises(ExtractionError, match=reason):
        extract_detail(page("bitrix/detail_nodate.html"), URL)


def test_no_title_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="no article title found"):
        extract_detail("<html><body><p>Nothing to see.</p></body></html>", URL)
    with pytest.raises(ExtractionError):
        extract_detail("", URL)


def test_redesign_without_h1_and_with_br_paragraphs() -> None:
    fields = extract_detail(page("redesign/detail.html"), URL)
    assert fields.title == "The CSTO Secretary General met with the Ambassador"
    assert fields.published == date(2025, 2, 7)
    assert fields.body == [
        "On 7 February, the CSTO Secretary General met with the Ambassador.",
        "The parties discussed the current state of cooperation.\nBoth sides noted its importance.",
        "“We value this dialogue,” the Secretary General said.",
    ]
    assert fields.attachments == ["https://en.odkb-csto.org/upload/docs/Annex%201.pdf"]
    assert_clean(fields.body, fields.title)


def test_russian_page_with_the_date_on_its_own_line() -> None:
    fields = extract_detail(page("ru/detail.html"), "https://odkb-csto.org/news/news_odkb/x/")
    assert fields.title == "Заседание Совета министров иностранных дел ОДКБ"
    assert fields.published == date(2025, 2, 10)  # not the sidebar's 11.02.2025
    assert fields.body == [
        "В Минске состоялось заседание СМИД ОДКБ под председательством «белорусской стороны».",
        "Министры обсудили вопросы – от миротворчества до информационной безопасности.",
    ]


SIDEBAR = """<div><div>05.06.2025</div><a href="/news/news_odkb/other/">Sidebar lead one</a>
  <div>02.06.2025</div><a href="/news/news_odkb/other2/">Sidebar lead two</a></div>"""


@pytest.mark.parametrize(
    "article",
    [
        "<h1>The Title</h1><div>The Title 07.02.2025</div><p>Body.</p>",
        "<h1>The Title</h1><div>The Title<br>07.02.2025</div><p>Body.</p>",
        "<h1>The Title</h1><div>The Title\xa0\xa007.02.2025</div><p>Body.</p>",
        "<h1>The Title</h1><div>The Title   07.02.2025</div><p>Body.</p>",
        "<h1>The Title</h1><p>The Title</p><p>07.02.2025</p><p>Body.</p>",
        "<h1>The Title</h1><p>07.02.2025</p><p>Body.</p>",
        "<h1>The Title</h1><div>The Title</div><div>07.02.2025Body.</div>",
        "<h1>The Title <span>07.02.2025</span></h1><p>Body.</p>",
        "<div>The Title</div><div>The Title <span>07.02.2025</span></div><div>Body.</div>",
        "<div>The Title<br>The Title 07.02.2025</div><div>Body.</div>",
        "<section><b>The Title</b><br><br>The Title 07.02.2025<br><br>Body.</section>",
        "<div>The Title — 07.02.2025</div><p>Body.</p>",
        "<div><span>The Title</span>&nbsp;&nbsp;<span>The Title 07.02.2025</span></div>"
        "<p>Body.</p>",
        "<div>The Title  The Title 07.02.2025</div><p>Body.</p>",
    ],
)
def test_date_styles(article: str) -> None:
    html = f"<html><body>{SIDEBAR}<main>{article}<p><a href='/news/'>Back to the all news</a></p>"
    html += "</main></body></html>"
    fields = extract_detail(html, URL)
    assert (fields.title, fields.published, fields.body) == (
        "The Title",
        date(2025, 2, 7),
        ["Body."],
    )


@pytest.mark.parametrize(
    "article",
    [
        "<h1>The Title</h1><div>The Title</div><div>07.02.20257 февраля прошло.</div>",
        "<h1>The Title</h1><p>The Title</p><p>Views: 12</p><p>07.02.20257 февраля прошло.</p>",
    ],
)
def test_a_date_glued_to_a_paragraph_that_starts_with_a_number(article: str) -> None:
    """Russian first paragraphs start with the day: `07.02.20257 февраля …`."""
    html = f"<html><body>{SIDEBAR}<main>{article}<p><a href='/news/'>Back to the all news</a></p>"
    fields = extract_detail(html + "</main></body></html>", URL)
    assert (fields.title, fields.published, fields.body) == (
        "The Title", date(2025, 2, 7), ["7 февраля прошло."])


def test_listing_title_finds_a_title_that_is_neither_h1_nor_repeated() -> None:
    html = f"""<body><h1>CSTO</h1>{SIDEBAR}<div>Real title of the item</div>
      <div>07.02.2025</div><p>Body text.</p></body>"""
    fields = extract_detail(html, URL, listing_title="Real  title of the item")
    assert (fields.title, fields.published, fields.body) == (
        "Real title of the item",
        date(2025, 2, 7),
        ["Body text."],
    )


def test_selectors_narrow_title_and_body() -> None:
    html = f"""<body>{SIDEBAR}<div class="t">Selected title</div><div class="d">07.02.2025</div>
      <div class="share">Share: VK Telegram</div><div class="b"><p>One.</p><p>Two.</p></div>
      <div class="other">Unrelated text</div></body>"""
    fields = extract_detail(html, URL, title_selector=".t", body_selector=".b")
    assert (fields.title, fields.published, fields.body) == (
        "Selected title",
        date(2025, 2, 7),
        ["One.", "Two."],
    )


@pytest.mark.parametrize("back", ["Назад", "Вернуться к списку", "← Back to news", "Go back"])
def test_body_ends_at_back_link_variants(back: str) -> None:
    html = f"""<body><h1>T</h1><p>T 07.02.2025</p><p>Body.</p><p><a href="#">{back}</a></p>
      <p>Footer menu text</p></body>"""
    assert extract_detail(html, URL).body == ["Body."]


def test_body_ends_before_a_menu_or_an_aside() -> None:
    html = """<body><h1>T</h1><p>T 07.02.2025</p><p>Body.</p>
      <aside><p>Related</p></aside><p>after</p></body>"""
    assert extract_detail(html, URL).body == ["Body."]
    html = """<body><h1>T</h1><p>T 07.02.2025</p><p>Body.</p>
      <div><a href="/a/">About</a></div><div><a href="/b/">Contacts</a></div>
      <div><a href="/c/">Sitemap</a></div></body>"""
    assert extract_detail(html, URL).body == ["Body."]


@pytest.mark.parametrize(
    "name",
    [
        "bitrix/detail_seed.html",
        "bitrix/detail_attachments.html",
        "redesign/detail.html",
        "ru/detail.html",
    ],
)
def test_renaming_every_class_changes_nothing(name: str) -> None:
    html = page(name)
    renamed = re.sub(r'class="[^"]*"', 'class="renamed"', html)
    assert extract_detail(renamed, URL) == extract_detail(html, URL)


def test_stale_selectors_fall_back_to_the_rules() -> None:
    html = page("redesign/detail.html")
    stale = extract_detail(html, URL, title_selector=".old-title", body_selector=".old-body")
    assert stale == extract_detail(html, URL)


def test_a_line_break_in_the_title_is_kept() -> None:
    html = """<body><h1>First line
        second line</h1><div>First line second line 07.02.2025</div><p>Body.</p></body>"""
    assert extract_detail(html, URL).title == "First line\nsecond line"
    html = """<body><div>First line<br/>second line</div>
      <div>First line second line&nbsp;07.02.2025</div><p>Body.</p></body>"""
    assert extract_detail(html, URL).title == "First line\nsecond line"
