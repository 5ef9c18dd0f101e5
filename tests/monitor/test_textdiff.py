"""Readable diffs between two revisions of an item."""

from __future__ import annotations

import pytest

from monitor.textdiff import FieldDiff, clip, paragraph_diff, revision_diff, word_diff

TITLE = "The CSTO Secretary General met with the Ambassador of China"
PARAS = [
    "On 7 February 2025, the CSTO Secretary General spoke at the fourth meeting.",
    "The event took place in the State Duma of the Federal Assembly.",
    "The theme of the report is “Issues of Foreign Policy Coordination”.",
    "I am grateful for the invitation and the opportunity to address the meeting.",
    "We are pleased to note the regular cooperation with the parliaments.",
    "Allow me to wish you successful work and thank you for your attention.",
]


def body(paras: list[str]) -> str:
    return "\n\n".join(paras)


def revision(**fields: str) -> dict[str, str]:
    values = {"url": "https://en.odkb-csto.org/news/news_odkb/a/", "title": TITLE,
              "published": "2025-02-07", "lead": PARAS[0], "body": body(PARAS)}
    values.update(fields)
    return values


def test_identical_revisions_have_no_diff() -> None:
    assert revision_diff(revision(), revision()) == []


def test_whitespace_only_changes_are_not_shown() -> None:
    after = revision(title=TITLE.replace(" ", "\u00a0") + " ", body="\n\n\n".join(PARAS))
    assert revision_diff(revision(), after) == []


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("title", TITLE, TITLE + " in Moscow"),
        ("published", "2025-02-07", "2025-02-08"),
        ("url", "https://en.odkb-csto.org/news/news_odkb/a/",
         "https://en.odkb-csto.org/news/news_odkb/b/"),
        ("lead", PARAS[0], "A new lead."),
    ],
    ids=["title", "published", "url", "lead"],
)
def test_single_line_field(name: str, old: str, new: str) -> None:
    assert revision_diff(revision(**{name: old}), revision(**{name: new})) == [
        FieldDiff(name, [f"- {old}", f"+ {new}"])
    ]


def test_fields_come_in_contract_order_then_others() -> None:
    before = {"body": "a", "extra": "x", "title": "t", "url": "u", "status": "removed"}
    after = {"extra": "y", "body": "b", "title": "T", "url": "v", "status": "active"}
    names = [d.field for d in revision_diff(before, after)]
    assert names == ["url", "status", "title", "body", "extra"]


def test_missing_field_counts_as_empty() -> None:
    assert revision_diff({}, {"lead": "Added lead."}) == [FieldDiff("lead", ["+ Added lead."])]
    assert revision_diff({"lead": "Old lead."}, {}) == [FieldDiff("lead", ["- Old lead."])]


def test_body_paragraph_added_at_end_with_context() -> None:
    [diff] = revision_diff(revision(), revision(body=body([*PARAS, "Go back."])))
    assert diff.field == "body"
    assert diff.lines == ["@@ -6,1 +6,2 @@", f"  {PARAS[5]}", "+ Go back."]


def test_body_paragraph_removed() -> None:
    paras = PARAS[:2] + PARAS[3:]
    [diff] = revision_diff(revision(), revision(body=body(paras)))
    assert diff.lines == [
        "@@ -2,3 +2,2 @@", f"  {PARAS[1]}", f"- {PARAS[2]}", f"  {PARAS[3]}",
    ]


def test_body_edited_paragraph_is_word_marked() -> None:
    paras = list(PARAS)
    paras[3] = PARAS[3].replace("grateful", "very grateful").replace("meeting", "session")
    [diff] = revision_diff(revision(), revision(body=body(paras)))
    assert diff.lines == [
        "@@ -3,3 +3,3 @@",
        f"  {PARAS[2]}",
        "~ I am {+very+} grateful for the invitation and the opportunity to address the "
        "[-meeting-]{+session+}.",
        f"  {PARAS[4]}",
    ]


def test_body_rewritten_paragraph_is_shown_as_removed_and_added() -> None:
    paras = list(PARAS)
    paras[3] = "Completely different words here."
    [diff] = revision_diff(revision(), revision(body=body(paras)))
    assert diff.lines[2:4] == [f"- {PARAS[3]}", "+ Completely different words here."]


def test_word_marks_can_be_turned_off() -> None:
    paras = [PARAS[0].replace("fourth", "fifth"), *PARAS[1:]]
    [diff] = revision_diff(revision(), revision(body=body(paras)), words=False)
    assert diff.lines == ["@@ -1,2 +1,2 @@", f"- {PARAS[0]}", f"+ {paras[0]}", f"  {PARAS[1]}"]


def test_distant_changes_make_separate_hunks() -> None:
    paras = ["New first paragraph.", *PARAS, "New last paragraph."]
    lines = paragraph_diff(PARAS, paras)
    assert [line for line in lines if line.startswith("@@")] == [
        "@@ -1,1 +1,2 @@", "@@ -6,1 +7,2 @@",
    ]


def test_context_paragraphs_are_clipped_but_changes_are_not() -> None:
    long = "Strengthening regional security and stability in Eurasia " * 4
    lines = paragraph_diff([long.strip(), "Old."], [long.strip(), "New end of the speech."])
    assert lines[1].startswith("  Strengthening") and lines[1].endswith("…")
    assert len(lines[1]) <= 102
    assert lines[2:] == ["- Old.", "+ New end of the speech."]


def test_multiline_field_other_than_body_gets_a_paragraph_diff() -> None:
    [diff] = revision_diff({"attachments": "a.pdf\n\nb.pdf"}, {"attachments": "a.pdf"})
    assert diff.lines == ["@@ -1,2 +1,1 @@", "  a.pdf", "- b.pdf"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("met with the Ambassador of China", "met with the Ambassador of the PRC",
         "met with the Ambassador of [-China-]{+the PRC+}"),
        ("Встреча в г. Минске прошла", "Встреча в Минске прошла успешно",
         "Встреча в [-г.-] Минске прошла {+успешно+}"),
        ("On 3-5 June", "On 3–6 June", "On 3[--5-]{+–6+} June"),
        ("same", "same", "same"),
    ],
    ids=["replace", "russian-delete-insert", "punctuation", "equal"],
)
def test_word_diff(old: str, new: str, expected: str) -> None:
    assert word_diff(old, new) == expected


def test_clip() -> None:
    assert clip("short") == "short"
    assert clip("one two three four", width=12) == "one two…"
    assert clip("x" * 20, width=10) == "x" * 9 + "…"


def test_body_from_nothing() -> None:
    assert revision_diff({"body": ""}, {"body": "First.\n\nSecond."}) == [
        FieldDiff("body", ["@@ -0,0 +1,2 @@", "+ First.", "+ Second."])
    ]
