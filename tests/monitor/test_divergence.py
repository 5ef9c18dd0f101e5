"""monitor.divergence: which one-sided edits of a story's versions to report (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.divergence import VersionChange, diverged

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)
DAY = timedelta(hours=24)


def change(id_: int, hours: float, kind: str = "edited", *fields: str) -> VersionChange:
    return VersionChange(id_, kind, fields or ("title",), T0 + timedelta(hours=hours))


def ids(found: list[VersionChange]) -> list[int]:
    return [c.id for c in found]


def test_an_edit_not_followed_within_the_window_diverges_once_due() -> None:
    own = [change(1, 0)]
    assert diverged(own, [], T0 - DAY, T0 + timedelta(hours=23), DAY) == []  # not yet
    assert ids(diverged(own, [], T0 - DAY, T0 + DAY, DAY)) == [1]


def test_an_edit_followed_before_or_after_does_not_diverge() -> None:
    for hours in (-20, 3, 23.9):
        assert diverged([change(1, 0)], [change(2, hours, "edited", "body")], T0 - DAY,
                        T0 + 3 * DAY, DAY) == []
    assert ids(diverged([change(1, 0)], [change(2, 25)], T0 - DAY, T0 + 3 * DAY, DAY)) == [1]


def test_a_removal_is_followed_only_by_a_removal() -> None:
    removal = change(1, 0, "removed")
    assert ids(diverged([removal], [change(2, 1)], T0 - DAY, T0 + 2 * DAY, DAY)) == [1]
    assert diverged([removal], [change(2, 1, "removed")], T0 - DAY, T0 + 2 * DAY, DAY) == []
    assert ids(diverged([change(3, 0)], [change(2, 1, "removed")], T0 - DAY, T0 + 2 * DAY,
                        DAY)) == [3]


def test_untracked_fields_and_edits_before_the_other_version_do_not_count() -> None:
    assert diverged([change(1, 0, "edited", "lead", "documents")], [], T0 - DAY,
                    T0 + 2 * DAY, DAY) == []
    assert ids(diverged([change(1, 0, "edited", "lead", "published")], [], T0 - DAY,
                        T0 + 2 * DAY, DAY)) == [1]
    # Edited at 09:00, the English version first seen at 12:00 (published as edited).
    assert diverged([change(1, 0)], [], T0 + timedelta(hours=3), T0 + 2 * DAY, DAY) == []
    # An edit of lead only on the other side does not follow a title edit.
    assert ids(diverged([change(1, 0)], [change(2, 1, "edited", "lead")], T0 - DAY,
                        T0 + 2 * DAY, DAY)) == [1]
