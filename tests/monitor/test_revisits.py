"""Decaying revisits, the pure decisions (monitor.revisits)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor import revisits

STEPS = [timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6), timedelta(days=1),
         timedelta(days=3), timedelta(days=7), timedelta(days=30)]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_new_item_is_revisited_on_the_decaying_schedule_counted_from_its_sighting() -> None:
    schedule, times = revisits.start(T0, STEPS), []
    while schedule.next_at is not None:
        times.append(schedule.next_at - T0)
        schedule = revisits.after_revisit(schedule, STEPS, schedule.next_at, edited=False)
    assert times == STEPS
    assert schedule.step == len(STEPS)


def test_a_late_revisit_skips_the_steps_it_overtook_instead_of_catching_up() -> None:
    schedule = revisits.start(T0, STEPS)
    late = T0 + timedelta(days=2)  # the daemon was down: 15 min, 1 h, 6 h and 1 d passed
    after = revisits.after_revisit(schedule, STEPS, late, edited=False)
    assert (after.step, after.next_at) == (4, T0 + timedelta(days=3))


def test_an_edited_item_starts_its_schedule_again() -> None:
    schedule = revisits.Schedule(T0, 5, T0 + timedelta(days=7))
    found = T0 + timedelta(days=7, minutes=3)
    after = revisits.after_revisit(schedule, STEPS, found, edited=True)
    assert (after.anchor, after.step, after.next_at) == (found, 0, found + STEPS[0])


def test_an_item_stored_before_revisits_resumes_at_its_next_step_or_ends() -> None:
    now = T0 + timedelta(days=2)
    assert revisits.resume(T0, STEPS, now).next_at == T0 + timedelta(days=3)
    over = revisits.resume(T0 - timedelta(days=31), STEPS, now)
    assert (over.next_at, over.step) == (None, len(STEPS))


def test_due_takes_the_most_overdue_first_and_never_more_than_the_cap() -> None:
    now = T0 + timedelta(hours=1)
    times = [(f"item-{n}", T0 + timedelta(minutes=n)) for n in range(30)] + [
        ("later", now + timedelta(seconds=1)), ("over", None)]
    assert revisits.due(times, now, 3) == ["item-0", "item-1", "item-2"]
    assert revisits.due(times, T0 - timedelta(minutes=1), 3) == []
    assert len(revisits.due(times, now + timedelta(days=1), 50)) == 31
