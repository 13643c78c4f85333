"""The resolved program definition a workflow is pinned to (passed in its input, never read from disk)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class ReviewFallback(StrEnum):
    EXPIRE = "expire"          # close the application and tell the applicant
    REJECT = "reject"          # reject automatically with a stock reason
    APPROVE = "approve"        # approve automatically (low-risk programs)


class Countersign(StrEnum):
    MANAGER = "manager"
    AUTOMATIC = "automatic"


@dataclass(frozen=True)
class ProgramRules:
    program_id: str = "default"
    version: int = 1
    name: str = "Partner program"
    review_sla: timedelta = timedelta(days=2)
    review_escalation_grace: timedelta = timedelta(days=1)
    review_fallback: ReviewFallback = ReviewFallback.EXPIRE
    # Rounds of "more information" one application may take; the last round's question closes it
    # (it keeps one application's history far below the continue-as-new limit).
    max_review_rounds: int = 20
    more_info_sla: timedelta = timedelta(days=14)
    signature_expiry: timedelta = timedelta(days=30)
    signature_reminders_before: tuple[timedelta, ...] = field(
        default=(timedelta(days=7), timedelta(days=3), timedelta(days=1)))
    countersign: Countersign = Countersign.MANAGER
    countersign_sla: timedelta = timedelta(days=2)
    invitation_ttl: timedelta = timedelta(days=7)
    # When the contact's email already has an account: how long a manager has to name another
    # contact before program leads are asked (it never expires: both parties have signed).
    contact_sla: timedelta = timedelta(days=2)
    agreement_template: str = "partner_agreement.v1"
