"""SLA clocks for human steps: which reminders, escalations and the final fallback fire when.

Pure, so the workflow and the tests share one definition of "when".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.roles import Role


class CheckpointKind(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Checkpoint:
    after: timedelta          # measured from the moment the task opened
    kind: CheckpointKind
    label: str = ""           # e.g. "7 days left", shown in mail and history
    # ESCALATE only: who is told (issue 10: a partner's overdue step goes to its admins, then to
    # its channel manager), and whether the task's due time moves on to the next checkpoint
    # (recruitment's escalations give the lead until then; an overdue plan item stays overdue).
    escalate_to: str = Role.PROGRAM_LEAD
    moves_due: bool = True


def review_checkpoints(sla: timedelta, escalation_grace: timedelta) -> list[Checkpoint]:
    """Reminder at half time, escalation at the deadline, fallback after the grace period."""
    return [
        Checkpoint(sla / 2, CheckpointKind.REMIND, "half time"),
        Checkpoint(sla, CheckpointKind.ESCALATE, "deadline passed"),
        Checkpoint(sla + escalation_grace, CheckpointKind.FALLBACK, "escalation expired"),
    ]


OVERDUE = "overdue"  # the label of the notice that an escalated step is still undecided


def escalating_checkpoints(sla: timedelta, escalation_grace: timedelta) -> list[Checkpoint]:
    """For a step that must never expire (a countersignature: the partner has signed): reminder
    at half time, escalation at the deadline with `escalation_grace` more to decide, then an
    overdue notice to everyone who may decide. After that the step waits for its decision."""
    return [
        Checkpoint(sla / 2, CheckpointKind.REMIND, "half time"),
        Checkpoint(sla, CheckpointKind.ESCALATE, "deadline passed"),
        Checkpoint(sla + escalation_grace, CheckpointKind.REMIND, OVERDUE),
    ]


def expiry_checkpoints(expiry: timedelta, remind_before: tuple[timedelta, ...]) -> list[Checkpoint]:
    """Reminders a fixed time before expiry (skipping any that would fall before the start)."""
    points = [
        Checkpoint(expiry - before, CheckpointKind.REMIND, _left(before))
        for before in sorted(remind_before, reverse=True)
        if before < expiry
    ]
    points.append(Checkpoint(expiry, CheckpointKind.FALLBACK, "expired"))
    return points


def simple_checkpoints(sla: timedelta) -> list[Checkpoint]:
    """A reminder at half time and a fallback at the deadline (steps with nobody to escalate to)."""
    return [Checkpoint(sla / 2, CheckpointKind.REMIND, "half time"),
            Checkpoint(sla, CheckpointKind.FALLBACK, "deadline passed")]


def due_checkpoints(remind_before: tuple[timedelta, ...],
                    escalations: tuple[tuple[timedelta, str], ...]
                    ) -> tuple[list[Checkpoint], timedelta]:
    """Reminders before a due time, then escalations after it (each (delay after the due time,
    role told)), none moving the due time: an overdue step stays overdue. Counted from `lead`
    before the due time (returned with them): the workflow passes `due - lead` as the anchor,
    so a moved due time moves them all (issue 10's plan items)."""
    lead = max(remind_before, default=timedelta(0))
    points = [Checkpoint(lead - before, CheckpointKind.REMIND, _left(before))
              for before in sorted(set(remind_before), reverse=True)]
    points += [Checkpoint(lead + after, CheckpointKind.ESCALATE, f"overdue-{role}",
                          escalate_to=role, moves_due=False) for after, role in escalations]
    return points, lead


def due_after(points: list[Checkpoint]) -> timedelta:
    """The deadline shown to people: the first escalation or fallback."""
    return next(p.after for p in points if p.kind != CheckpointKind.REMIND)


def _left(before: timedelta) -> str:
    days = before.days
    if days >= 1 and before == timedelta(days=days):
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{int(before.total_seconds())} seconds left"
