"""How much two titles say they are the same story, with a source's template words ignored.

The CSTO's titles are formulaic ("The CSTO Secretary General met with the Ambassador of
…", "A meeting of the CSTO Council of … was held in …"): two different stories share most
of their words, so a plain text similarity calls them one. Here each word weighs by its
rarity among the source's other titles (inverse document frequency, squared so that a
template's words, which recur, count for little next to a name or a place, which does
not); the score is the weighted Jaccard index of the two titles' words. A word with a
typo or an inflection matches its fixed form.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

# Minimum score of a re-slugged story's titles (same story, title lightly edited).
RESLUG_SIMILARITY = 0.6
# Two words this alike are one word spelt twice (a typo fixed, an inflection).
_WORD_SIMILARITY = 0.8
_MIN_FUZZY_LENGTH = 5  # shorter words must match exactly ("of" vs "on")
_FLOOR = 0.1  # a word in every other title still weighs a little (no corpus: all alike)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1 << 14)
def title_words(title: str) -> frozenset[str]:
    """The distinct words of a title, case folded (punctuation and quotes dropped)."""
    return frozenset(_WORD.findall(title.casefold()))


class TitleRarity:
    """Word rarity among a source's titles; the pair compared never counts itself."""

    def __init__(self, titles: Iterable[str] = ()) -> None:
        self._titles = Counter(title_words(t) for t in titles)
        self._frequency: Counter[str] = Counter()
        for words, count in self._titles.items():
            for word in words:
                self._frequency[word] += count
        self._size = sum(self._titles.values())

    def similarity(self, a: str, b: str) -> float:
        """Similarity of two titles in [0, 1]: 1 for the same words, low when only the
        words they share with many other titles are alike."""
        words_a, words_b = title_words(a), title_words(b)
        if not words_a or not words_b:
            return 1.0 if words_a == words_b else 0.0
        weight = self._weights(words_a, words_b)
        matched_a = _matched(words_a, words_b)
        matched_b = _matched(words_b, words_a)
        shared = sum(weight[w] for w in matched_a) + sum(weight[w] for w in matched_b)
        dice = shared / (sum(weight[w] for w in words_a) + sum(weight[w] for w in words_b))
        # As a Jaccard index (shared over all): one word in place of another costs more.
        return dice / (2 - dice)

    def _weights(self, words_a: frozenset[str], words_b: frozenset[str]) -> dict[str, float]:
        """Squared IDF of each word over the other titles, the pair counting as one."""
        own = Counter({words_a: 1}) + Counter({words_b: 1}) if words_a != words_b \
            else Counter({words_a: 1})
        # A title of the pair that is in the corpus is not an "other" title.
        excluded = {words: min(count, self._titles[words]) for words, count in own.items()}
        others = self._size - sum(excluded.values())
        weights = {}
        for word in words_a | words_b:
            elsewhere = self._frequency[word] - sum(n for words, n in excluded.items()
                                                    if word in words)
            weights[word] = (math.log((others + 1) / (elsewhere + 1)) + _FLOOR) ** 2
        return weights


def _matched(words: frozenset[str], other: frozenset[str]) -> list[str]:
    """The words of `words` that `other` has, exactly or spelt a little differently."""
    return [w for w in words if w in other or _near(w, other)]


def _near(word: str, other: frozenset[str]) -> bool:
    if len(word) < _MIN_FUZZY_LENGTH:
        return False
    return any(len(o) >= _MIN_FUZZY_LENGTH and _alike(word, o) for o in other)


@lru_cache(maxsize=1 << 14)
def _alike(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= _WORD_SIMILARITY
