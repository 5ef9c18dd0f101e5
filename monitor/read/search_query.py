"""What a search text means: terms to find, each a word form, an exact phrase or a prefix.

- A word matches its word forms (`учения` finds «учений», `country` «countries»): both
  sides go through `core.analyzer`. Stop words are left out, unless the query has nothing
  else (then they are looked for as exact words).
- `"…"` is a phrase of exact words, next to each other, in this order.
- `word*` is a prefix of an exact word (`Kazakh*` finds «Kazakhstan»).
- A word with punctuation inside (`CSTO-led`) is its parts, each a word.
- Every term must be found (AND). Nothing else is syntax: no input is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from core import analyzer

Kind = Literal["word", "phrase", "prefix"]
WORD: Kind = "word"
PHRASE: Kind = "phrase"
PREFIX: Kind = "prefix"
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Term:
    kind: Kind
    words: tuple[str, ...]  # folded exact words; a word term has one

    @property
    def stems(self) -> tuple[str, ...]:
        """The stems of the term's words but its stop words: a phrase only ranks by them."""
        if self.kind == PREFIX:
            return ()
        return tuple(analyzer.stem(w) for w in self.words if not analyzer.is_stop(w))

    @property
    def forms(self) -> tuple[str, ...]:
        """What a word term matches in the index of stems: its stem, and for a Russian word
        also the word as written (the Russian stemmer cuts «визит» to «виз» but «визита»
        to «визит»). PostgreSQL does the same: its `english` configuration, which a query
        is also read with, leaves Cyrillic words whole."""
        word = self.words[0]
        found = (analyzer.stem(word), word) if analyzer.language_of(word) == "ru" else (
            analyzer.stem(word),)
        return tuple(dict.fromkeys(found))


def clean(text: str) -> str:
    # Lone surrogates (undecodable argv bytes) and NUL cannot be sent to either database.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")


def parse(text: str) -> list[Term]:
    """The terms of a search text; [] when it has no letter or digit."""
    text = clean(text)
    terms: list[Term] = []
    for n, part in enumerate(_QUOTED.split(text)):
        if n % 2:  # inside quotes
            words = tuple(analyzer.tokens(part))
            if words:
                terms.append(Term(PHRASE, words))
        else:
            terms.extend(_bare_terms(part.replace('"', " ")))
    return _without_stop_words(terms)


def _bare_terms(text: str) -> list[Term]:
    terms: list[Term] = []
    for chunk in text.split():
        words = analyzer.tokens(chunk)
        if not words:
            continue
        if chunk.endswith("*"):
            *firsts, last = words
            terms.extend(Term(WORD, (w,)) for w in firsts)
            terms.append(Term(PREFIX, (last,)))
        else:
            terms.extend(Term(WORD, (w,)) for w in words)
    return terms


def _without_stop_words(terms: list[Term]) -> list[Term]:
    kept = [t for t in terms if t.kind != WORD or not analyzer.is_stop(t.words[0])]
    if kept:
        return list(dict.fromkeys(kept))
    # Only stop words ("the", "и"): find them as they are written.
    return list(dict.fromkeys(Term(PHRASE, t.words) for t in terms))


def matched_words(terms: list[Term], words: list[str]) -> set[int]:
    """Indexes of the folded `words` (a text's, in order) that a term matches."""
    stems = {s for t in terms if t.kind == WORD for s in t.forms}
    found = {i for i, w in enumerate(words) if _stem_unless_stop(w) in stems} if stems else set()
    for term in terms:
        if term.kind == PREFIX:
            found |= {i for i, w in enumerate(words) if w.startswith(term.words[0])}
        elif term.kind == PHRASE:
            size = len(term.words)
            for i in range(len(words) - size + 1):
                if tuple(words[i:i + size]) == term.words:
                    found.update(range(i, i + size))
    return found


@lru_cache(maxsize=200_000)
def _stem_unless_stop(word: str) -> str | None:
    # Called for every word of the 50 results' texts: one cached look-up each.
    return None if analyzer.is_stop(word) else analyzer.stem(word)


def matches(terms: list[Term], text: str) -> bool:
    """Whether `text` holds every term (alerts use this, as the index does)."""
    if not terms:
        return False
    words = analyzer.tokens(text)
    return all(matched_words([term], words) for term in terms)
