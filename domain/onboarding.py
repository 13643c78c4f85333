"""PartnerOnboardingWorkflow's messages and stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.notes import SYSTEM
from domain.phrases import N_, Phrase
from domain.program import ProgramRules
from domain.screening import ScreeningFlag


class Stage(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    MORE_INFO = "more_info"
    AGREEMENT_OUT = "agreement_out"
    COUNTERSIGN = "countersign"
    AWAITING_CONTACT = "awaiting_contact"  # signed by both; the contact's email has an account
    ACTIVE = "active"
    REJECTED = "rejected"
    EXPIRED = "expired"


FINAL_STAGES = frozenset({Stage.ACTIVE, Stage.REJECTED, Stage.EXPIRED})


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    MORE_INFO = "more_info"


@dataclass(frozen=True)
class OnboardingInput:
    org_id: str
    reference: str
    application: dict[str, Any]       # validated against partner_application.v1
    program: ProgramRules = field(default_factory=ProgramRules)
    locale: str = "en"
    # Until issue 8 this input also carried `submitted_at` (unused): the saved histories still hold
    # it, and the converter ignores a field the dataclass no longer has, so they keep replaying.


@dataclass(frozen=True)
class RecordApplicationInput:
    org_id: str
    reference: str
    workflow_id: str
    application: dict[str, Any]
    locale: str = "en"


@dataclass(frozen=True)
class ScreeningResult:
    flags: tuple[ScreeningFlag, ...] = ()


@dataclass(frozen=True)
class StageChange:
    """One line of the application's timeline (shown to the partner and the manager)."""
    key: str                   # idempotency key: a retried write records the line once
    org_id: str
    stage: Stage
    note: str = ""
    actor: str = SYSTEM.format()
    action: str = ""           # the timeline's wording when it is not the stage itself ("approved")


@dataclass(frozen=True)
class AgreementInput:
    org_id: str
    workflow_id: str
    template: str
    program_name: str
    application: dict[str, Any]
    title: str = ""            # issue 10: a program addendum's own title (else the agreement's)


# Stored with the agreement and inside timeline notes; pages show it in the reader's language.
AGREEMENT_TITLE = Phrase(N_("Partner agreement: %(company)s"))


def agreement_title(application: dict[str, Any]) -> str:
    """The agreement's title: on the document, its signing task and the timeline."""
    return AGREEMENT_TITLE.format(company=application.get("company_name", ""))


@dataclass(frozen=True)
class AgreementDocument:
    agreement_id: str
    sha256: str
    title: str


@dataclass(frozen=True)
class SignatureRecord:
    agreement_id: str
    party: str                 # "partner" or "company"
    full_name: str
    signed_at: datetime
    ip: str = ""
    user_agent: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class ActivationInput:
    org_id: str
    workflow_id: str
    contact_name: str
    contact_email: str
    invitation_ttl_seconds: int
    locale: str = "en"


@dataclass(frozen=True)
class ActivationResult:
    """Activated, or not because the contact's email already has an account: then nothing was
    written but the screening flag saying so, and the workflow asks a manager for a contact."""
    activated: bool
    taken_email: str = ""


@dataclass(frozen=True)
class MailInput:
    key: str                   # idempotency key: one mail per key, however often retried
    to: str | None = None      # an address, or
    to_role: str | None = None  # every active user with this role
    template: str = ""         # mail template name under web/templates/mail/
    context: dict[str, Any] = field(default_factory=dict)
    locale: str = "en"
    time_zone: str | None = None  # the addressee's zone when known (None: the default zone)


@dataclass(frozen=True)
class OnboardingStatus:
    stage: Stage
    details: str
    open_task_id: str | None = None
    flags: tuple[ScreeningFlag, ...] = ()
    decisions: tuple[str, ...] = ()
