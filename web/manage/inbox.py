"""The manager inbox and the claim / unassign buttons."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from db.models import Task
from domain.roles import may_act_as
from domain.tasks import ACTIVE_STATUSES
from web.database import db
from web.manage import bp
from web.manage.queries import (TABS, InboxFilter, claim, holder_name, inbox_counts, inbox_page,
                                unassign)
from web.security import CurrentUser


@bp.get("/")
@bp.get("/inbox")
def inbox():
    tab = request.args.get("tab", "groups")
    flt = InboxFilter(tab=tab if tab in TABS else "groups",
                      task_type=request.args.get("type", "").strip()[:40],
                      partner=request.args.get("partner", "").strip()[:200],
                      overdue=request.args.get("overdue") == "1")
    session = db()
    counts = inbox_counts(session, current_user)
    page = inbox_page(session, current_user, flt, request.args.get("page", 1, type=int), counts)
    return render_template("manage/inbox.html", page=page, filters=flt, counts=counts.tabs,
                           types=counts.task_types, tabs=TABS)


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str):
    return _change_holder(task_id, claim, gettext("You claimed this task. It is in “My tasks” now."))


@bp.post("/tasks/<task_id>/unassign")
def unassign_task(task_id: str):
    return _change_holder(task_id, unassign, gettext("The task is unassigned and back in the group's queue."))


def _change_holder(task_id: str, change: Callable[[Session, str, CurrentUser], bool], done: str):
    """Claim and unassign alike: say it worked, or why it did not, and go back where the button was."""
    session = db()
    if change(session, task_id, current_user):
        flash(done, "success")
    else:
        _explain_refusal(session, task_id)
    return redirect(_back(task_id))


def _explain_refusal(session, task_id: str) -> None:
    task = session.get(Task, task_id)
    if task is None or not task.assignee_role or not may_act_as(current_user.roles, task.assignee_role):
        flash(gettext("That task is not in your groups' queue."), "error")
    elif task.status not in ACTIVE_STATUSES:
        flash(gettext("This task is closed."), "warning")
    elif task.claimed_by_id == current_user.id:
        flash(gettext("You already hold this task."), "info")
    elif task.claimed_by_id:
        flash(gettext("%(name)s already holds this task.", name=holder_name(session, task)), "warning")
    else:
        flash(gettext("Nobody holds this task."), "info")


def _back(task_id: str) -> str:
    """Back where the button was pressed: the task page or the inbox (only our own paths)."""
    target = request.form.get("next", "")
    if target.startswith("/manage/") and not target.startswith("//"):
        return target
    return url_for("manage.inbox")
