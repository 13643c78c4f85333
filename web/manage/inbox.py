"""The manager inbox and the claim / unassign buttons of one task."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from web.database import db
from web.directory.queries import country_label, partner_type_label
from web.manage import bp
from web.hand_on import colleagues
from web.manage.holding import Refusal, claim, refusal, unassign
from web.manage.queries import DECIDED, TABS, VIEWS, inbox_counts, inbox_page, parse_inbox, view_of
from web.security import CurrentUser
from web.task_views import new_nonce


@bp.get("/")
@bp.get("/inbox")
def inbox():
    return render_inbox(request.args)


def render_inbox(args: Mapping[str, str], *, selected: Collection[str] = (),
                 bulk_error: str | None = None, status: int = 200):
    """The inbox for these query parameters. A refused bulk action renders it again with the
    boxes that were ticked still ticked and its reason beside the bulk controls."""
    session = db()
    query = parse_inbox(args)
    counts = inbox_counts(session, current_user)
    page = inbox_page(session, current_user, query, counts)
    view = view_of(query)
    team = (colleagues(session, current_user, {row.assignee_role for row in page.rows})
            if view != DECIDED and page.rows else [])
    # A bulk assign hands each task on through its workflow: the nonce makes a resent form the
    # same hand-ons (web/manage/bulk.py), as a task page's nonce does for its forms.
    return render_template("manage/inbox.html", query=query, page=page, view=view, views=VIEWS,
                           open_views=TABS, counts=counts.tabs, colleagues=team,
                           bulk_nonce=new_nonce(), selected=set(selected), bulk_error=bulk_error,
                           country_label=country_label,
                           partner_type_label=partner_type_label), status


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
        flash(*refusal_message(refusal(session, task_id, current_user)))
    return redirect(back_to())


def refusal_message(why: Refusal) -> tuple[str, str]:
    """(message, flash category) for one task."""
    if why.reason == "closed":
        return gettext("This task is closed."), "warning"
    if why.reason == "yours":
        return gettext("You already hold this task."), "info"
    if why.reason == "held":
        return gettext("%(name)s already holds this task.", name=why.holder), "warning"
    if why.reason == "nobody":
        return gettext("Nobody holds this task."), "info"
    return gettext("That task is not in your groups' queue."), "error"


def back_to() -> str:
    """Back where the button was pressed: the task page or the inbox (only our own paths)."""
    target = request.form.get("next", "")
    if target.startswith("/manage/") and not target.startswith("//"):
        return target
    return url_for("manage.inbox")
