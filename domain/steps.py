"""A human step's grouped writes: what opening or closing a step records, as one call each.

Every activity costs the worker a workflow activation and the server a round trip, which on a
small box outweighs the SQL (DESIGN.md section 4). So a step's opening carries everything due at
that moment, in one transaction: the close of the step decided just before (its task row and the
stage the decision leads to), the stage the new step puts the process in, its task row and the
notice to whoever must act. Where the opening also needs a document or a record of its own (the
application, the agreement), one activity does that first, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.onboarding import (ActivationInput, AgreementInput, MailInput, RecordApplicationInput,
                               StageChange)
from domain.tasks import CloseTaskInput, TaskSpec


@dataclass(frozen=True)
class CloseStepInput:
    close: CloseTaskInput
    stage: StageChange | None = None     # the stage the decision (or the deadline) leads to


@dataclass(frozen=True)
class OpenStepInput:
    task: TaskSpec
    stage: StageChange | None = None     # the stage the process enters with this step
    closing: tuple[CloseStepInput, ...] = ()  # steps decided since the last write, written first


@dataclass(frozen=True)
class AcceptApplicationInput:
    """An application arrives: record and screen it, confirm it, open its first review."""
    application: RecordApplicationInput
    confirmation: MailInput              # the applicant's "we have your application" mail
    review: OpenStepInput                # its task context gains the screening flags


@dataclass(frozen=True)
class IssueAgreementInput:
    """An approval leads here: render and store the agreement, open its signing step."""
    agreement: AgreementInput
    signing: OpenStepInput               # its task context gains the document's id and SHA-256


@dataclass(frozen=True)
class ActivatePartnerInput:
    """Both parties signed: the partner's admin, its invitation and the Active stage, written in
    one transaction (or, when the contact's email already has an account, none of them)."""
    activation: ActivationInput
    stage: StageChange                   # Active: written with the user and the invitation
    closing: tuple[CloseStepInput, ...] = ()  # steps decided since the last write, written first
