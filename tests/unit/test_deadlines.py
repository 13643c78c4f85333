from datetime import timedelta

from domain.deadlines import (CheckpointKind, due_after, expiry_checkpoints, review_checkpoints,
                              simple_checkpoints)

DAY = timedelta(days=1)


def test_review_clock_reminds_at_half_time_escalates_then_falls_back():
    points = review_checkpoints(2 * DAY, DAY)
    assert [(p.after, p.kind) for p in points] == [
        (DAY, CheckpointKind.REMIND), (2 * DAY, CheckpointKind.ESCALATE),
        (3 * DAY, CheckpointKind.FALLBACK)]
    assert due_after(points) == 2 * DAY


def test_signature_reminders_count_back_from_expiry():
    points = expiry_checkpoints(30 * DAY, (DAY, 7 * DAY, 3 * DAY))
    assert [p.after.days for p in points] == [23, 27, 29, 30]
    assert [p.label for p in points[:3]] == ["7 days left", "3 days left", "1 day left"]
    assert due_after(points) == 30 * DAY


def test_reminders_longer_than_the_expiry_are_dropped():
    points = expiry_checkpoints(2 * DAY, (7 * DAY, DAY))
    assert [p.after for p in points] == [DAY, 2 * DAY]


def test_simple_clock():
    assert [p.kind for p in simple_checkpoints(14 * DAY)] == [CheckpointKind.REMIND,
                                                              CheckpointKind.FALLBACK]
