"""The partner's side of enablement: their plan (/portal/plan), their inbox's order, and who
holds a task of the organisation (a partner admin assigns it, a partner user claims it: both the
shared hand-on, web/hand_on.py).

Partners see only their own organisation's plan and tasks; an admin-only task (the plan's
partner_admin items) exists only for the organisation's admins. Anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Task, User
from domain.tasks import ACTIVE_STATUSES
from web.database import db
from web.enablement.plan_view import plan_view, team_progress
from web.enablement.texts import item_description, item_title
from web.hand_on import (hand_on, is_partner_task, may_assign_partner_task,
                         may_claim_partner_task, may_take, partner_people)
from web.labels import task_heading
from web.portal import bp, my_org
from web.security import CurrentUser
from web.tasks import TaskConflict
from web.task_views import new_nonce
from web.temporal_bridge import TemporalUnavailable

_ACTIVE = [s.value for s in ACTIVE_STATUSES]


def visible_to(user: CurrentUser):
    """The organisation's tasks this person may see: an admin-only one only for its admins."""
    shown = [Task.assignee_org_id == user.org_id]
    if not user.has_role("partner_admin"):
        shown.append(Task.assignee_partner_role.is_(None))
    return shown


def may_see(task: Task | None, user: CurrentUser) -> bool:
    return (task is not None and task.assignee_org_id is not None
            and task.assignee_org_id == user.org_id
            and (task.assignee_partner_role is None or user.has_role(task.assignee_partner_role)))


@dataclass
class PortalInbox:
    """Assigned to me first, then the organisation's unassigned tasks; for an admin, also what
    colleagues hold (an admin may assign it again). Each list most urgent first."""
    mine: list[Task] = field(default_factory=list)
    unassigned: list[Task] = field(default_factory=list)
    colleagues: list[Task] = field(default_factory=list)

    @property
    def in_order(self) -> list[Task]:
        return [*self.mine, *self.unassigned]


def portal_inbox(session: Session, user: CurrentUser) -> PortalInbox:
    inbox = PortalInbox()
    tasks = session.scalars(select(Task).where(*visible_to(user), Task.status.in_(_ACTIVE),
                                               Task.assignee_role.is_(None))
                            .order_by(Task.due_at, Task.id))
    for task in tasks:
        if task.assignee_user_id == user.id:
            inbox.mine.append(task)
        elif task.assignee_user_id is None:
            inbox.unassigned.append(task)
        elif user.has_role("partner_admin"):
            inbox.colleagues.append(task)
    return inbox


def enablement_heading(task: Task) -> str:
    """A plan task by its item's title (the plan's words, in the reader's language)."""
    context = task.context or {}
    if context.get("item_key") and context.get("plan_id"):
        return item_title(context["plan_id"], int(context.get("plan_version") or 1),
                          context["item_key"], task.title)
    return task_heading(task)


def next_enablement_task(inbox: PortalInbox) -> Task | None:
    """The portal home's "your next enablement task": mine first, else the organisation's."""
    return next((t for t in inbox.in_order if (t.context or {}).get("item_key")), None)


def holder_names(session: Session, tasks: list[Task]) -> dict[int, str]:
    ids = {t.assignee_user_id for t in tasks if t.assignee_user_id}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


@bp.get("/plan")
def plan():
    org = my_org()
    session = db()
    view = plan_view(session, org.id)
    inbox = portal_inbox(session, current_user)
    team = team_progress(session, org.id, view) if view is not None else []
    return render_template("portal/plan.html", org=org, view=view, inbox=inbox, team=team,
                           now=datetime.now(timezone.utc), heading=enablement_heading,
                           holders=holder_names(session, inbox.colleagues))


def task_extras(task: Task) -> dict:
    """What an enablement task page shows beside its form: the item's description, the comment
    a manager returned the last round with, and who holds it (with the assign / claim forms)."""
    context = task.context or {}
    session = db()
    # The last round's quiz result, as the workflow scored it: how many were right, never which
    # answer would have been.
    quiz = context.get("quiz_result") if context.get("round", 1) > 1 else None
    extras = {"heading": enablement_heading(task), "returned_comment": context.get("returned_comment"),
              "last_quiz": quiz if isinstance(quiz, dict) and not quiz.get("passed") else None,
              "description": "", "holder": "", "people": [], "may_claim": False,
              "hand_on_nonce": new_nonce()}
    if context.get("item_key") and context.get("plan_id"):
        extras["description"] = item_description(context["plan_id"],
                                                 int(context.get("plan_version") or 1),
                                                 context["item_key"])
    if task.assignee_user_id:
        holder = session.get(User, task.assignee_user_id)
        extras["holder"] = holder.name if holder else ""
    if may_assign_partner_task(task, current_user):
        extras["people"] = partner_people(session, task)
    extras["may_claim"] = may_claim_partner_task(task, current_user)
    return extras


def blocked_for(task: Task, user: CurrentUser, holder: str) -> str | None:
    if task.assignee_user_id is not None and task.assignee_user_id != user.id:
        return gettext("%(name)s holds this task: only they can complete it.", name=holder or "?")
    return None


@bp.post("/tasks/<task_id>/assign")
def assign_task(task_id: str):
    """A partner admin gives the task to a person of the organisation (themselves too)."""
    task = _visible_or_404(task_id)
    if not may_assign_partner_task(task, current_user):
        abort(404)
    person_id = request.form.get("person", "")
    person = db().get(User, int(person_id)) if person_id.isdigit() else None
    if person is None or not may_take(person, task):
        flash(gettext("Choose a person of your organisation who may do this task."), "error")
        return redirect(url_for("portal.task", task_id=task.id))
    return _hand_on(task, person, gettext("%(name)s has the task “%(title)s” now.",
                                          name=person.name, title=enablement_heading(task)))


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str):
    """A partner user takes an unassigned task: a hand-on to themselves."""
    task = _visible_or_404(task_id)
    if not may_claim_partner_task(task, current_user):
        flash(gettext("Someone holds this task already.") if task.status in _ACTIVE
              else gettext("This task is closed."), "warning")
        return redirect(url_for("portal.task", task_id=task.id))
    me = db().get(User, current_user.id)
    return _hand_on(task, me, gettext("The task “%(title)s” is yours now.",
                                      title=enablement_heading(task)))


def _visible_or_404(task_id: str) -> Task:
    my_org()
    task = db().get(Task, task_id)
    if not may_see(task, current_user) or not is_partner_task(task):
        abort(404)
    return task


def _hand_on(task: Task, person: User, done: str):
    try:
        hand_on(task, current_user, person, request.form.get("form_nonce", ""))
    except TaskConflict as conflict:
        db().rollback()
        flash(str(conflict), "warning")
    except TemporalUnavailable:
        flash(gettext("We could not reach the workflow service. Nothing changed: try again in a "
                      "moment."), "error")
    else:
        flash(done, "success")
    return redirect(url_for("portal.task", task_id=task.id))

