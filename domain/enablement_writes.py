"""What one enablement round trip writes (activities/enablement.py `enablement_write`).

DESIGN.md section 4: every activity costs a round trip, so each moment of the plan travels as
ONE write: the rows of its items and its board row (as of this revision), the closes of steps
decided since the last write, the step that opens now (its task row and notice), timeline lines,
certifications, mail, and what a completed item applies (profile, logo, an addendum's
signature). The rows are the workflow's picture at `revision`: a stale retry never overwrites a
newer one; everything else is keyed and written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.onboarding import SignatureRecord
from domain.steps import CloseStepInput, OpenStepInput


@dataclass(frozen=True)
class ItemRow:
    key: str
    kind: str
    title: str                       # English; the pages take the plan's own words by key
    position: int
    stage: str
    owner: str
    required: bool
    status: str
    due_at: datetime | None = None
    assignee_user_id: int | None = None
    task_id: str | None = None
    round: int = 0
    completed_at: datetime | None = None
    completed_by: str = ""
    note: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanRow:
    plan_id: str
    plan_version: int
    stage: str
    required_total: int
    required_done: int
    percent: int
    overdue: int
    next_item_key: str | None
    next_due_at: datetime | None
    next_owner: str
    started_at: datetime


@dataclass(frozen=True)
class TimelineLine:
    key: str                         # idempotency key
    action: str                      # enablement_stage, enablement_task_done, ...
    note: str
    actor: str


@dataclass(frozen=True)
class CertificationRow:
    cert_key: str
    user_id: int
    name: str
    issued_at: datetime
    expires_at: datetime
    status: str
    score: int | None = None


@dataclass(frozen=True)
class EnablementMail:
    key: str
    template: str
    to: str                          # "admins", "user" (user_id) or "admins_and_user"
    user_id: int | None = None
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AddendumRequest:
    """The item's addendum, rendered and stored once (recruitment's agreement machinery); the
    opening step's context gains its id and SHA-256."""
    template: str
    program_name: str


@dataclass(frozen=True)
class EnablementWrite:
    org_id: str
    workflow_id: str
    revision: int
    plan: PlanRow
    items: tuple[ItemRow, ...]
    closing: tuple[CloseStepInput, ...] = ()
    open_step: OpenStepInput | None = None
    addendum: AddendumRequest | None = None
    timeline: tuple[TimelineLine, ...] = ()
    certifications: tuple[CertificationRow, ...] = ()
    mails: tuple[EnablementMail, ...] = ()
    profile: dict[str, Any] | None = None
    logo_file_id: str | None = None
    signature: SignatureRecord | None = None


@dataclass(frozen=True)
class EnablementWritten:
    agreement_id: str | None = None
    sha256: str | None = None
