"""Opaque page cursors: where the last page ended, and what the listing was as it began.

A cursor holds the sort key of the last row given (keyset paging: an insert before it
moves nothing after it), the highest id stored when the first page was read (rows stored
later are left out, so a listing paged during a poll neither skips nor repeats a row)
and a fingerprint of the filters, so that a cursor is not reused with other ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


class BadCursor(ValueError):
    """A cursor this API did not give out for these parameters."""


@dataclass(frozen=True)
class Position:
    key: str | None  # the last row's sort value (ISO date or date-time); None: undated
    id: int  # the last row's id
    high: int  # the highest id when the listing began


def fingerprint(query: BaseModel) -> str:
    """The filters of a query (not its page size or cursor), hashed."""
    filters = query.model_dump(mode="json", exclude={"limit", "cursor"})
    text = json.dumps(filters, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def encode(position: Position, query: BaseModel) -> str:
    data = {"k": position.key, "i": position.id, "h": position.high, "f": fingerprint(query)}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(text: str, query: BaseModel) -> Position:
    try:
        data: Any = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        key, row, high, filters = data["k"], data["i"], data["h"], data["f"]
    except (ValueError, TypeError, KeyError):
        raise BadCursor("not a cursor this API gave out; start again without it") from None
    if not (isinstance(key, str | None) and _is_id(row) and _is_id(high)):
        raise BadCursor("not a cursor this API gave out; start again without it")
    if filters != fingerprint(query):
        raise BadCursor("it belongs to a listing with other filters; keep the parameters "
                        "of the first page, or start again without a cursor")
    return Position(key, row, high)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
