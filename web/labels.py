"""People-facing names of roles, stages, actions and statuses (the codes stay English in data)."""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale, gettext, lazy_gettext as _l

ROLE_LABELS = {
    "partner_user": _l("partner user"),
    "partner_admin": _l("partner administrator"),
    "channel_manager": _l("channel manager"),
    "program_lead": _l("program lead"),
    "ops": _l("ops"),
}

STAGE_LABELS = {
    "submitted": _l("Submitted"),
    "in_review": _l("In review"),
    "more_info": _l("More information requested"),
    "agreement_out": _l("Agreement sent for signature"),
    "countersign": _l("Awaiting countersignature"),
    "awaiting_contact": _l("Waiting for a new contact"),
    "active": _l("Active partner"),
    "rejected": _l("Rejected"),
    "expired": _l("Closed (expired)"),
}

# What the partner should understand from each stage, in one sentence.
STAGE_EXPLAINED = {
    "submitted": _l("We have received your application and are checking it."),
    "in_review": _l("A channel manager is reviewing your application."),
    "more_info": _l("We need more information from you: see your tasks below."),
    "agreement_out": _l("Your application was approved. Please sign the partner agreement."),
    "countersign": _l("You signed the agreement. We are countersigning it."),
    "active": _l("You are an active partner. Welcome to the program."),
    "rejected": _l("Your application was not accepted."),
    "expired": _l("Your application was closed because a deadline passed."),
}

ACTION_LABELS = {
    **STAGE_LABELS,
    "approved": _l("Application approved"),
    "signed_by_partner": _l("Agreement signed by the partner"),
    "signed_by_company": _l("Agreement countersigned"),
    "handed_on": _l("Handed on to a colleague"),
    "enablement_stage": _l("Enablement stage reached"),
    "enablement_task_done": _l("Enablement task done"),
    "enablement_returned": _l("Evidence returned for changes"),
    "enablement_waived": _l("Enablement task waived"),
    "enablement_due_moved": _l("Due date moved"),
    "enablement_task_added": _l("Task added to the plan"),
    "enablement_plan_moved": _l("Moved to another plan version"),
    "certification_issued": _l("Certification issued"),
    "certification_lapsed": _l("Certification lapsed"),
    # A partner admin's changes to their team (web/portal/team.py, domain/team_notes.py).
    "team_invited": _l("Colleague invited"),
    "team_invitation_revoked": _l("Invitation withdrawn"),
    "team_role_changed": _l("Role changed"),
    "team_deactivated": _l("User deactivated"),
    "team_reactivated": _l("User reactivated"),
}

TASK_TYPE_LABELS = {
    "review_application": _l("Review application"),
    "edit_application": _l("Add information to the application"),
    "sign_agreement": _l("Sign the partner agreement"),
    "countersign": _l("Countersign the agreement"),
    # Enablement (issue 10): the manager's steps; a partner's plan task is named by its item
    # (web/portal/enablement.py enablement_heading).
    "evidence_review": _l("Review enablement evidence"),
    "enablement_kickoff": _l("Record the kickoff call"),
}

DECISION_LABELS = {
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "more_info": _l("More information requested"),
    "completed": _l("Completed"),
}

FLAG_LABELS = {
    "duplicate_domain": _l("Possible duplicate: same domain"),
    "duplicate_name": _l("Possible duplicate: same name"),
    "free_mail_domain": _l("Free-mail address"),
    "email_domain_mismatch": _l("Email domain differs from website"),
    "contact_has_account": _l("Contact already has an account"),
}

# db.models.Agreement.status, as activities/recruitment.py writes it.
AGREEMENT_STATUS_LABELS = {
    "sent": _l("Sent for signature"),
    "signed": _l("Signed by the partner"),
    "countersigned": _l("Countersigned"),
}


# domain.tasks.TaskStatus; ops pages show them, the task pages have their own badges.
TASK_STATUS_LABELS = {
    "open": _l("Open"),
    "claimed": _l("Claimed"),
    "done": _l("Done"),
    "expired": _l("Expired"),
    "cancelled": _l("Cancelled"),
}

# Temporal's WorkflowExecutionStatus, as web.ops.temporal.status_name spells it. "canceled" is
# Temporal's spelling; the label uses the app's.
WORKFLOW_STATUS_LABELS = {
    "running": _l("Running"),
    "completed": _l("Completed"),
    "failed": _l("Failed"),
    "canceled": _l("Cancelled"),
    "terminated": _l("Terminated"),
    "continued_as_new": _l("Continued as new"),
    "timed_out": _l("Timed out"),
    "unknown": _l("Unknown"),
}

# db.models.OutboxMail.status: a failed attempt stays pending (with its last error) until it is sent.
MAIL_STATUS_LABELS = {
    "pending": _l("Pending"),
    "sent": _l("Sent"),
}


def label(table: dict, code: str | None) -> str:
    return str(table.get(code or "", code or ""))


def role_label(code: str) -> str:
    return label(ROLE_LABELS, code)


def role_names(codes) -> str:
    """'program lead and ops' / '计划负责人和运维': a person's roles as their language lists them."""
    return format_list([role_label(c) for c in codes], locale=str(get_locale() or "en")) if codes else ""


def task_heading(task) -> str:
    """'Review application: Acme Ltd' in the reader's language; a partner's enablement step by
    its plan item's title (the plan's words, web/enablement/texts.py); the stored (English)
    title for task types this module does not know yet."""
    context = task.context or {}
    if task.task_type not in TASK_TYPE_LABELS and context.get("item_key") and context.get("plan_id"):
        from web.enablement.texts import item_title  # the plan definitions, loaded on first use
        return item_title(context["plan_id"], int(context.get("plan_version") or 1),
                          context["item_key"], task.title)
    if task.task_type in TASK_TYPE_LABELS and task.organisation is not None:
        # A message of its own, not an f-string: Chinese joins them with a full-width colon.
        return gettext("%(task)s: %(company)s", task=TASK_TYPE_LABELS[task.task_type],
                       company=task.organisation.name)
    return task.title


def init_labels(app) -> None:
    app.add_template_filter(lambda c: label(STAGE_LABELS, c), "stage_label")
    app.add_template_filter(lambda c: label(STAGE_EXPLAINED, c), "stage_explained")
    app.add_template_filter(lambda c: label(ACTION_LABELS, c), "action_label")
    app.add_template_filter(lambda c: label(TASK_TYPE_LABELS, c), "task_type_label")
    app.add_template_filter(lambda c: label(DECISION_LABELS, c), "decision_label")
    app.add_template_filter(lambda c: label(FLAG_LABELS, c), "flag_label")
    app.add_template_filter(lambda c: label(TASK_STATUS_LABELS, c), "task_status_label")
    app.add_template_filter(lambda c: label(WORKFLOW_STATUS_LABELS, c), "workflow_status_label")
    app.add_template_filter(lambda c: label(MAIL_STATUS_LABELS, c), "mail_status_label")
    app.add_template_filter(lambda c: label(AGREEMENT_STATUS_LABELS, c), "agreement_status_label")
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(role_names, "role_names")
    app.add_template_filter(task_heading, "task_heading")
