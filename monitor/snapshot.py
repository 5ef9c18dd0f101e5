"""Plain values the diff works on: what is stored, and the change events it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scraper.items import NewsItem

# Fields compared between a stored item and a freshly extracted detail page.
COMPARED_FIELDS = ("title", "published", "lead", "body")


@dataclass(frozen=True)
class StoredItem:
    id: int
    url: str
    published: date | None
    title: str
    lead: str
    body: str  # paragraphs joined by "\n\n"
    active: bool  # False once recorded as removed
    # URLs of the attached files; None: not known here (nothing to compare)
    attachments: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Scope:
    """The stored items a diff can look at: these URLs, and active items of these dates."""

    urls: frozenset[str]
    dates: frozenset[date]


@dataclass(frozen=True)
class NewChange:
    item: NewsItem


@dataclass(frozen=True)
class EditedChange:
    stored: StoredItem
    item: NewsItem
    # Names of changed fields among "url", "status", *COMPARED_FIELDS, "documents" (a file
    # attached or detached), in that order.
    fields: tuple[str, ...]
    # A re-slug (the stored item moved to item.url): what its old URL answered, "404",
    # "410" or "redirect" (to item.url); None for an edit in place.
    reslug: str | None = None


@dataclass(frozen=True)
class RemovedChange:
    stored: StoredItem


Change = NewChange | EditedChange | RemovedChange


def body_text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)
