"""Handing a step on: a staff step to a colleague (that step, and the staff steps after it, are
theirs), or a partner task to a person of its organisation (a partner admin assigns it; a
partner user claims it, handing it to themselves). One mechanism for both: the shared
`hand_on_task` Update (HandOnInput.to_org_id set for a partner task), then the row.

Like a decision, a hand-on is an Update to the workflow, which remembers the owner of the
application's next staff steps (workflows/human_steps.py); the task row and the organisation's
channel manager are written here once Temporal has accepted it (db/task_rows.py). The update id
comes from the task and the form's nonce, so a resent form is the same hand-on. The inbox's bulk
"Assign to" hands each ticked task on through here too (web/manage/bulk.py), with its own form's
nonce: one update per task, each id naming its task.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from db.models import Task, TimelineEvent, User
from db.task_rows import write_hand_on
from db.team import team_members
from domain import notes
from domain.roles import may_act_as
from domain.tasks import ACTIVE_STATUSES, Actor, HandOnInput, HandOnResult
from web.database import db
from web.security import CurrentUser
from web.tasks import NONCE, TaskConflict, explain_refusal
from web.temporal_bridge import TemporalUnavailable


class HandOnForm(FlaskForm):
    colleague = SelectField(_l("Hand on to"), coerce=int, validate_choice=True,
                            validators=[DataRequired(message=_l("Choose a colleague."))])
    form_nonce = HiddenField()


def may_hand_on(task: Task, user: CurrentUser) -> bool:
    """The holder, anyone of the group while nobody holds it, or a program lead."""
    return (task.status in ACTIVE_STATUSES and bool(task.assignee_role)
            and may_act_as(user.roles, task.assignee_role)
            and (not task.claimed_by_id or task.claimed_by_id == user.id
                 or user.has_role("program_lead")))


def colleagues(session: Session, user: CurrentUser, roles: Collection[str],
               leave_out: Collection[int | None] = ()) -> list[User]:
    """Active staff, me and `leave_out` left out, who may take a task of one of `roles`, by name:
    one task's role on its page, every role on the inbox's page for its bulk "Assign to".
    (Staff are few: their roles, a JSON list, are read here rather than matched in SQL.)"""
    staff = session.scalars(select(User).where(User.active.is_(True), User.org_id.is_(None),
                                               User.id != user.id).order_by(User.name, User.id))
    return [u for u in staff if u.id not in leave_out
            and any(may_act_as(u.roles or [], role) for role in roles if role)]


def colleague_by_id(session: Session, user: CurrentUser, user_id: str) -> User | None:
    """The colleague a POST names, if they are one (active staff, not me); their roles are
    checked against each task's (may_take)."""
    if not user_id.isdigit():
        return None
    found = session.get(User, int(user_id))
    if found is None or found.org_id is not None or not found.active or found.id == user.id:
        return None
    return found


def is_partner_task(task: Task) -> bool:
    """A task its organisation's people do in the portal (not one sent by emailed link, which
    is its contact's alone: recruitment's signature and edits)."""
    return bool(task.assignee_org_id) and not task.assignee_role and not task.assignee_email


def partner_role_needed(task: Task) -> str:
    return task.assignee_partner_role or "partner_user"


def may_take(colleague: User, task: Task) -> bool:
    if is_partner_task(task):
        return (colleague.org_id == task.assignee_org_id and colleague.active
                and may_act_as(colleague.roles or [], partner_role_needed(task)))
    return bool(task.assignee_role) and may_act_as(colleague.roles or [], task.assignee_role)


def partner_people(session: Session, task: Task) -> list[User]:
    """The people of the task's organisation who can sign in now and may do it, by name: whom
    a partner admin may assign it to (the team's list, db/team.py)."""
    people = team_members(session, task.assignee_org_id,
                          admins_only=task.assignee_partner_role == "partner_admin")
    return [u for u in people if may_take(u, task)]


def may_assign_partner_task(task: Task, user: CurrentUser) -> bool:
    """A partner admin of the organisation, while the task is open."""
    return (is_partner_task(task) and task.status in ACTIVE_STATUSES
            and user.org_id == task.assignee_org_id and user.has_role("partner_admin"))


def may_claim_partner_task(task: Task, user: CurrentUser) -> bool:
    """Anyone of the organisation who may do it, while nobody holds it."""
    return (is_partner_task(task) and task.status in ACTIVE_STATUSES
            and user.org_id == task.assignee_org_id and task.assignee_user_id is None
            and user.has_role(partner_role_needed(task)))


def hand_on_form(session: Session, task: Task, user: CurrentUser) -> HandOnForm:
    form = HandOnForm(prefix="hand_on")  # beside the task's own form, with its own names
    form.colleague.choices = [(0, gettext("Choose a colleague"))] + [
        (u.id, u.name) for u in colleagues(session, user, [task.assignee_role or ""],
                                           leave_out={task.claimed_by_id})]
    return form


def hand_on(task: Task, user: CurrentUser, colleague: User, nonce: str) -> HandOnResult:
    """Through the workflow, then the row. TaskConflict: the workflow refused (its message is
    for the person); TemporalUnavailable: nothing happened, the person may send it again."""
    if not NONCE.match(nonce):
        raise TaskConflict(gettext("This form is out of date. Reload the page and send it again."))
    request_id = f"{task.id}/hand-on/{nonce}"
    request = HandOnInput(task.id, request_id,
                          Actor(user.name, tuple(user.roles), user.id, org_id=user.org_id),
                          colleague.id, colleague.name, tuple(colleague.roles or ()),
                          to_org_id=colleague.org_id if is_partner_task(task) else None)

    async def update(client: Client) -> HandOnResult:
        return await client.get_workflow_handle(task.workflow_id).execute_update(
            "hand_on_task", request, id=request_id, result_type=HandOnResult)

    try:
        result = current_app.extensions["prm.temporal"].run(update)
    except WorkflowUpdateFailedError as exc:
        raise TaskConflict(explain_refusal(exc.cause)) from exc
    except RPCError as exc:
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise TaskConflict(gettext("This task is closed.")) from exc
        raise TemporalUnavailable(str(exc)) from exc
    except (RPCTimeoutOrCancelledError, TimeoutError, OSError) as exc:
        raise TemporalUnavailable(str(exc)) from exc
    session = db()
    if write_hand_on(session, task.id, colleague.id):
        _timeline(session, task, request_id, user.name, colleague.name)
    session.commit()
    return result


def _timeline(session: Session, task: Task, key: str, actor: str, colleague: str) -> None:
    if session.scalar(select(TimelineEvent.id).where(TimelineEvent.key == key)) is None:
        session.add(TimelineEvent(key=key, org_id=task.org_id, workflow_id=task.workflow_id,
                                  action="handed_on",
                                  note=notes.HANDED_ON.format(name=colleague)[:1000],
                                  actor=actor[:200]))
