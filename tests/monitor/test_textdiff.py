"""A word diff as plain text: what `show`, the console and the text part of an email print."""

from __future__ import annotations

from monitor.textdiff import change_line, clip, marked
from monitor.worddiff import Change, Run, field_diff, word_runs


def test_one_changed_word() -> None:
    runs = word_runs("spoke at the fourth meeting.", "spoke at the fifth meeting.")
    assert marked(runs) == "spoke at the [-fourth-]{+fifth+} meeting."


def test_spaces_go_outside_the_marks() -> None:
    assert marked(word_runs("visits Minsk", "visits Minsk and Astana")) == \
        "visits Minsk {+and Astana+}"
    assert marked(word_runs("I am grateful", "I am very grateful")) == "I am {+very+} grateful"
    assert marked(word_runs("Встреча в г. Минске прошла", "Встреча в Минске прошла успешно")) \
        == "Встреча в [-г.-] Минске прошла {+успешно+}"
    assert marked(word_runs("Ends here .", "Ends here.")) == "Ends here[- -]."


def test_lines_for_changed_added_and_removed() -> None:
    changed, added = field_diff("One. Two is here.", "One. Two is there. Three.")
    assert change_line(changed) == "~ Two is [-here-]{+there+}."
    assert change_line(added) == "+ Three."
    assert change_line(Change("removed", (Run("delete", "Gone paragraph."),))) == \
        "- Gone paragraph."


def test_whole_texts_and_runs_can_be_clipped() -> None:
    long = "word " * 50
    assert change_line(Change("added", (Run("insert", long),)), 20) == "+ word word word…"
    assert marked((Run("equal", "a "), Run("insert", long)), 12) == "a {+word word…+}"


def test_clip() -> None:
    assert clip("short") == "short"
    assert clip("one two three four", width=12) == "one two…"
    assert clip("x" * 20, width=10) == "x" * 9 + "…"
