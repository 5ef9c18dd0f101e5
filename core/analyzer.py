"""Text analysis for search: one analyzer at indexing and at query time, everywhere.

A text is split into words (runs of letters and digits), each folded (Unicode case
folding, `ё` → `е`, stress marks dropped) and then, for matching by word forms, stemmed
with Snowball (PyStemmer): Cyrillic words with the Russian stemmer and stop words, other
words with the English ones. Choosing the language by the word's script rather than by the
item's is what PostgreSQL's `russian` configuration does too (its ASCII words go to the
English stemmer): a Latin name or term in a Russian item is still found by its English
forms. Exact forms (`exact_words`) keep every word, stop words included, for phrases and
prefixes.

It lives in `core` because SQLite's triggers call it (`register_sqlite_functions`) and
migrations re-index with it; it imports only PyStemmer.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import Stemmer

# Letters and digits; "_" and punctuation separate words, as in SQLite's unicode61.
WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_STRESS = dict.fromkeys(map(ord, "\u0300\u0301"), None)
_STOPWORDS = Path(__file__).parent / "stopwords"
LANGUAGES = ("ru", "en")
_STEMMERS = {"ru": "russian", "en": "english"}


def fold(text: str) -> str:
    """Case-folded, `ё` → `е`, without stress marks (what both sides compare)."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_STRESS))
    return text.casefold().replace("ё", "е")


def tokens(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return WORD.findall(fold(text))


def spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word of `text`, offsets into `text` itself."""
    return [(m.start(), m.end(), _fold_word(m.group())) for m in WORD.finditer(text)]


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    # Words repeat: a snippet of 50 results folds far fewer distinct ones.
    return fold(word)


def language_of(word: str) -> str:
    """The language whose rules analyse a folded word: Russian for Cyrillic, else English."""
    return "ru" if _CYRILLIC.search(word) else "en"


@cache
def stop_words(language: str) -> frozenset[str]:
    lines = (_STOPWORDS / f"{language}.txt").read_text(encoding="utf-8").split()
    return frozenset(fold(word) for word in lines)


@cache
def _stemmer(language: str) -> Any:
    return Stemmer.Stemmer(_STEMMERS[language])


def is_stop(word: str) -> bool:
    return word in stop_words(language_of(word))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one folded word (its own script's stemmer)."""
    return str(_stemmer(language_of(word)).stemWord(word))


def stems(text: str) -> list[str]:
    """The stems of the words of `text` that are not stop words, in order."""
    return list(_stems(text))


@lru_cache(maxsize=16)
def _stems(text: str) -> tuple[str, ...]:
    # On SQLite an item's insert or edit runs two triggers over the same title, lead and
    # body one after the other (the FTS5 index, then the table of ranked words): the
    # second finds them analysed here instead of doing it again (a backfill's CPU).
    return tuple(stem(word) for word in tokens(text) if not is_stop(word))


def stem_text(text: str | None) -> str:
    """`stems` as one space-separated text (what SQLite's index stores)."""
    return " ".join(_stems(text or ""))


def exact_text(text: str | None) -> str:
    """The folded words of `text` as one space-separated text (phrases, prefixes)."""
    return " ".join(tokens(text or ""))


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """`csto_stems(text)` and `csto_exact(text)` for SQLite's search triggers."""
    dbapi_connection.create_function("csto_stems", 1, stem_text, deterministic=True)
    dbapi_connection.create_function("csto_exact", 1, exact_text, deterministic=True)
    dbapi_connection.create_function("csto_sha256", 1, digest, deterministic=True)


def digest(text: str | None) -> str:
    """The SHA-256 (hex) a stored translation is keyed by (monitor.translation.cache)."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()
