"""Who may complete a human step, and who may hand it on: the rules the `complete_task` and
`hand_on_task` validators apply (workflows/human_steps.py), pure so every lifecycle shares them.

Three kinds of owner (DESIGN.md section 3):
- staff: a role (assignee_role), maybe held by one manager (assignee_user_id);
- a partner organisation (assignee_org_id): anyone of it, or only its admins when
  assignee_partner_role is "partner_admin";
- one person of that organisation (assignee_org_id with assignee_user_id): assigned by an admin,
  or claimed by themselves. Only they complete it; an admin takes it back by assigning it again.

Each refusal is an English sentence the web app recognises (web/tasks.py) and translates.
"""

from __future__ import annotations

from domain.roles import Role, may_act_as
from domain.tasks import Actor, HandOnInput, TaskSpec


def is_partner_task(spec: TaskSpec) -> bool:
    return bool(spec.assignee_org_id) and not spec.assignee_role


def completion_refusal(spec: TaskSpec, actor: Actor) -> str | None:
    """Why `actor` may not complete the open step `spec`; None when they may."""
    if spec.assignee_role and not may_act_as(actor.roles, spec.assignee_role):
        return f"only the {spec.assignee_role} role may complete this task"
    if spec.assignee_org_id and actor.org_id != spec.assignee_org_id:
        return "this task belongs to another organisation"
    if not is_partner_task(spec):
        return None
    if spec.assignee_partner_role and not may_act_as(actor.roles, spec.assignee_partner_role):
        return f"only the {spec.assignee_partner_role} role may complete this task"
    if spec.assignee_user_id is not None and actor.user_id != spec.assignee_user_id:
        return "this task is assigned to someone else"
    return None


def hand_on_refusal(spec: TaskSpec, req: HandOnInput) -> str | None:
    """Why this hand-on (a staff step to a colleague; a partner task assigned or claimed within
    its organisation) may not happen; None when it may."""
    if not is_partner_task(spec):
        if not spec.assignee_role:
            return "only a staff task can be handed on"
        if req.to_org_id is not None:
            return "a staff task stays with staff"
        if not may_act_as(req.actor.roles, spec.assignee_role):
            return f"only the {spec.assignee_role} role may complete this task"
        if not may_act_as(req.to_roles, spec.assignee_role):
            return f"{req.to_name} does not have the {spec.assignee_role} role"
        # Its owner again is allowed: after the escalation released it, a lead may give it back.
        return None
    if spec.assignee_email:  # recruitment's steps by emailed link: the contact's alone
        return "only a staff task can be handed on"
    org = spec.assignee_org_id
    if req.actor.org_id != org or req.to_org_id != org:
        return "this task belongs to another organisation"
    needed = spec.assignee_partner_role or Role.PARTNER_USER
    if not may_act_as(req.to_roles, needed):
        return f"{req.to_name} does not have the {needed} role"
    if may_act_as(req.actor.roles, Role.PARTNER_ADMIN):
        return None  # an admin assigns any task of the organisation to whoever may do it
    if req.to_user_id != req.actor.user_id:
        return "only a partner admin may assign this task to someone else"
    if spec.assignee_user_id not in (None, req.actor.user_id):
        return "this task is assigned to someone else"
    return None
