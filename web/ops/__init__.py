"""Ops pages: workflow executions (Temporal visibility), one workflow's state and history, stuck
work, the outbox, and the embedded stack's mailbox. For the ops and program_lead roles only.

User-facing lists read the app database; these pages are the one place that reads Temporal's
visibility store, which is eventually consistent (the templates say so).
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, render_template, request, send_file,
                   url_for)
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from temporalio.service import RPCError, RPCStatusCode

from db.models import Task
from web.ops import exported as ops_exported, mailbox as ops_mailbox, temporal as ops_temporal
from web.database import db
from web.i18n import when
from web.ops.history import pending_timers, timeline
from web.ops.links import linkify
from web.ops.outbox import OUTBOX, outbox_page, status_counts
from web.ops.partners import MAX_ORGS, organisations_matching
from web.security import roles_required
from workflows import WORKFLOWS

bp = Blueprint("ops", __name__, url_prefix="/ops")

OPS_ROLES = ("ops", "program_lead")
OPEN_TASK_STATUSES = ("open", "claimed")


@bp.before_request
@roles_required(*OPS_ROLES)
def _only_ops() -> None:
    """Every ops page needs one of OPS_ROLES: checked once here, so no new view can forget it."""


@bp.app_template_filter("ops_time")
def ops_time(value: datetime | None) -> str:
    """The pages' date format (web.i18n.when), with seconds: history events come seconds apart."""
    return when(value, "seconds")


def _settings():
    return current_app.extensions["prm.settings"]


def _temporal(work, timeout: float | None = None):
    return current_app.extensions["prm.temporal"].run(work, timeout=timeout)


def _not_found_on(exc: RPCError) -> bool:
    # A malformed run id in the URL is as good as an unknown one: 404, not a server error.
    return exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT)


def _ui_url(workflow_id: str, run_id: str | None = None) -> str:
    s = _settings()
    url = f"{s.temporal_ui_url.rstrip('/')}/namespaces/{s.temporal_namespace}/workflows/{workflow_id}"
    return f"{url}/{run_id}/history" if run_id else url


def _filters() -> dict[str, str]:
    return {"type": request.args.get("type", "").strip(),
            "status": request.args.get("status", "").strip().lower(),
            "partner": request.args.get("partner", "").strip()[:200]}


@bp.app_template_filter("mail_links")
def _mail_links(text: str):
    return linkify(text or "")


@bp.get("/")
def index():
    f = _filters()
    partners = organisations_matching(db(), f["partner"])
    query = ops_temporal.build_query(f["type"], f["status"], f["partner"], partners.org_ids)
    secret = _settings().secret_key
    try:
        token = ops_temporal.decode_token(request.args.get("page"), secret, query)
    except ops_temporal.BadPageToken:
        abort(400, gettext("This page link is not valid for these filters. Open the list again "
                           "from its first page."))
    error = None
    try:
        page = _temporal(lambda c: ops_temporal.list_page(c, query, token))
    except RPCError as exc:  # a bad filter or an unreachable server: say it, keep the form
        page, error = ops_temporal.ExecutionPage([], None), exc.message
    next_token = ops_temporal.encode_token(page.next_token, secret, query)
    next_url = url_for("ops.index", **f, page=next_token) if next_token else None
    schedules, schedules_error = ops_schedules.lines_or_error(_temporal)
    return render_template("ops/index.html", page=page, filters=f, query=query, error=error,
                           schedules=schedules, schedules_error=schedules_error,
                           partners=partners, max_orgs=MAX_ORGS,
                           next_url=next_url, workflow_types=[w.__name__ for w in WORKFLOWS],
                           statuses=list(ops_temporal.STATUSES))


def _about_one(work):
    """A Temporal read about one workflow run: HTTP 404 when there is no such run."""
    try:
        return _temporal(work)
    except RPCError as exc:
        if _not_found_on(exc):
            abort(404)
        raise


@bp.get("/workflows/<workflow_id>")
def workflow(workflow_id: str):
    run_id = request.args.get("run_id") or None
    details = _about_one(lambda c: ops_temporal.describe(c, workflow_id, run_id))
    return _workflow_page(details, show_all=request.args.get("all") == "1")


@bp.post("/history")
def exported_history():
    """An exported history read back (another environment's, a saved one): the page its workflow
    would have, from the events alone."""
    upload = request.files.get("history")
    if upload is None or not upload.filename:
        abort(400, gettext("Choose a history file (JSON) to read."))
    try:
        history = ops_exported.load(upload.read().decode("utf-8"),
                                    ops_exported.workflow_id_from_filename(upload.filename))
    except (UnicodeDecodeError, ops_exported.NotAHistory):
        abort(400, gettext("This file is not a Temporal workflow history in JSON."))
    return _workflow_page(ops_exported.details_from_history(history),
                          show_all=request.form.get("all") == "1", exported=True)


def _workflow_page(details: ops_temporal.WorkflowDetails, show_all: bool, exported: bool = False):
    rows = [r for r in timeline(details.history) if show_all or not r.routine]
    return render_template("ops/workflow.html", wf=details, rows=rows, show_all=show_all,
                           exported=exported,
                           timers=pending_timers(details.history) if details.status == "running" else [],
                           ui_url=None if exported else _ui_url(details.workflow_id, details.run_id))


@bp.get("/workflows/<workflow_id>/history.json")
def history_json(workflow_id: str):
    run_id = request.args.get("run_id") or None
    body = _about_one(lambda c: ops_temporal.history_json(c, workflow_id, run_id))
    filename = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in workflow_id)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}.history.json"'})


@bp.get("/stuck")
def stuck():
    now = datetime.now(timezone.utc)
    # Each row's heading names its organisation (task_heading): loaded with the tasks, not per row.
    overdue = db().scalars(
        select(Task).where(Task.status.in_(OPEN_TASK_STATUSES), Task.due_at < now)
        .options(selectinload(Task.organisation)).order_by(Task.due_at).limit(200)).all()
    error = None
    try:
        failing, truncated = _temporal(ops_temporal.stuck_workflows, timeout=60)
    except RPCError as exc:
        failing, truncated, error = [], False, exc.message
    return render_template("ops/stuck.html", overdue=overdue, failing=failing, truncated=truncated,
                           error=error, now=now, scan_limit=ops_temporal.STUCK_SCAN_LIMIT)


def _mailbox_dir() -> Path | None:
    """The embedded SMTP server's mail, or None: only the dev stack sets MAILBOX_DIR. Anywhere
    else mail goes to a real server, and its messages (set-password links in them) are nobody's
    to read here."""
    configured = _settings().mailbox_dir
    path = Path(configured) if configured else None
    return path if path is not None and path.is_dir() else None


@bp.context_processor
def _mailbox_shown() -> dict:
    return {"mailbox_shown": _mailbox_dir() is not None}


@bp.get("/outbox")
def outbox():
    query = OUTBOX.parse(request.args)
    return render_template("ops/outbox.html", query=query, page=outbox_page(db(), query),
                           counts=status_counts(db()),
                           smtp=f"{_settings().smtp_host}:{_settings().smtp_port}")


@bp.get("/mailbox")
def mailbox():
    folder = _mailbox_dir()
    if folder is None:
        abort(404)
    query = ops_mailbox.MAILBOX.parse(request.args)
    return render_template("ops/mailbox.html", query=query,
                           page=ops_mailbox.mailbox_page(folder, query))


@bp.get("/mailbox/<name>")
def mail(name: str):
    folder = _mailbox_dir()
    view = ops_mailbox.read_mail(folder, name) if folder else None
    if view is None:
        abort(404)
    return render_template("ops/mail.html", mail=view)


@bp.get("/mailbox/<name>/attachments/<int:number>")
def mail_attachment(name: str, number: int):
    """A file as the mail carried it, downloaded (never shown inline: it is what a sender sent)."""
    folder = _mailbox_dir()
    found = ops_mailbox.attachment(folder, name, number) if folder else None
    if found is None:
        abort(404)
    about, content = found
    return send_file(io.BytesIO(content), mimetype=about.content_type, as_attachment=True,
                     download_name=about.filename, max_age=0)


from web.ops import schedules as ops_schedules  # noqa: E402  (its routes register on bp)
