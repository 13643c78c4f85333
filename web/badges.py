"""The tone of each stage's and status's badge (templates/macros/badges.html shows them).

One table per kind of code, so a stage looks the same in the directory, on the partner page, in
the portal and on the ops pages: waiting on us is info, waiting on the partner is warn, done is
ok, ended without success is bad. A code no table knows gets the neutral badge.
"""

from __future__ import annotations

from web.labels import (AGREEMENT_STATUS_LABELS, MAIL_STATUS_LABELS, STAGE_LABELS,
                        TASK_STATUS_LABELS, WORKFLOW_STATUS_LABELS, label)

TONES = ("neutral", "info", "ok", "warn", "bad")

_KINDS: dict[str, tuple[dict, dict[str, str]]] = {
    "stage": (STAGE_LABELS, {
        "submitted": "info", "in_review": "info", "countersign": "info",
        "more_info": "warn", "agreement_out": "warn", "awaiting_contact": "warn",
        "active": "ok", "rejected": "bad", "expired": "neutral"}),
    "task": (TASK_STATUS_LABELS, {
        "open": "neutral", "claimed": "info", "done": "ok", "expired": "bad", "cancelled": "neutral"}),
    "agreement": (AGREEMENT_STATUS_LABELS, {"sent": "warn", "signed": "info", "countersigned": "ok"}),
    "workflow": (WORKFLOW_STATUS_LABELS, {
        "running": "info", "completed": "ok", "failed": "bad", "terminated": "bad",
        "timed_out": "bad", "canceled": "neutral", "continued_as_new": "neutral"}),
    "mail": (MAIL_STATUS_LABELS, {"pending": "warn", "sent": "ok"}),
}


def badge_of(kind: str, code: str | None) -> tuple[str, str]:
    """(label, tone) of `code` of this kind ('stage', 'task', 'agreement', 'workflow', 'mail')."""
    labels, tones = _KINDS[kind]
    return label(labels, code), tones.get(code or "", "neutral")


def init_badges(app) -> None:
    app.add_template_global(badge_of, "badge_of")
