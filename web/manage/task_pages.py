"""A staff task page: the task, what it is about, and its form. Decisions go to the workflow."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user

from db.models import Task
from domain.roles import may_act_as
from web.database import db
from web.manage import bp
from web.manage.holding import holder_name
from web.labels import DECISION_LABELS, label, task_heading
from web.task_views import request_actor, run_task_page


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
def task(task_id: str):
    session = db()
    task = session.get(Task, task_id)
    # Partner tasks and other groups' tasks do not exist as far as this page is concerned.
    if task is None or not task.assignee_role or not may_act_as(current_user.roles, task.assignee_role):
        abort(404)
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

    return run_task_page(task, template="manage/task.html", actor_for=actor_for, done=done,
                         blocked=blocked, holder=holder)
