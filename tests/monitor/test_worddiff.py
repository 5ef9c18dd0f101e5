"""The word-level diff of two versions of an item: what changed, sentence by sentence."""

from __future__ import annotations

import pytest

from monitor.diff import normalise
from monitor.worddiff import (
    Change,
    FieldChanges,
    ItemDiff,
    Run,
    field_diff,
    item_diff,
    spaced,
    word_runs,
)

TITLE = "The CSTO Secretary General met with the Ambassador of China"
PARAS = [
    "On 7 February 2025, the CSTO Secretary General spoke at the fourth meeting.",
    "The event took place in the State Duma of the Federal Assembly.",
    "The theme of the report is «Issues of Foreign Policy Coordination».",
    "I am grateful for the invitation. It is an honour to address the meeting.",
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


def old_text(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs if r.op != "insert")


def new_text(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs if r.op != "delete")


def test_identical_revisions_have_no_diff() -> None:
    assert not item_diff(revision(), revision())
    assert item_diff(revision(), revision()) == ItemDiff()


@pytest.mark.parametrize("edit", [
    lambda s: s.replace(" ", "\u00a0"),  # no-break spaces
    lambda s: s.replace(" ", "\u2009").replace("\u2009", " ", 3),  # thin spaces
    lambda s: s.replace(" ", " \u202f "),  # narrow no-break space, doubled spaces
    lambda s: s.replace("«", "“").replace("»", "”"),
    lambda s: s.replace("«", '"').replace("»", '"'),
    lambda s: s.replace("«", "„").replace("»", "“"),
    lambda s: s.replace("'", "’") + " \n",
    lambda s: s.replace("\n\n", "\n\n\n").replace(".", ".\u200b"),
], ids=["nbsp", "thin", "narrow-nbsp", "curly", "straight", "low-high", "apostrophe",
        "breaks-zero-width"])
def test_typography_alone_is_no_change(edit) -> None:  # type: ignore[no-untyped-def]
    before = revision(title=TITLE + " «in Moscow»", body=body([*PARAS, "It's Minsk's turn."]))
    after = {name: edit(value) for name, value in before.items()}
    assert after != before
    assert not item_diff(before, after)


def test_one_changed_word_is_deleted_and_inserted() -> None:
    paras = [PARAS[0].replace("fourth", "fifth"), *PARAS[1:]]
    assert item_diff(revision(), revision(body=body(paras))) == ItemDiff((FieldChanges(
        "body", (Change("changed", (
            Run("equal", "… CSTO Secretary General spoke at the "), Run("delete", "fourth"),
            Run("insert", "fifth"), Run("equal", " meeting.")), 1),)),))


def test_only_the_changed_sentence_of_a_paragraph_is_shown() -> None:
    paras = list(PARAS)
    paras[3] = "I am grateful for the invitation. It is an honour to address the session."
    [fc] = item_diff(revision(), revision(body=body(paras))).fields
    [change] = fc.changes
    assert change.paragraph == 4 and change.kind == "changed"
    assert new_text(change.runs) == "It is an honour to address the session."
    assert [r for r in change.runs if r.op != "equal"] == [Run("delete", "meeting"),
                                                          Run("insert", "session")]


def test_added_and_removed_paragraphs_are_whole() -> None:
    paras = [*PARAS[:2], *PARAS[3:], "A closing paragraph was added."]
    [fc] = item_diff(revision(), revision(body=body(paras))).fields
    assert fc.changes == (
        Change("removed", (Run("delete", PARAS[2]),), 3),
        Change("added", (Run("insert", "A closing paragraph was added."),), 6),
    )


def test_a_paragraph_inserted_next_to_an_edited_one() -> None:
    paras = [PARAS[0], "A brand new paragraph about other things entirely.",
             PARAS[1].replace("State Duma", "Senate"), *PARAS[2:]]
    [fc] = item_diff(revision(), revision(body=body(paras))).fields
    assert [(c.kind, c.paragraph) for c in fc.changes] == [("added", 2), ("changed", 3)]
    assert [r for r in fc.changes[1].runs if r.op != "equal"] == [
        Run("delete", "State Duma"), Run("insert", "Senate")]


def test_a_sentence_added_inside_a_paragraph() -> None:
    paras = list(PARAS)
    paras[1] = PARAS[1] + " Forty deputies attended."
    [fc] = item_diff(revision(), revision(body=body(paras))).fields
    assert fc.changes == (Change("added", (Run("insert", "Forty deputies attended."),), 2),)


def test_a_rewritten_sentence_is_removed_and_added() -> None:
    changes = field_diff("Talks were held. The end.", "Nothing of the kind happened. The end.")
    assert changes == [Change("removed", (Run("delete", "Talks were held."),), 1),
                       Change("added", (Run("insert", "Nothing of the kind happened."),), 1)]


def test_fields_in_contract_order_then_others() -> None:
    before = {"body": "a", "extra": "x", "title": "t", "url": "u", "status": "removed"}
    after = {"extra": "y", "body": "b", "title": "T", "url": "v", "status": "active"}
    names = [fc.field for fc in item_diff(before, after).fields]
    assert names == ["url", "status", "title", "body", "extra"]


def test_missing_field_counts_as_empty() -> None:
    assert item_diff({}, {"lead": "Added lead."}).fields == (
        FieldChanges("lead", (Change("added", (Run("insert", "Added lead."),), 1),)),)
    assert item_diff({"lead": "Old lead."}, {}).fields == (
        FieldChanges("lead", (Change("removed", (Run("delete", "Old lead."),), 1),)),)


def test_title_and_date_are_word_diffed() -> None:
    diff = item_diff(revision(), revision(title=TITLE + " in Moscow", published="2025-02-08"))
    assert [fc.field for fc in diff.fields] == ["title", "published"]
    title, published = (fc.changes[0].runs for fc in diff.fields)
    assert title == (Run("equal", "… met with the Ambassador of China"),
                     Run("insert", " in Moscow"))
    assert published == (Run("equal", "2025-02-"), Run("delete", "07"), Run("insert", "08"))


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("met with the Ambassador of China", "met with the Ambassador of the PRC",
         [Run("delete", "China"), Run("insert", "the PRC")]),
        ("Встреча в г. Минске прошла", "Встреча в Минске прошла успешно",
         [Run("delete", " г."), Run("insert", " успешно")]),
        ("On 3-5 June", "On 3–6 June", [Run("delete", "-5"), Run("insert", "–6")]),
        ("the quick brown fox jumps", "a slow red fox jumps",
         [Run("delete", "the quick brown"), Run("insert", "a slow red")]),
        ("Said «yes» today", 'Said "no" today', [Run("delete", "yes"), Run("insert", "no")]),
        ("Total: 12 units", "Total: 1 2 units", [Run("delete", "12"), Run("insert", "1 2")]),
        ("Ends here .", "Ends here.", [Run("delete", " ")]),
        ("Ends «here».", "Ends here .", [Run("delete", "«here»."), Run("insert", "here .")]),
    ],
    ids=["replace", "russian-delete-insert", "dash-and-digit", "merged-words",
         "quotes-are-not-the-change", "digits", "space-before-mark", "quotes-removed"],
)
def test_word_runs(old: str, new: str, changed: list[Run]) -> None:
    runs = word_runs(old, new)
    assert [r for r in runs if r.op != "equal"] == changed
    assert normalise(old_text(runs)) == normalise(old)
    assert normalise(new_text(runs)) == normalise(new)


def test_dashes_and_digits_are_changes() -> None:
    for old, new in [("3-5 June", "3–5 June"), ("2025", "2026"), ("5 000", "5000"),
                     ("-5 °C", "−5 °C")]:
        assert field_diff(old, new), (old, new)


def test_long_sentences_keep_six_words_of_context() -> None:
    words = " ".join(f"w{n}" for n in range(40))
    runs = word_runs(words + " old " + words + ".", words + " new " + words + ".")
    assert runs == (Run("equal", "… w34 w35 w36 w37 w38 w39 "), Run("delete", "old"),
                    Run("insert", "new"), Run("equal", " w0 w1 w2 w3 w4 w5 …"))
    two = word_runs(f"a {words} b", f"A {words} B")
    assert two[2] == Run("equal", " w0 w1 w2 w3 w4 w5 … w34 w35 w36 w37 w38 w39 ")


def test_a_cap_counts_what_it_leaves_out() -> None:
    paras = [p.replace(" the ", " a ") for p in PARAS]  # six sentences in five paragraphs
    full = item_diff(revision(), revision(body=body(paras)))
    assert full.count == 6 and full.more == 0
    capped = item_diff(revision(), revision(title="Other", body=body(paras)), limit=3)
    assert capped.count == 3 and capped.more == 5  # the title: one removed, one added
    assert [fc.field for fc in capped.fields] == ["title", "body"]
    assert capped.head(0) == ItemDiff((), 8) and bool(capped.head(0))


def test_every_detected_edit_has_a_visible_change() -> None:
    texts = ["A b.", "A  b .", "A b. C", "«A» b.", "A\u00a0b.\n\nC.", "A b…", "A b...",
             "A b.\n\nC.", "A b. C.", "a b.", "", "A-b.", "A–b.", "A b.\u200e"]
    for old in texts:
        for new in texts:
            changes = field_diff(old, new)
            edited = normalise(old) != normalise(new)
            assert bool(changes) == edited, (old, new)
            for change in changes:
                assert any(r.op != "equal" and r.text for r in change.runs), (old, new)


def test_spaced() -> None:
    assert spaced(" and Astana") == (" ", "and Astana", "")
    assert spaced("very ") == ("", "very", " ")
    assert spaced(" ") == ("", " ", "")
