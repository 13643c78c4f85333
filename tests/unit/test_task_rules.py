"""Who may complete and hand on a step: staff, a partner organisation, its admins, one person."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.task_rules import completion_refusal, hand_on_refusal
from domain.tasks import Actor, HandOnInput, TaskSpec

ORG, OTHER = "org-1", "org-2"
ADMIN = Actor("Li Wei", ("partner_admin",), 10, ORG)
USER = Actor("Zhang Min", ("partner_user",), 11, ORG)
COLLEAGUE = Actor("Wang Fang", ("partner_user",), 12, ORG)
STRANGER = Actor("Eve", ("partner_admin",), 20, OTHER)
MANAGER = Actor("Mia", ("channel_manager",), 1)
LEAD = Actor("Lee", ("program_lead",), 2)


def spec(**fields) -> TaskSpec:
    return TaskSpec("t-1", "wf", "enablement_training", "sales_training.v1", "Training", ORG,
                    datetime(2027, 1, 1, tzinfo=timezone.utc), **fields)


def hand_on(actor: Actor, to: Actor, to_org: str | None = "same") -> HandOnInput:
    return HandOnInput("t-1", "r-1", actor, to.user_id, to.name, to.roles,
                       to_org_id=to.org_id if to_org == "same" else to_org)


@pytest.mark.parametrize("task,actor,refusal", [
    (spec(assignee_org_id=ORG), USER, None),
    (spec(assignee_org_id=ORG), STRANGER, "this task belongs to another organisation"),
    (spec(assignee_org_id=ORG, assignee_partner_role="partner_admin"), ADMIN, None),
    (spec(assignee_org_id=ORG, assignee_partner_role="partner_admin"), USER,
     "only the partner_admin role may complete this task"),
    (spec(assignee_org_id=ORG, assignee_user_id=11), USER, None),
    (spec(assignee_org_id=ORG, assignee_user_id=11), ADMIN, "this task is assigned to someone else"),
    (spec(assignee_role="channel_manager"), MANAGER, None),
    (spec(assignee_role="channel_manager"), USER, "only the channel_manager role may complete this task"),
])
def test_who_may_complete(task, actor, refusal):
    assert completion_refusal(task, actor) == refusal


@pytest.mark.parametrize("task,req,refusal", [
    # A partner admin assigns within the organisation; an admin-only item to an admin only.
    (spec(assignee_org_id=ORG), hand_on(ADMIN, USER), None),
    (spec(assignee_org_id=ORG, assignee_partner_role="partner_admin"), hand_on(ADMIN, USER),
     "Zhang Min does not have the partner_admin role"),
    (spec(assignee_org_id=ORG), hand_on(ADMIN, STRANGER), "this task belongs to another organisation"),
    (spec(assignee_org_id=ORG), hand_on(STRANGER, USER), "this task belongs to another organisation"),
    # A partner user claims (hands it to themselves), unless someone else holds it.
    (spec(assignee_org_id=ORG), hand_on(USER, USER), None),
    (spec(assignee_org_id=ORG, assignee_user_id=12), hand_on(USER, USER),
     "this task is assigned to someone else"),
    (spec(assignee_org_id=ORG), hand_on(USER, COLLEAGUE),
     "only a partner admin may assign this task to someone else"),
    # Recruitment's emailed steps and staff steps keep their rules.
    (spec(assignee_org_id=ORG, assignee_email="li@acme.test"), hand_on(ADMIN, USER),
     "only a staff task can be handed on"),
    (spec(assignee_role="channel_manager"), hand_on(MANAGER, LEAD, None), None),
    (spec(assignee_role="channel_manager"), hand_on(MANAGER, USER),
     "a staff task stays with staff"),
    (spec(assignee_role="channel_manager"), hand_on(USER, MANAGER, None),
     "only the channel_manager role may complete this task"),
])
def test_who_may_hand_on(task, req, refusal):
    assert hand_on_refusal(task, req) == refusal
