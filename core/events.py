"""The kinds of change event, defined here once: configuration, metrics, API, web page."""

from __future__ import annotations

from typing import Literal, get_args

EventKind = Literal["new", "edited", "removed", "document_changed", "diverged"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
