"""The notification list, marking seen, the settings page, and the header's count."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from db.models import Notification
from domain.notifications import choices_with_defaults
from web.database import db
from web.labels import TASK_TYPE_LABELS
from web.notifications import bp
from web.notifications.forms import KIND_LABELS, settings_form_class
from web.notifications.queries import (chosen, latest, mark_seen, mark_seen_about, save_choices,
                                       unseen_count)


@bp.app_template_global("notification_count")
def notification_count() -> int | None:
    """What base.html shows beside the user's name: staff only (None hides it)."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return None
    return unseen_count(db(), current_user.id)


@bp.before_app_request
def _task_page_read_is_its_notices_seen() -> None:
    """Whoever opens a task's page (from the inbox, a mail's link, the digest) has seen what they
    were told about it: the header's count must not keep asking. Only for the task page itself."""
    if (request.method == "GET" and request.endpoint == "manage.task"
            and current_user.is_authenticated and current_user.is_staff):
        mark_seen_about(db(), current_user.id, (request.view_args or {}).get("task_id", ""))


@bp.app_template_filter("notification_heading")
def notification_heading(n: Notification) -> str:
    if n.task_type in TASK_TYPE_LABELS:
        return gettext("%(task)s: %(company)s", task=TASK_TYPE_LABELS[n.task_type],
                       company=n.company)
    if n.task_type:
        return n.title  # a task type this module does not know yet: its stored title
    return gettext("Application %(reference)s: %(company)s", reference=n.reference,
                   company=n.company)


@bp.app_template_filter("notification_kind")
def notification_kind(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.get("/")
def index():
    return render_template("notifications/index.html", rows=latest(db(), current_user.id))


@bp.post("/<int:notification_id>/open")
def open_one(notification_id: int):
    """Seen, and on to what it is about. Someone else's notification does not exist (404)."""
    session = db()
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    mark_seen(session, current_user.id, notification_id)
    session.commit()
    return redirect(row.link or url_for("notifications.index"))


@bp.post("/seen")
def all_seen():
    session = db()
    mark_seen(session, current_user.id)
    session.commit()
    flash(gettext("All your notifications are marked as seen."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    session = db()
    current = {kind.value: delivery.value for kind, delivery
               in choices_with_defaults(chosen(session, current_user.id)).items()}
    form = settings_form_class()(data=None if request.method == "POST" else current)
    if not form.validate_on_submit():
        return render_template("notifications/settings.html", form=form), \
            400 if form.is_submitted() else 200
    save_choices(session, current_user.id, form.choices())
    session.commit()
    flash(gettext("Your notification settings are saved."), "success")
    return redirect(url_for("notifications.settings"))
