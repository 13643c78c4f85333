"""Business keys: every workflow, task and mail id comes from here so they stay stable."""

from __future__ import annotations

import uuid

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: references are read over the phone


def new_org_id() -> str:
    return str(uuid.uuid4())


def application_reference(org_id: str) -> str:
    """A short, human-friendly reference derived from the organisation id (stable, no lookup)."""
    n = uuid.UUID(org_id).int
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(_ALPHABET))
        chars.append(_ALPHABET[r])
    return "PA-" + "".join(chars)


def onboarding_workflow_id(org_id: str) -> str:
    return f"partner-onboarding-{org_id}"


def task_id(workflow_id: str, step: str, attempt: int = 1) -> str:
    """Derived from the workflow and its step, so a retried open_task writes the same row.

    URL-safe (no slashes): task ids appear in links.
    """
    return f"{workflow_id}--{step}-{attempt}"


def agreement_id(workflow_id: str, number: int = 1) -> str:
    return f"{workflow_id}--agreement-{number}"


def invitation_key(workflow_id: str, user_email: str) -> str:
    return f"{workflow_id}/invitation/{user_email.lower()}"


def mail_key(workflow_id: str, purpose: str) -> str:
    """The outbox idempotency key: one mail per workflow and purpose, however often retried."""
    return f"{workflow_id}/{purpose}"


def enablement_workflow_id(org_id: str) -> str:
    return f"enablement-{org_id}"
