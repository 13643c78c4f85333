"""Partner tasks reached from an emailed link, before the partner has an account.

The link carries HMAC(secret, task id): it is checked by recomputing, never by a lookup, and a
wrong token looks exactly like a missing task (404). The link outlives its step: once the task is
closed its page says how the step ended and shows nothing else (web/task_views.task_details).
"""

from __future__ import annotations

from flask import abort, current_app, redirect, url_for

from db.models import Organisation, Task
from domain.tasks import ACTIVE_STATUSES
from domain.tokens import token_matches
from web.agreement_pdf import pdf_response
from web.database import db
from web.public import bp
from web.task_views import agreement_of, request_actor, run_task_page


@bp.route("/t/<task_id>/<token>", methods=["GET", "POST"])
def task_link(task_id: str, token: str):
    task = _linked_task(task_id, token)
    here = url_for("public.task_link", task_id=task_id, token=token)
    return run_task_page(task, template="tasks/partner_task.html",
                         actor_for=lambda payload: partner_actor(task, payload),
                         done=lambda _outcome: redirect(here), form_action=here,
                         once_closed_only_status=True,
                         pdf_url=url_for("public.task_link_pdf", task_id=task_id, token=token))


@bp.get("/t/<task_id>/<token>/agreement.pdf")
def task_link_pdf(task_id: str, token: str):
    """The agreement to sign, to read and keep before signing. Like the page, only while the
    step is open: a link kept after it shows nothing of the agreement."""
    task = _linked_task(task_id, token)
    agreement = agreement_of(task)
    if agreement is None or task.status not in ACTIVE_STATUSES:
        abort(404)
    return pdf_response(agreement)


def _linked_task(task_id: str, token: str) -> Task:
    secret = current_app.extensions["prm.settings"].secret_key
    if not token_matches(secret, "task", task_id, token):
        abort(404)
    task = db().get(Task, task_id)
    if task is None or not task.assignee_org_id:
        abort(404)
    return task


def partner_actor(task: Task, payload: dict, user=None):
    """The partner as the workflow's validator expects them: acting for the task's organisation."""
    org = db().get(Organisation, task.org_id)
    contact = (org.application or {}).get("contact_name", "") if org else ""
    name = payload.get("full_name") or (user.name if user else "") or contact or task.assignee_email or ""
    return request_actor(name, roles=tuple(user.roles) if user else (), org_id=task.assignee_org_id,
                         user_id=user.id if user else None,
                         email=user.email if user else (task.assignee_email or ""))
