"""The directory (search, filters, sorted pages, CSV export) and one partner's page."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from db.team import members, pending_invitations
from domain.roles import may_act_as
from forms import readable
from web.csv_export import csv_response
from web.database import db
from web.directory import bp
from web.directory.queries import (APPLICATION_FORM, DIRECTORY, country_label, directory_page,
                                   directory_rows, partner_page, partner_type_label)
from web.labels import FLAG_LABELS, STAGE_LABELS, label
from web.task_views import is_escalated, is_overdue
from web.urls import has_endpoint


@bp.get("/")
def index():
    query = DIRECTORY.parse(request.args)
    page = directory_page(db(), query)
    return render_template("directory/index.html", query=query, page=page,
                           country_label=country_label, partner_type_label=partner_type_label)


@bp.get("/export.csv")
def export():
    """The list as the page shows it (same search, filters and order), every page of it."""
    query = DIRECTORY.parse(request.args)
    header = [gettext("Partner"), gettext("Reference"), gettext("Stage"), gettext("Country"),
              gettext("Partner type"), gettext("Channel manager"), gettext("Applied"),
              gettext("Activated"), gettext("Screening flags"), gettext("Domain"),
              gettext("Contact name"), gettext("Contact email")]

    def rows():
        for r in directory_rows(db(), query):
            yield [r.name, r.reference, label(STAGE_LABELS, r.stage), country_label(r.country),
                   partner_type_label(r.partner_type), r.manager, r.applied_at, r.activated_at,
                   "; ".join(label(FLAG_LABELS, code) for code in r.flag_codes), r.domain,
                   r.contact_name, r.contact_email]

    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return csv_response(f"partners-{stamp}.csv", header, rows())


@bp.get("/<org_id>")
def partner(org_id: str):
    return render_partner(org_id)


def render_partner(org_id: str, status: int = 200, **forms):
    """The page; `forms`: the enablement section's forms as sent, when one is shown again with
    its errors (web/directory/enablement.py)."""
    from web.directory.enablement import section
    found = partner_page(db(), org_id)
    if found is None:
        abort(404)
    return render_template("directory/partner.html", p=found, org=found.org,
                           team_members=members(db(), org_id),
                           team_invitations=pending_invitations(db(), org_id),
                           application=readable(APPLICATION_FORM, found.org.application),
                           task_link=_task_link, workflow_link=_workflow_link(found.org.workflow_id),
                           is_overdue=is_overdue, is_escalated=is_escalated,
                           country_label=country_label, partner_type_label=partner_type_label,
                           **section(org_id, **forms)), status


def _task_link(task) -> str | None:
    """A staff task opens on the manager's task page, for those who may act on it; a partner's
    task (signing, more information) has no staff page."""
    if task.assignee_role and may_act_as(current_user.roles, task.assignee_role):
        return url_for("manage.task", task_id=task.id)
    return None


def _workflow_link(workflow_id: str) -> str | None:
    """Ops and program leads also get the process's page (its history) on the ops pages."""
    if current_user.has_role("ops", "program_lead") and has_endpoint("ops.workflow"):
        return url_for("ops.workflow", workflow_id=workflow_id)
    return None
