"""Learning a source's furniture from what one poll saw (pure, no I/O).

A story's paragraphs are its own: they are on one page and change only when it is edited.
Furniture betrays itself in two ways, and a rule needs one of them:

- it changes between two reads seconds apart (a counter, a clock): learned as a SHAPE
  when three different texts of the same short shape were seen on that one page (the
  stored one and both reads; a page flapping between an old and a new version shows two);
- it is shared by many pages: the same shape with different texts at the same place of at
  least `REPEAT` pages (counters, captions), or the same text on at least `REPEAT` pages
  that either came or went on a page whose title and date did not change (a promotion
  that rotates, a "related news" list that follows each publication) or is the title or
  lead of another listed item (a "related news" entry).

A story paragraph quoted on two pages, or a boilerplate sentence that never changes, is
never learned; neither is anything seen on a single page unless it ticked while read twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from monitor.diff import normalise
from monitor.noise import NoiseRule, NoiseRules, clean_item, clean_stored, shape, split_body
from monitor.snapshot import StoredItem
from scraper.items import ListingEntry, NewsItem

# Distinct pages (items) a text or shape must be seen on before it counts as furniture.
REPEAT = 3
# Distinct pages a repeated text must have come or gone on: one page is an edit (a
# signature removed), furniture moves on many.
MOVED = 2


@dataclass
class _Shape:
    texts: dict[str, str] = field(default_factory=dict)  # normalised -> as seen
    # ("start" | "end", offset) -> {(url, normalised text)}
    places: dict[tuple[str, int], set[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(set))

    def best_place(self) -> tuple[tuple[str, int], int, int] | None:
        """The place seen on most pages with at least two texts: (place, pages, texts)."""
        found = []
        for place, seen in self.places.items():
            pages, texts = len({url for url, _ in seen}), len({text for _, text in seen})
            if texts >= 2:
                found.append((pages, texts, place))
        if not found:
            return None
        pages, texts, place = max(found)
        return place, pages, texts


@dataclass
class Corpus:
    """What a poll saw of a source's pages, for learning; fill it, then call `rules()`."""

    known: NoiseRules
    presence: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    examples: dict[str, str] = field(default_factory=dict)  # normalised -> as seen
    volatile: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    echoes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    shapes: dict[str, _Shape] = field(default_factory=lambda: defaultdict(_Shape))
    ticking: dict[str, tuple[str, str]] = field(default_factory=dict)  # shape -> (text, url)

    def add_listing(self, entries: Iterable[ListingEntry]) -> None:
        """Titles and leads of listed items: a paragraph equal to one is a link to it."""
        for entry in entries:
            for text in (entry.title, entry.lead):
                if text:
                    self.echoes[normalise(text)].add(entry.url)

    def add_page(self, url: str, paragraphs: Sequence[str]) -> None:
        """One read (or the stored copy) of a page, already cleaned with the known rules."""
        last = len(paragraphs) - 1
        for index, paragraph in enumerate(paragraphs):
            key = normalise(paragraph)
            self.presence[key].add(url)
            self.examples.setdefault(key, paragraph)
            masked = shape(paragraph)
            if masked is not None:
                seen = self.shapes[masked]
                seen.texts.setdefault(key, paragraph)
                seen.places[("start", index)].add((url, key))
                seen.places[("end", last - index)].add((url, key))

    def add_change(self, url: str, before: Sequence[str], after: Sequence[str]) -> None:
        """Two reads of one page whose story (title, date) did not change."""
        old, new = {normalise(p) for p in before}, {normalise(p) for p in after}
        for key in old ^ new:
            self.volatile[key].add(url)

    def add_rereads(self, url: str, stored: Sequence[str], first: Sequence[str],
                    second: Sequence[str]) -> None:
        """Two reads seconds apart: a short block that took a third value ticks."""
        self.add_change(url, first, second)
        by_shape: dict[str, set[str]] = defaultdict(set)
        for paragraph in (*stored, *first, *second):
            masked = shape(paragraph)
            if masked is not None:
                by_shape[masked].add(normalise(paragraph))
        moved = {normalise(p) for p in first} ^ {normalise(p) for p in second}
        for masked, texts in by_shape.items():
            if len(texts) >= 3 and texts & moved:
                example = next(p for p in (*first, *second) if normalise(p) in texts & moved)
                self.ticking.setdefault(masked, (example, url))

    def rules(self) -> list[NoiseRule]:
        """Rules the evidence supports that are not known yet; shapes first."""
        found = NoiseRules(self._shape_rules())
        found = found.with_rules(self._text_rules(self.known.with_rules(found)))
        return [rule for rule in found if rule not in self.known]

    def _shape_rules(self) -> Iterable[NoiseRule]:
        for masked, (example, url) in self.ticking.items():
            yield NoiseRule("shape", masked, example, f"changed while {url} was read twice")
        for masked, seen in self.shapes.items():
            best = seen.best_place()
            if best is not None and best[1] >= REPEAT:
                (side, offset), pages, texts = best
                yield NoiseRule("shape", masked, next(iter(seen.texts.values())),
                                f"{texts} texts on {pages} pages, "
                                f"paragraph {offset + 1} from the {side}")

    def _text_rules(self, covered: NoiseRules) -> Iterable[NoiseRule]:
        for key, pages in self.presence.items():
            if len(pages) < REPEAT or covered.match(key) is not None:
                continue
            moved, owners = self.volatile.get(key, set()), self.echoes.get(key, set())
            owner = min(owners, default="")
            if len(moved) >= MOVED:
                yield NoiseRule("text", key, self.examples[key],
                                f"on {len(pages)} pages; came or went on {len(moved)}, "
                                f"e.g. {min(moved)}", owner)
            elif owners and len(pages - owners) >= REPEAT:
                yield NoiseRule("text", key, self.examples[key],
                                f"on {len(pages)} pages; the title or lead of {owner}", owner)


def page_corpus(stored: Mapping[str, StoredItem], items: Sequence[NewsItem],
                listing: Iterable[ListingEntry], known: NoiseRules) -> Corpus:
    """The evidence of one crawl: each read page, its stored copy, and the listing."""
    corpus = Corpus(known)
    corpus.add_listing(listing)
    for item in items:
        current = clean_item(item, known).body
        corpus.add_page(item.url, current)
        before = stored.get(item.url)
        if before is None:
            continue
        old = split_body(clean_stored(before, known).body)
        corpus.add_page(item.url, old)
        if normalise(before.title) == normalise(item.title) and \
                before.published == item.published:
            corpus.add_change(item.url, old, current)
    return corpus
