"""The partner portal: own organisation only. Anything else is reported as not found (404)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from db.channel_manager import channel_manager_of
from db.models import Agreement, EnablementPlan, Organisation, Task, User
from forms import readable
from web.database import db
from web.public.task_links import partner_actor
from web.portal.next_step import next_step
from web.security import roles_required
from web.task_views import APPLICATION_FORM, run_task_page, timeline_of

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.before_request
@roles_required("partner_user")
def _only_partners() -> None:
    """partner_admin includes partner_user; staff have their own pages."""


def my_org() -> Organisation:
    org = db().get(Organisation, current_user.org_id) if current_user.org_id else None
    if org is None:
        abort(404)
    return org


@bp.get("/")
def home():
    org = my_org()
    session = db()
    # Assigned to me first, then the organisation's unassigned ones (web/portal/enablement.py).
    inbox = portal_inbox(session, current_user)
    tasks = inbox.in_order
    return render_template("portal/home.html", org=org, tasks=tasks, timeline=timeline_of(org.id),
                           next_step=next_step(org, tasks), heading=enablement_heading,
                           next_enablement=next_enablement_task(inbox),
                           has_plan=session.get(EnablementPlan, org.id) is not None,
                           channel_manager=channel_manager_of(session, org.id))


@bp.get("/organisation")
def own_organisation():
    return redirect(url_for("portal.organisation", org_id=my_org().id))


@bp.get("/organisations/<org_id>")
def organisation(org_id: str):
    org = my_org()
    if org_id != org.id:
        abort(404)
    session = db()
    agreements = session.scalars(select(Agreement).where(Agreement.org_id == org.id)
                                 .order_by(Agreement.created_at)).all()
    users = session.scalars(select(User).where(User.org_id == org.id).order_by(User.name)).all()
    return render_template("portal/organisation.html", org=org, agreements=agreements, users=users,
                           application=readable(APPLICATION_FORM, org.application))


@bp.get("/agreements/<agreement_id>")
def agreement(agreement_id: str):
    org = my_org()
    found = db().get(Agreement, agreement_id)
    if found is None or found.org_id != org.id:
        abort(404)
    return render_template("portal/agreement.html", org=org, agreement=found,
                           signatures={s.party: s for s in found.signatures})


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
def task(task_id: str):
    my_org()
    found = db().get(Task, task_id)
    # Another organisation's task, or an admin-only one for a partner user: not there.
    if not may_see(found, current_user):
        abort(404)
    extras = task_extras(found)

    def done(_outcome):
        flash(gettext("Thank you. Your task “%(title)s” is complete.", title=extras["heading"]),
              "success")
        return redirect(url_for("portal.home"))

    return run_task_page(found, template="tasks/partner_task.html",
                         actor_for=lambda payload: partner_actor(found, payload, current_user),
                         done=done, form_action=url_for("portal.task", task_id=task_id),
                         blocked=blocked_for(found, current_user, extras["holder"]), **extras)


from web.portal import team  # noqa: E402,F401  (its views join this blueprint)
from web.portal.enablement import (enablement_heading, may_see, next_enablement_task,  # noqa: E402
                                   portal_inbox, task_extras, blocked_for)
