"""The notification rule (domain/notifications.py): which kind a staff mail is, the defaults, and
the digest schedule's declaration (workflows/schedules.py)."""

from __future__ import annotations

import dataclasses

import pytest
from temporalio.client import ScheduleOverlapPolicy

from domain.notifications import (DEFAULT_DELIVERY, Delivery, NotificationKind,
                                  choices_with_defaults, delivery_for, kind_of)
from settings import Settings
from workflows.schedules import declared


def test_group_tasks_default_to_the_digest_and_my_tasks_to_each_mail():
    defaults = choices_with_defaults({})
    assert defaults[NotificationKind.GROUP_TASK] == Delivery.DIGEST
    assert defaults[NotificationKind.MY_TASK] == Delivery.EACH
    # What needs someone now keeps its mail.
    for urgent in (NotificationKind.ESCALATION, NotificationKind.OVERDUE):
        assert defaults[urgent] == Delivery.EACH
    assert set(DEFAULT_DELIVERY) == set(NotificationKind)  # every kind has a default


def test_a_choice_wins_over_the_default_and_an_unknown_value_does_not():
    assert delivery_for("group_task", {"group_task": "none"}) == Delivery.NONE
    assert delivery_for("group_task", {"group_task": "hourly"}) == Delivery.DIGEST
    assert delivery_for("my_task", {"group_task": "none"}) == Delivery.EACH


def test_the_kind_of_each_staff_mail():
    assert kind_of("task_assigned") == NotificationKind.GROUP_TASK
    assert kind_of("task_reminder") == NotificationKind.REMINDER
    assert kind_of("task_reminder", overdue=True) == NotificationKind.OVERDUE
    assert kind_of("task_escalated") == NotificationKind.ESCALATION
    for closed in ("review_expired", "review_round_limit", "agreement_expired"):
        assert kind_of(closed) == NotificationKind.APPLICATION_CLOSED


def test_whatever_is_said_about_a_task_i_hold_is_my_task_but_an_escalation():
    for template, overdue in (("task_assigned", False), ("task_reminder", False),
                              ("task_reminder", True)):
        assert kind_of(template, overdue=overdue, holds_task=True) == NotificationKind.MY_TASK
    assert kind_of("task_escalated", holds_task=True) == NotificationKind.ESCALATION


def test_the_digest_schedule_names_its_time_zone_and_refuses_an_unknown_one():
    [digest] = declared(Settings(digest_time_zone="Asia/Shanghai"))
    assert digest.schedule_id == "prm-daily-digest"
    assert digest.schedule.spec.time_zone_name == "Asia/Shanghai"
    assert digest.schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert digest.schedule.policy.catchup_window is not None
    with pytest.raises(ValueError, match="DIGEST_TIME_ZONE"):
        declared(dataclasses.replace(Settings(), digest_time_zone="Mars/Olympus"))
