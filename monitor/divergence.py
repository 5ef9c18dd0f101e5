"""Divergence of a story's two language versions: which one-sided edits to report (pure).

A version's edit (of its title, body or date) or removal diverges when the other version
has had `after` to follow and did not: no edit (resp. removal) of it was detected within
`after` of this one, before or after. Edits made before the other version was first seen
are not counted (it was published already edited). The caller records each at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# The fields whose edit the other version is expected to follow.
TRACKED = frozenset({"title", "published", "body"})


@dataclass(frozen=True)
class VersionChange:
    """One change event of one version."""

    id: int
    kind: str  # edited | removed (others are ignored)
    fields: tuple[str, ...]
    detected_at: datetime


def counts(change: VersionChange) -> bool:
    """Whether the other version is expected to follow this change."""
    if change.kind == "removed":
        return True
    return change.kind == "edited" and bool(TRACKED.intersection(change.fields))


def _follows(change: VersionChange, other: VersionChange, after: timedelta) -> bool:
    if abs(other.detected_at - change.detected_at) > after or not counts(other):
        return False
    return (other.kind == "removed") == (change.kind == "removed")


def diverged(own: Sequence[VersionChange], other: Sequence[VersionChange],
             other_since: datetime, now: datetime, after: timedelta
             ) -> list[VersionChange]:
    """The changes of `own` the other version did not follow within `after`.

    `other` holds the other version's changes; `other_since` is when it was first seen.
    """
    return [change for change in own
            if counts(change) and change.detected_at >= other_since
            and now - change.detected_at >= after
            and not any(_follows(change, theirs, after) for theirs in other)]
