"""Task pages shared by managers, emailed links and the portal (DESIGN.md section 3, steps 3-4).

A page is driven by the task row alone: its form schema, its context and its organisation. Every
outcome re-renders the person's own input: bad input (400), a rival decision (409), Temporal away
(503). Nothing they typed is lost, and nothing they uploaded: files are stored before the form is
checked, and the page carries them from then on (web/files.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timezone

from flask import render_template, request
from flask_babel import gettext
from sqlalchemy import select

from db.models import Agreement, Organisation, Task, TimelineEvent
from definitions.loader import form_schema
from domain.tasks import ACTIVE_STATUSES, Actor, TaskOutcome
from forms import SchemaForm, form_class, readable, validated_payload
from forms.payload import prefill_data
from web.database import db
from web.files import keep_stored, save_uploads
from web.tasks import NONCE, TaskConflict, TemporalUnavailable, complete_task

APPLICATION_FORM = "partner_application.v1"


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def task_form(task: Task) -> SchemaForm:
    """On GET: prefilled from the task's context and carrying a fresh nonce. On POST: as sent."""
    cls = form_class(task.form)
    if request.method == "POST":
        return cls()
    prefill = task.context.get("application")
    if prefill is None and task.form == APPLICATION_FORM:  # editing: start from what we hold
        org = db().get(Organisation, task.org_id)
        prefill = org.application if org else None
    form = cls(data=prefill_data(form_schema(task.form), prefill))
    form.form_nonce.data = new_nonce()
    return form


def is_overdue(task: Task) -> bool:
    return task.status in ACTIVE_STATUSES and task.due_at < datetime.now(timezone.utc)


def is_escalated(task: Task) -> bool:
    return bool(task.escalated or task.context.get("escalated_to"))


def task_details(task: Task, *, once_closed_only_status: bool = False) -> dict:
    """What the page shows beside the form: the application, flags, agreement, timeline.

    With once_closed_only_status, a closed task's page says only how the step ended: an emailed
    link keeps working after its step, and whoever holds it (forwarded, or read over a shoulder)
    must not find the application, the agreement or the timeline behind it any more.
    """
    session = db()
    org = session.get(Organisation, task.org_id)
    is_open = task.status in ACTIVE_STATUSES
    if once_closed_only_status and not is_open:
        return {"task": task, "org": org, "is_open": False}
    details = {"task": task, "org": org, "is_open": is_open,
               "overdue": is_overdue(task), "escalated": is_escalated(task),
               "application": readable(APPLICATION_FORM, org.application) if org else [],
               "flags": list(org.flags or []) if org else [], "question": task.context.get("question"),
               "asked_by": task.context.get("asked_by")}
    agreement = agreement_of(task)
    details["agreement"] = agreement
    details["signatures"] = {s.party: s for s in agreement.signatures} if agreement else {}
    details["timeline"] = timeline_of(task.org_id)
    return details


def agreement_of(task: Task) -> Agreement | None:
    agreement_id = task.context.get("agreement_id")
    agreement = db().get(Agreement, agreement_id) if agreement_id else None
    return agreement if agreement is not None and agreement.org_id == task.org_id else None


def timeline_of(org_id: str) -> list[TimelineEvent]:
    return list(db().scalars(select(TimelineEvent).where(TimelineEvent.org_id == org_id)
                             .order_by(TimelineEvent.at, TimelineEvent.id)))


def run_task_page(task: Task, *, template: str, actor_for: Callable[[dict], Actor],
                  done: Callable[[TaskOutcome], object], blocked: str | None = None,
                  once_closed_only_status: bool = False, **extra):
    """GET shows the task; POST validates, completes it through its workflow and calls `done`.
    once_closed_only_status: see task_details (partners' pages)."""
    form = task_form(task)
    owner = upload_owner(task)

    def page(status: int = 200, problem: str | None = None):
        details = task_details(task, once_closed_only_status=once_closed_only_status)
        return render_template(template, form=form, problem=problem, blocked=blocked,
                               **details, **extra), status

    if request.method != "POST":
        keep_stored(form, org_id=owner)
        return page()
    if blocked:
        keep_stored(form, org_id=owner)
        return page(409, blocked)
    save_uploads(form, org_id=owner)  # a refused file is a message on its field (400 below)
    payload = validated_payload(form)
    if payload is None:
        return page(400)
    nonce = form.form_nonce.data or ""
    if not NONCE.match(nonce):
        form.form_errors.append(gettext("This form is out of date. Reload the page and send it again."))
        return page(400)
    try:
        outcome = complete_task(task, actor_for(payload), payload, nonce)
    except TaskConflict as conflict:
        db().rollback()  # read the row as it is now: who decided, and when
        return page(409, str(conflict))
    except TemporalUnavailable:
        return page(503, gettext("We could not reach the workflow service. Nothing was lost: "
                                 "send the form again in a moment."))
    return done(outcome)


def upload_owner(task: Task) -> str | None:
    """Whose files a task's uploads are: the partner organisation a partner step belongs to;
    none (staff only) for a staff step, whatever partner it is about."""
    return task.assignee_org_id


def request_actor(name: str, **fields) -> Actor:
    """An actor with this request's address and browser, as recorded with a signature."""
    return Actor(name=name, ip=request.remote_addr or "",
                 user_agent=(request.user_agent.string or "")[:500], **fields)
