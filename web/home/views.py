"""The staff home page."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from domain.roles import may_act_as
from web.database import db
from web.home import bp
from web.home.queries import recent_decisions, stage_counts
from web.manage.queries import InboxFilter, inbox_preview

# Rows shown under the overdue and the mine counts; the count's link leads to the rest.
PREVIEW_ROWS = 5


@bp.get("/")
def index():
    session = db()
    # Overdue and mine are inbox lists: shown to those who have the inbox (managers, leads).
    has_inbox = current_user.has_role("channel_manager")
    overdue = mine = None
    if has_inbox:
        overdue = inbox_preview(session, current_user, InboxFilter(tab="groups", overdue=True),
                                PREVIEW_ROWS)
        mine = inbox_preview(session, current_user, InboxFilter(tab="mine"), PREVIEW_ROWS)
    decided_total, decisions = recent_decisions(session)
    return render_template("home/index.html", stages=stage_counts(session), has_inbox=has_inbox,
                           overdue=overdue, mine=mine, decided_total=decided_total,
                           decisions=decisions, decision_link=_decision_link)


def _decision_link(decision) -> str:
    """The task's page for those who may act on its group's tasks, else the partner's page."""
    if may_act_as(current_user.roles, decision.assignee_role):
        return url_for("manage.task", task_id=decision.task_id)
    return url_for("directory.partner", org_id=decision.org_id)
