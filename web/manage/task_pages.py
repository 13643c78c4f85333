"""A staff task page: the task, what it is about, and its form. Decisions go to the workflow."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from db.models import Task, User
from domain.roles import may_act_as
from domain.tasks import ACTIVE_STATUSES
from web.database import db
from web.enablement.review import review_details
from web.hand_on import hand_on, hand_on_form, may_hand_on
from web.manage import bp
from web.manage.holding import holder_name
from web.labels import DECISION_LABELS, label, task_heading
from web.task_views import new_nonce, request_actor, run_task_page
from web.tasks import TaskConflict, TemporalUnavailable


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
def task(task_id: str):
    session = db()
    task = _staff_task_or_404(session, task_id)
    holder = holder_name(session, task)
    blocked = None
    if task.claimed_by_id and task.claimed_by_id != current_user.id:
        blocked = gettext("%(name)s holds this task. Ask them to unassign it, or wait until they "
                          "decide.", name=holder)

    def actor_for(_payload):
        return request_actor(current_user.name, roles=tuple(current_user.roles),
                             user_id=current_user.id, email=current_user.email)

    def done(outcome):
        flash(gettext("Recorded: %(decision)s — %(title)s.",
                      decision=label(DECISION_LABELS, outcome.decision), title=task_heading(task)),
              "success")
        return redirect(url_for("manage.inbox"))

    hand_on = hand_on_form(session, task, current_user) if may_hand_on(task, current_user) else None
    if hand_on is not None:
        hand_on.form_nonce.data = new_nonce()
    return run_task_page(task, template="manage/task.html", actor_for=actor_for, done=done,
                         blocked=blocked, holder=holder, hand_on=hand_on,
                         owner=_owner_name(session, task), enablement_review=review_details(task))


@bp.post("/tasks/<task_id>/hand-on")
def hand_on_task(task_id: str):
    """Give the task (and the application's staff steps after it) to a colleague."""
    session = db()
    task = _staff_task_or_404(session, task_id)
    back = url_for("manage.task", task_id=task.id)
    if not may_hand_on(task, current_user):
        flash(gettext("%(name)s holds this task: only they or a program lead may hand it on.",
                      name=holder_name(session, task)) if task.status in ACTIVE_STATUSES
              else gettext("This task is closed."), "warning")
        return redirect(back)
    form = hand_on_form(session, task, current_user)
    if not form.validate_on_submit() or not form.colleague.data:
        flash(gettext("Choose a colleague to hand the task on to."), "error")
        return redirect(back)
    colleague = session.get(User, form.colleague.data)
    try:
        result = hand_on(task, current_user, colleague, form.form_nonce.data or "")
    except TaskConflict as conflict:
        db().rollback()
        flash(str(conflict), "warning")
        return redirect(back)
    except TemporalUnavailable:
        flash(gettext("We could not reach the workflow service. Nothing changed: try again in a "
                      "moment."), "error")
        return redirect(back)
    flash(gettext("%(name)s has the task now, and the partner’s next steps.",
                  name=result.owner_name), "success")
    return redirect(url_for("manage.inbox"))


def _staff_task_or_404(session, task_id: str) -> Task:
    task = session.get(Task, task_id)
    # Partner tasks and other groups' tasks do not exist as far as these pages are concerned.
    if task is None or not task.assignee_role or not may_act_as(current_user.roles, task.assignee_role):
        abort(404)
    return task


def _owner_name(session, task: Task) -> str:
    owner = session.get(User, task.assignee_user_id) if task.assignee_user_id else None
    return owner.name if owner else ""
