from __future__ import annotations

import re
from datetime import date

import pytest

from scraper.extract.listing import ListingRow, extract_listing
from scraper.extract.text import SelectorError
from tests.scraper.site import page

EN = "https://en.odkb-csto.org/news/"
RU = "https://odkb-csto.org/news/"
ITEM_1 = (
    "https://en.odkb-csto.org/news/news_odkb/the-csto-secretary-general-participated-in-the-"
    "fourth-meeting-of-chairmen-of-committees-commissions-o-/"
)


def test_bitrix_listing_first_page() -> None:
    rows = extract_listing(page("bitrix/listing_1.html"), EN, EN)
    assert [r.url for r in rows] == [
        ITEM_1,
        "https://en.odkb-csto.org/news/news_odkb/anons-joint-exercise-interaction-2025/",
        "https://en.odkb-csto.org/news/smi/interview_of_the_secretary%20general_to_ria.novosti2/",
        "https://en.odkb-csto.org/documents/statements/statement-of-the-csto-foreign-ministers/",
    ]
    assert [r.published for r in rows] == [
        date(2025, 2, 7),
        date(2025, 2, 5),
        date(2025, 2, 3),
        date(2025, 2, 1),
    ]
    first, announcement, lead_only, statement = rows
    assert first.title.startswith("The CSTO Secretary General participated in the fourth")
    assert first.lead.startswith("On 7 February 2025, the CSTO Secretary General Imangali")
    # the image link and "Read more" point to the same URL: title is the meaningful text
    assert announcement == ListingRow(
        announcement.url,
        date(2025, 2, 5),
        "Announcement: joint exercise “Interaction-2025”",
        "On 10 February, the joint exercise of the CSTO Collective Rapid Reaction Forces "
        "begins in Belarus.",
    )
    # an item whose only text is its linked lead: that text is the title, the lead is empty
    assert lead_only.title.startswith("Interview of the CSTO Secretary General to RIA Novosti")
    assert lead_only.lead == ""
    assert statement.lead == "The Ministers of Foreign Affairs adopted a joint statement."


def test_a_latest_news_box_does_not_replace_the_list_entries() -> None:
    rows = extract_listing(page("bitrix/listing_1.html"), EN, EN)
    assert not rows[0].title.startswith("On 7 February")  # the box's lead, not the title


def test_hostile_title_is_read_literally() -> None:
    rows = extract_listing(page("bitrix/listing_2.html"), EN + "?PAGEN_1=2", EN)
    hostile = next(r for r in rows if r.url.endswith("/hostile-title/"))
    assert hostile.title == "<b> Tom & Jerry\nline break"
    assert hostile.lead == "A title with markup-like text & a line break."
    query_dropped = [r.url for r in rows if "permanent-council" in r.url or "osce" in r.url]
    assert query_dropped == [
        "https://en.odkb-csto.org/news/news_odkb/meeting-of-the-csto-permanent-council/",
        "https://en.odkb-csto.org/news/speech/speech_of_the_csto_secretary_general_at_the_osce/",
    ]


def test_redesign_with_articles_time_and_no_classes_in_common() -> None:
    rows = extract_listing(page("redesign/listing.html"), EN, EN)
    assert [(r.url.rsplit("/", 2)[-2], r.published) for r in rows] == [
        ("csto-secretary-general-met-with-ambassador", date(2025, 2, 7)),
        ("speech-at-the-un-security-council", date(2025, 2, 5)),
        ("lead-only-item", date(2025, 2, 1)),
    ]  # not the aside's "most read", the footer's link, nor the item without a date
    met, speech, lead_only = rows
    # the heading's link wins over the (longer) linked lead
    assert met.title == "The CSTO Secretary General met with the Ambassador"
    assert met.lead.startswith("The parties discussed the current state of cooperation")
    assert speech.title == "Speech at the UN Security Council"  # the date inside the link
    assert speech.lead == "The Secretary General took part in the debate."
    assert lead_only.title == (
        "On 1 February, the CSTO Council of Foreign Ministers held a meeting in Minsk."
    )
    assert lead_only.lead == ""


def test_russian_listing() -> None:
    rows = extract_listing(page("ru/listing.html"), RU, RU)
    assert [(r.url, r.title, r.lead) for r in rows] == [
        (
            "https://odkb-csto.org/news/news_odkb/zasedanie-soveta-ministrov-inostrannykh-del-odkb/",
            "Заседание Совета министров иностранных дел ОДКБ",
            "В Минске состоялось заседание СМИД ОДКБ под председательством «белорусской стороны».",
        ),
        (
            "https://odkb-csto.org/news/smi/intervyu-generalnogo-sekretarya-odkb-/",
            "Интервью Генерального секретаря ОДКБ «РИА Новости»",
            "",
        ),
        (
            "https://odkb-csto.org/documents/statements/zayavlenie-ministrov/",
            "Заявление министров иностранных дел государств – членов ОДКБ",
            "Министры приняли заявление.",
        ),
    ]


def _rename_classes(html: str) -> str:
    counter = iter(range(10_000))
    html = re.sub(r'class="[^"]*"', lambda _: f'class="k{next(counter)}"', html)
    return re.sub(r'id="[^"]*"', lambda _: f'id="i{next(counter)}"', html)


@pytest.mark.parametrize("name", ["bitrix/listing_1.html", "redesign/listing.html"])
def test_renaming_every_class_changes_nothing(name: str) -> None:
    html = page(name)
    assert extract_listing(_rename_classes(html), EN, EN) == extract_listing(html, EN, EN)


def test_item_selector_narrows_the_search() -> None:
    html = page("bitrix/listing_1.html")
    rows = extract_listing(html, EN, EN, item_selector=".news-item")
    assert [r.url for r in rows] == [r.url for r in extract_listing(html, EN, EN)]
    assert extract_listing(html, EN, EN, item_selector=".latest__item")[0].title.startswith(
        "On 7 February 2025"
    )
    # a stale selector (a redesign renamed the classes) falls back to links and dates
    assert extract_listing(html, EN, EN, item_selector=".nothing-matches") == extract_listing(
        html, EN, EN
    )
    with pytest.raises(SelectorError):
        extract_listing(html, EN, EN, item_selector="div[")


def test_duplicates_keep_the_first_occurrence_and_tables_work() -> None:
    html = """<table>
      <tr><td>07.02.2025</td><td><a href="/news/smi/a/">First A</a></td></tr>
      <tr><td>06.02.2025</td><td><a href="/news/smi/b">B</a> lead of B</td></tr>
      <tr><td>05.02.2025</td><td><a href="/news/smi/a/?sphrase_id=1">Second A</a></td></tr>
    </table>"""
    rows = extract_listing(html, EN, EN)
    assert [(r.title, r.lead, r.published) for r in rows] == [
        ("First A", "", date(2025, 2, 7)),
        ("B", "lead of B", date(2025, 2, 6)),
    ]


def test_items_need_their_own_date() -> None:
    # one date heading for several items: no item has a block of its own with a date
    html = """<h3>07.02.2025</h3><ul><li><a href="/news/smi/a/">A</a></li>
      <li><a href="/news/smi/b/">B</a></li></ul>"""
    assert extract_listing(html, EN, EN) == []
    assert extract_listing("<html><body><p>Nothing here</p></body></html>", EN, EN) == []
