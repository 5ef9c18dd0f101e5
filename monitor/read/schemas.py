"""The history's public shapes: what the JSON API answers, which query parameters it takes,
and the webhook body.

The API handlers build their responses from these models and parse their parameters with
them, the OpenAPI document is generated from them (csto_monitor/web/api/openapi.py), and
webhooks send `WebhookPayload`: they cannot drift.
Field names and values are those of `csto-monitor history --format json`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from core.events import EventKind

# As the CLI prints them (isoformat: "+00:00", not pydantic's "Z").
Timestamp = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[date, WithJsonSchema({"type": "string", "format": "date"})]
Kind = EventKind  # defined once, in core.events
Lang = Literal["en", "ru"]


class Counterpart(BaseModel):
    """The item's version in the other language, when the two are paired as one story."""

    id: int
    url: str
    language: str
    confidence: float = Field(description="0 to 1; 1.0 for a pair made by hand")
    manual: bool = Field(description="Paired or confirmed by an operator (`csto-monitor "
                                     "pair`); never changed automatically")


class _ItemFields(BaseModel):
    id: int
    url: str
    title: str
    published: Day | None = Field(description="The article's own date")
    section: str
    language: str
    lead: str
    status: Literal["active", "removed"]
    first_seen: Timestamp
    last_changed: Timestamp
    counterpart: Counterpart | None = Field(
        default=None, description="The other language version of the story, or null")


class Snippet(BaseModel):
    """A passage of the item (lead, body, a found document or the English translation of a
    Russian-only story) with the matched words."""

    text: str
    ranges: list[tuple[int, int]] = Field(description="[start, end) character offsets in "
                                                      "`text` of each matched word")


class Item(_ItemFields):
    """A stored item, as `history --format json` prints it."""

    revisions: int = Field(description="How many revisions are stored")
    found_in: list[str] | None = Field(default=None, description=(
        "With a search (`q`): where the words were found: \"item\" (its own title, lead "
        "or body), \"translation\" (the stored English of a Russian-only story's title and "
        "lead, with `translation:` configured), \"document: NAME\" per attached document; "
        "else null"))
    snippet: Snippet | None = Field(default=None, description="With a search (`q`): the "
                                    "words in context; else null")


class Revision(BaseModel):
    """One stored version of an item."""

    number: int = Field(description="1 for what was first seen")
    detected_at: Timestamp
    fields: list[str] = Field(description="Names of the fields changed from the revision "
                                          "before (empty for the first)")
    url: str
    title: str
    published: Day | None
    lead: str
    body: str
    attachments: list[str]


class ItemDetail(_ItemFields):
    """An item with its full text and every revision, oldest first."""

    body: str
    attachments: list[str]
    revisions: list[Revision]


class Change(BaseModel):
    """A change event, as `history --changes --format json` prints it."""

    id: int
    kind: Kind
    item_id: int
    url: str
    title: str
    detected_at: Timestamp
    fields: list[str] = Field(description="Changed field names (for `edited`; for "
                                          "`diverged`, those of the one-sided edit)")
    published: Day | None
    section: str
    language: str


class ItemsPage(BaseModel):
    items: list[Item]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                                "on the last one")
    facets: dict[Literal["section", "language", "year"], dict[str, int]] | None = Field(
        default=None, description="With `q`: how many matches (under the other filters) "
        "are in each section, language and year of publication; else null")


class ChangesPage(BaseModel):
    changes: list[Change]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null "
                                                "on the last one")


class ErrorDetail(BaseModel):
    code: str = Field(description="bad_parameter, unauthorized, not_found, rate_limited, "
                                  "database_unavailable, ...")
    message: str


class Error(BaseModel):
    error: ErrorDetail


class WebhookPayload(BaseModel):
    """The JSON body POSTed to a webhook for one change event."""

    event: Change
    item: Item = Field(description="The item as stored when the event was sent")


# --- query parameters ------------------------------------------------------------------


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: Annotated[int, Field(ge=1, le=500, description="Page size")] = 50
    cursor: Annotated[str | None, Field(max_length=500, description=(
        "`next_cursor` of the previous page"))] = None
    section: Annotated[str | None, Field(max_length=64, description="e.g. news_odkb")] = None
    lang: Annotated[Lang | None, Field(description="The site's language")] = None


class ItemsQuery(_Query):
    """GET /api/v1/items: newest first by the article's date, or by relevance to `q`."""

    q: Annotated[str | None, Field(max_length=500, description=(
        "Full-text search over title, lead, body and attached documents: every word must "
        "match in any of its forms; \"exact phrase\", prefix*"))] = None
    sort: Annotated[Literal["relevance", "date"], Field(description=(
        "With `q`: relevance (title above lead above body above documents, then newest) "
        "or date (newest first); without `q` always date"))] = "relevance"
    since: Annotated[date | None, Field(description="Published on or after (YYYY-MM-DD)")
                     ] = None
    until: Annotated[date | None, Field(description="Published on or before (YYYY-MM-DD)")
                     ] = None
    status: Annotated[Literal["active", "removed"] | None, Field(
        description="active, or removed from the site")] = None


def moment(text: str, *, end: bool) -> datetime:
    """A `since` (inclusive) or `until` (exclusive: the day after, or 1 µs later) bound."""
    if len(text) == 10:
        day = datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
        return day + timedelta(days=1) if end else day
    value = datetime.fromisoformat(text.replace(" ", "T"))
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value + timedelta(microseconds=1) if end else value


def _real_moment(text: str) -> str:
    try:
        moment(text, end=False)
    except ValueError:
        raise ValueError("not a valid date or date-time; write e.g. 2026-01-05 or "
                         "2026-01-05T09:30:00Z") from None
    return text


Moment = Annotated[str, AfterValidator(_real_moment), Field(
    pattern=r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$",
    description="A day (YYYY-MM-DD, the whole day) or an RFC 3339 date-time (UTC if no "
                "offset is given)")]


class ChangesQuery(_Query):
    """GET /api/v1/changes: newest first by detection time."""

    kind: Annotated[Kind | None, Field(
        description="new, edited, removed, document_changed or diverged")] = None
    since: Moment | None = None
    until: Moment | None = None


RESPONSES: tuple[type[BaseModel], ...] = (Counterpart, Item, ItemDetail, Revision, Change,
                                          ItemsPage, ChangesPage, Error, WebhookPayload)
