"""Sentences of news text: where one ends, given initials, abbreviations and dates."""

from __future__ import annotations

import re
import unicodedata

# A sentence ends with terminators, then maybe closing quotes/brackets, then whitespace.
_END = re.compile(r"[.!?…]+([»”’\"')\]]*)(?=\s)")
# Skipped when looking at how the next sentence starts: «Quote, (bracket, — dash.
_OPENERS = "«“„‘\"'([—–-"
# A dotted chain of single letters: initials "I.N", "В.В", and "e.g", "т.е".
_LETTER_CHAIN = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")
_YEAR = re.compile(r"\d{4}(?:[-–]\d{2,4})?")
# Words of a bare date such as "С 3 по 5 июня 2025": numbers, months, short prepositions.
_DATE_WORD = re.compile(
    r"[\d.,–-]+|[^\W\d_]{1,2}|(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр"
    r"|октябр|ноябр|декабр)\w*",
    re.IGNORECASE,
)

# Abbreviations (casefolded, without the final dot) that practically never end a sentence
# in CSTO news: titles, "St. Petersburg", "No. 5", Russian "им.", "ул.", "ст." ...
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "vs", "gen", "col", "lt", "maj",
    "adm", "capt", "sr", "jr", "art", "para", "approx", "dept", "ave",
    "им", "ул", "пр", "просп", "пл", "ст", "ген", "полк", "проф", "акад", "стр", "обл",
    "св", "тов", "гос",
})
# Letter chains that usually do end a sentence ("и т.д.", "и т.п.").
_CHAIN_ENDINGS = frozenset({"т.д", "т.п"})
# Russian "г." is "city" before a name (no break) but "year" after a number (may end one).
_YEAR_ABBREVIATIONS = frozenset({"г", "гг"})


def clean(text: str) -> str:
    """NFC, whitespace runs (nbsp included) collapsed to one space."""
    # str.split() splits on every Unicode space, nbsp included.
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` (whitespace collapsed), keeping closing quotes with their sentence."""
    text = clean(text)
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        if _is_boundary(text, start, match):
            sentences.append(text[start:match.end()].strip())
            start = match.end()
    tail = text[start:].strip()
    return [*sentences, tail] if tail else sentences


def _is_boundary(text: str, start: int, match: re.Match[str]) -> bool:
    """Whether the terminator `match` ends the sentence that began at `start`."""
    following = text[match.end():].lstrip().lstrip(_OPENERS).lstrip()
    if not following or following[0].islower():
        return False
    # Only a bare full stop can belong to an abbreviation or an initial.
    if match.group(0) != ".":
        return True
    # A short window is enough to see the last two words, and keeps long texts linear.
    words = text[max(0, match.start() - 80):match.start()].split()
    if not words:
        return True
    word = words[-1].lstrip(_OPENERS)
    key = word.casefold()
    if key in _YEAR_ABBREVIATIONS:
        return _ends_year(text[start:match.start()].split())
    return not _is_abbreviation(word)


def _ends_year(words: list[str]) -> bool:
    """Whether "г." after these words ends a sentence: after a year, unless all is a bare date.

    "Заседание прошло 7 февраля 2025 г." ends; "7 февраля 2025 г. Совет ..." and "в г. Минске"
    do not.
    """
    if len(words) < 2 or not _YEAR.fullmatch(words[-2]):
        return False
    return not all(_DATE_WORD.fullmatch(w) for w in words[:-1])


def _is_abbreviation(word: str) -> bool:
    """Whether `word` followed by "." is an abbreviation or initial rather than a sentence end."""
    key = word.casefold()
    if key in ABBREVIATIONS:
        return True
    return key not in _CHAIN_ENDINGS and _LETTER_CHAIN.fullmatch(word) is not None
