"""What the change detector compares: typography (spaces, quote style) is never an edit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from monitor.diff import changed_fields, normalise
from monitor.snapshot import StoredItem
from monitor.worddiff import item_diff
from scraper.items import NewsItem

URL = "https://odkb-csto.org/news/news_odkb/a/"
TITLE = "Генеральный секретарь ОДКБ принял участие в форуме «Безопасность Евразии»"
LEAD = "В ходе встречи стороны обсудили вопросы «сотрудничества» в 2025 г."
BODY = ["Форум прошёл в Минске 3–5 июня.", "Участники — 12 делегаций.",
        "Министр сказал: \"Мы готовы\". It's the CSTO's «key» event…"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("«a» “b” „c“ ‟d” \"e\" ″f″ ＂g＂", '"a" "b" "c" "d" "e" "f" "g"'),
        ("‘a’ ‚b‘ ‹c› 'd' it’s 5′ `e´ ‛f", "'a' 'b' 'c' 'd' it's 5' 'e' 'f"),
        ("a\u00a0b\u2009c\u202fd\u2007e\u3000f \t\n g", "a b c d e f g"),
        ("wait…", "wait..."),
        ("a\u200e\u200fb\u202a\u202c\u2066c\u2069\u2061d", "abcd"),
    ],
    ids=["double-quotes", "single-quotes", "spaces", "ellipsis", "direction-marks"],
)
def test_normalise_folds_typography(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(("a", "b"), [
    ("3-5 June", "3–5 June"), ("3–5", "3—5"), ("-5", "−5"), ("12", "1 2"), ("5 000", "5000"),
    ("2025", "2O25"), ("½", "1/2"), ("km²", "km2"), ("a\u200db", "ab"), ("Минск", "Mинск"),
], ids=["hyphen-en-dash", "en-em-dash", "minus", "digit-split", "digit-group", "o-for-zero",
        "fraction", "superscript", "zwj", "latin-m"])
def test_dashes_digits_and_letters_stay_distinct(a: str, b: str) -> None:
    assert normalise(a) != normalise(b)


def stored() -> StoredItem:
    return StoredItem(id=1, url=URL, published=date(2025, 6, 5), title=TITLE, lead=LEAD,
                      body="\n\n".join(BODY), active=True)


def crawled(**fields: object) -> NewsItem:
    item = NewsItem(url=URL, section="news_odkb", slug="a", language="ru",
                    published=date(2025, 6, 5), title=TITLE, lead=LEAD, body=list(BODY))
    return replace(item, **fields)  # type: ignore[arg-type]


def retyped(text: str) -> str:
    """The same text as another editor would type it: other quotes, NBSP, spacing."""
    return (text.replace("«", "„").replace("»", "“").replace('"', "«", 1).replace('"', "»", 1)
            .replace("'", "’").replace("…", "...").replace(" ", "\u00a0", 2)
            .replace(" — ", "\u202f— ").replace(" ", "  ", 1))


def test_a_retyped_item_is_not_edited() -> None:
    item = crawled(title=retyped(TITLE), lead=retyped(LEAD), body=[retyped(p) for p in BODY])
    assert (item.title, item.lead, item.body) != (TITLE, LEAD, BODY)
    assert changed_fields(stored(), item) == ()


def test_a_real_edit_among_retyped_text_is_the_only_change_shown() -> None:
    body = [retyped(p) for p in BODY]
    body[1] = body[1].replace("12", "14")
    item = crawled(body=body)
    assert changed_fields(stored(), item) == ("body",)
    [fc] = item_diff({"body": stored().body}, {"body": "\n\n".join(item.body)}).fields
    [change] = fc.changes
    assert change.paragraph == 2
    assert [(r.op, r.text) for r in change.runs if r.op != "equal"] == [
        ("delete", "12"), ("insert", "14")]
