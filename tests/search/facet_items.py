"""Items for the facets tests of both databases (issue 21 point 4): words come and go with
the item's number, some only in attached documents; `expected` counts the facets from the
items a filter selects, in Python."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Item, Source
from monitor.read.filters import Filter, item_conditions
from tests.search.ranked_items import attach

SECTIONS = ("news", "speech", "statements")
QUERIES = ("summit", "summit minsk", '"summit in minsk"', "summ*", "учения", "protocol",
           "minsk summit protocol", "nowhere")
# No item holds every word of these in its own text: the few matches are grouped.
ONLY_IN_DOCUMENTS = ("protocol", "minsk summit protocol")
FILTERS = [{}, {"section": "speech"}, {"language": "ru"}, {"section": "news", "language": "en"},
           {"section": "nonexistent"}]


def _text(n: int) -> tuple[str, str, str]:
    """Title, lead and body of the n-th item: words come and go with n."""
    if n % 3 == 0:
        return (f"Учения № {n}", "Прошли учения." if n % 2 else "Итоги учений.",
                "Командно-штабные учения summit." if n % 5 == 0 else "Без происшествий.")
    title = "Summit in Minsk" if n % 4 == 1 else f"Meeting {n}"
    lead = "Leaders met at the summit." if n % 5 < 2 else "A working meeting."
    body = "Minsk hosted it." if n % 7 < 3 else "It was held in Astana."
    return title, lead, body


def store(session: Session, count: int = 150) -> None:
    source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
    session.add(source)
    for n in range(count):
        title, lead, body = _text(n)
        session.add(Item(source=source, url=f"https://en.odkb-csto.org/news/{n}/",
                         slug=f"s{n}", section=SECTIONS[n % 5 % 3],
                         language="ru" if n % 3 == 0 else "en",
                         published=None if n % 11 == 0 else date(2001 + n % 6, 1 + n % 12, 1),
                         title=title, lead=lead, body=body))
    session.flush()
    # "protocol" only in documents: of items that match "summit" and of some that do not.
    for item in session.scalars(select(Item).where(Item.id % 9 == 2)):
        attach(session, item, "The protocol of the summit in Minsk.")
    session.commit()


def expected(session: Session, f: Filter) -> dict[str, dict[str, int]]:
    """The facets counted here, from the items the filter selects."""
    ids = set(session.scalars(select(Item.id).where(*item_conditions(session, f))))
    found: dict[str, Counter[str]] = {"section": Counter(), "language": Counter(),
                                      "year": Counter()}
    for item in session.scalars(select(Item).where(Item.id.in_(ids))):
        found["section"][item.section] += 1
        found["language"][item.language] += 1
        if item.published:
            found["year"][str(item.published.year)] += 1
    return {name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            for name, counts in found.items()}


# The filters once the items are edited: "interviews" is a section only `edit` brings.
EDITED_FILTERS = [*FILTERS, {"section": "interviews"}]


def edit(session: Session) -> None:
    """Edits of section, language, date and text, and a deletion, committed."""
    items = list(session.scalars(select(Item).order_by(Item.id)))
    items[1].section = "interviews"  # a new value
    items[5].language = "ru"
    items[6].published = None
    items[10].published = date(1999, 12, 31)
    items[13].title = "Nothing to see"  # was "Summit in Minsk"
    items[14].body, items[14].section = "The summit opened.", "speech"
    session.delete(items[17])
    session.commit()
