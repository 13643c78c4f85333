"""What staff are told, and how: the kinds of notification, each person's choice per kind, the
defaults, and which kind a mail is (the one place that names them; issue 9, "quiet notifications").

The kinds are the staff mail the processes sent before preferences existed: a new task for a group
(task_assigned), a reminder and the overdue notice (task_reminder), an escalation (task_escalated),
and an application that closed with nobody deciding (review_expired, review_round_limit,
agreement_expired). A task someone holds (claimed, given to them, or opened for its owner) is
theirs: whatever is said about it is "a task assigned to me" to them.

Partner mail (sign, add information, rejected, welcome) is not here: it is what a partner must act
on, so it always goes, and partners have no in-app notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NotificationKind(StrEnum):
    GROUP_TASK = "group_task"          # a new task for a group I am in, nobody holds it yet
    MY_TASK = "my_task"                # a task I hold: opened for me, reminded, overdue
    REMINDER = "reminder"              # a group task's deadline comes near
    OVERDUE = "overdue"                # a group task passed its (escalated) deadline
    ESCALATION = "escalation"          # a task escalated to my role
    APPLICATION_CLOSED = "application_closed"  # closed by a deadline or the round limit


class Delivery(StrEnum):
    EACH = "each"        # a mail for each notification, as before
    DIGEST = "digest"    # one mail a day listing them (workflows/digest.py)
    NONE = "none"        # no mail; the header's count still shows it


# Group tasks are many and anyone of the group may take them: a daily digest. Anything about a
# task that is mine, or that now needs someone urgently, keeps its own mail.
DEFAULT_DELIVERY: dict[NotificationKind, Delivery] = {
    NotificationKind.GROUP_TASK: Delivery.DIGEST,
    NotificationKind.MY_TASK: Delivery.EACH,
    NotificationKind.REMINDER: Delivery.EACH,
    NotificationKind.OVERDUE: Delivery.EACH,
    NotificationKind.ESCALATION: Delivery.EACH,
    NotificationKind.APPLICATION_CLOSED: Delivery.EACH,
}

# The staff mail templates and the kind each one is. Only these go through preferences.
_KIND_OF_TEMPLATE: dict[str, NotificationKind] = {
    "task_assigned": NotificationKind.GROUP_TASK,
    "task_reminder": NotificationKind.REMINDER,
    "task_escalated": NotificationKind.ESCALATION,
    "task_overdue": NotificationKind.OVERDUE,  # a partner's overdue plan item (issue 10)
    "review_expired": NotificationKind.APPLICATION_CLOSED,
    "review_round_limit": NotificationKind.APPLICATION_CLOSED,
    "agreement_expired": NotificationKind.APPLICATION_CLOSED,
}
# What is said about a task that stays the holder's own business.
_ABOUT_THE_TASK_ITSELF = frozenset({NotificationKind.GROUP_TASK, NotificationKind.REMINDER,
                                    NotificationKind.OVERDUE})


def kind_of(template: str, *, overdue: bool = False, holds_task: bool = False) -> NotificationKind:
    """The kind of a staff mail for one recipient. `overdue`: the reminder is the overdue notice;
    `holds_task`: the recipient holds the task it is about."""
    kind = _KIND_OF_TEMPLATE.get(template, NotificationKind.APPLICATION_CLOSED)
    if kind == NotificationKind.REMINDER and overdue:
        kind = NotificationKind.OVERDUE
    if holds_task and kind in _ABOUT_THE_TASK_ITSELF:
        return NotificationKind.MY_TASK
    return kind


def delivery_for(kind: str, chosen: dict[str, str]) -> Delivery:
    """The person's choice for the kind, else the default. `chosen`: kind -> delivery as stored;
    a value no longer known (a kind renamed) falls back to the default too."""
    try:
        return Delivery(chosen[kind])
    except (KeyError, ValueError):
        return DEFAULT_DELIVERY[NotificationKind(kind)]


def choices_with_defaults(chosen: dict[str, str]) -> dict[NotificationKind, Delivery]:
    """Every kind with what applies to it for this person (the settings page's initial values)."""
    return {kind: delivery_for(kind, chosen) for kind in NotificationKind}


@dataclass(frozen=True)
class DigestInput:
    """One digest run (workflows/digest.py): `key` names the run, so a retried activity mails
    each person the same one digest."""
    key: str


@dataclass(frozen=True)
class DigestResult:
    mails: int = 0      # people mailed a digest by this run
    items: int = 0      # notifications those digests listed
