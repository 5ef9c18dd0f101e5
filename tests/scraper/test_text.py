from __future__ import annotations

from datetime import date

import pytest

from scraper.extract.text import (
    SelectorError,
    collapse,
    first_date,
    only_date,
    paragraph_text,
    parse_date,
    parse_html,
    select,
    text_blocks,
    title_text,
)


def blocks_of(html: str) -> list[str]:
    return [b.text for b in text_blocks(parse_html(html))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07.02.2025", date(2025, 2, 7)),
        ("Title 07.02.2025", date(2025, 2, 7)),
        ("21.05.2020On May 26", date(2020, 5, 21)),
        ("Title\xa0\xa029.02.2024", date(2024, 2, 29)),
        ("31.02.2025", None),  # no such day
        ("07.13.2025", None),  # no such month
        ("29.02.2025", None),  # not a leap year
        ("7.02 2025", None),  # not dd.mm.yyyy
        ("7.02.2025", None),
        ("107.02.2025", None),
        ("07.02.20251", None),
        ("00.01.2025", None),
    ],
)
def test_first_date(text: str, expected: date | None) -> None:
    assert first_date(text) == expected


def test_parse_date_rejects_impossible_years() -> None:
    assert parse_date("01", "01", "0215") is None
    assert parse_date("01", "01", "2025") == date(2025, 1, 1)


def test_only_date() -> None:
    assert only_date(" 07.02.2025 ") == date(2025, 2, 7)
    assert only_date("Title 07.02.2025") is None
    assert only_date("07.02.2025 08.02.2025") is None


def test_whitespace_rules() -> None:
    assert collapse("  a \xa0\xa0 b\n\tc  ") == "a b c"
    assert paragraph_text("a\n  b") == "a b"  # a source newline is a space in the body
    assert title_text("a\n  b") == "a\nb"  # but a line break in a title
    assert collapse("zero\u200bwidth soft\xadhyphen") == "zerowidth softhyphen"


def test_blocks_split_on_block_elements_and_double_br() -> None:
    html = """<body><div>Intro <b>bold</b> text
      <p>First</p>tail text<br><br>  Second<br>line<br> <br><br>Third
      <ul><li>one</li><li>two</li></ul></div></body>"""
    assert blocks_of(html) == [
        "Intro bold text",
        "First",
        "tail text",
        "Second\nline",
        "Third",
        "one",
        "two",
    ]


def test_entities_are_decoded_and_scripts_skipped() -> None:
    html = (
        "<body><script>var a = '07.02.2025';</script><style>p{}</style>"
        "<p>&lt;b&gt; Tom &amp; Jerry&nbsp;&nbsp;&laquo;x&raquo;</p><!-- 08.02.2025 --></body>"
    )
    assert blocks_of(html) == ["<b> Tom & Jerry «x»"]


def test_blocks_know_their_link_text() -> None:
    html = (
        '<body><p><a href="/x/">Mostly a link</a> ok</p><p>Text <a href="/y/">y</a> here</p></body>'
    )
    first, second = text_blocks(parse_html(html))
    assert first.is_link and not second.is_link
    assert [a.get("href") for a in second.links] == ["/y/"]


def test_parse_html_tolerates_odd_input() -> None:
    assert blocks_of("") == []
    assert blocks_of(
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>'
    ) == ["x"]


def test_select_reports_invalid_selectors() -> None:
    root = parse_html("<body><p class='a'>x</p></body>")
    assert len(select(root, "p.a")) == 1
    with pytest.raises(SelectorError, match="invalid CSS selector"):
        select(root, "p[")
