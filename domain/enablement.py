"""Enablement: the plan a partner works through after activation, and the messages of its workflow.

A plan is a definition (definitions/enablement/, loaded and checked by definitions/plans.py) and
crosses the Temporal boundary resolved, as these dataclasses: a running EnablementWorkflow is
pinned to the version it started with, and moves to another only when a manager says so. The
rules that read a plan (what may open, which stage the partner is in, what a move to a new
version changes) are pure functions in domain/enablement_rules.py.

Words people read (titles, descriptions, stage names) are `LocalText`: one string per language
the definition provides ("en" always, "zh_Hans" for every shipped plan), picked by `in_language`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.tasks import Actor

LocalText = dict[str, str]   # {"en": "...", "zh_Hans": "..."}


def in_language(text: LocalText, locale: str) -> str:
    """The reader's language when the text has it, else English (every text has English)."""
    return text.get(locale) or text.get("en", "")


class ItemKind(StrEnum):
    PROFILE = "profile"              # complete the organisation profile
    LOGO = "logo"                    # upload the partner's logo (kept for co-branding)
    ADDENDUM = "addendum"            # sign a program addendum (recruitment's agreement machinery)
    TRAINING = "training"            # evidence and a quiz, scored on the server
    CERTIFICATION = "certification"  # passed by a person: a certification they hold for N days
    KICKOFF = "kickoff"              # the channel manager records the call
    FIRST_DEAL = "first_deal"        # done when the workflow hears "first deal approved"
    CUSTOM = "custom"                # an ad-hoc task a manager added to one partner's plan


class ItemOwner(StrEnum):
    PARTNER_ADMIN = "partner_admin"      # the organisation's admins (one of them may hand it on)
    PARTNER_USER = "partner_user"        # anyone of the organisation
    CHANNEL_MANAGER = "channel_manager"  # the partner's channel manager (their group after)


class ItemStatus(StrEnum):
    LOCKED = "locked"          # waiting for its prerequisites
    OPEN = "open"              # its step is open: someone of its owner must act
    IN_REVIEW = "in_review"    # evidence sent, a manager must accept it
    RETURNED = "returned"      # a manager sent the evidence back: open again, with a comment
    DONE = "done"
    WAIVED = "waived"          # a manager let it go, with a reason: counts as done
    LAPSED = "lapsed"          # a certification item whose certification expired unrenewed
    REMOVED = "removed"        # gone with a move to a plan version that no longer has it


SATISFIED = frozenset({ItemStatus.DONE, ItemStatus.WAIVED})
ACTIONABLE = frozenset({ItemStatus.OPEN, ItemStatus.RETURNED, ItemStatus.IN_REVIEW})


class CertificationStatus(StrEnum):
    VALID = "valid"
    RENEWED = "renewed"        # superseded by a newer certification of the same kind
    LAPSED = "lapsed"


# -- the definition, resolved ------------------------------------------------------------------


@dataclass(frozen=True)
class QuizChoice:
    key: str
    text: LocalText


@dataclass(frozen=True)
class QuizQuestion:
    key: str                      # the evidence form's field name
    prompt: LocalText
    choices: tuple[QuizChoice, ...]
    answer: str                   # a choice key; lives in the definition, never sent to a browser


@dataclass(frozen=True)
class Quiz:
    questions: tuple[QuizQuestion, ...]
    pass_percent: int = 80


@dataclass(frozen=True)
class CertificationRule:
    cert_key: str                 # e.g. "sales_associate"
    name: LocalText
    valid_for: timedelta = timedelta(days=365)
    renew_before: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class PlanItem:
    key: str                      # unique in the plan, stable across its versions
    kind: ItemKind
    title: LocalText
    owner: ItemOwner
    stage: str                    # the stage key it counts towards
    description: LocalText = field(default_factory=dict)
    required: bool = True
    prerequisites: tuple[str, ...] = ()        # item keys
    due_after: timedelta = timedelta(days=14)  # from activation (from opening, for ad-hoc items)
    evidence_form: str | None = None           # "<form>.v<N>" under definitions/forms/
    review: bool = False                       # a manager must accept the evidence
    quiz: Quiz | None = None
    certification: CertificationRule | None = None
    addendum_template: str | None = None       # the agreement template an ADDENDUM item signs


@dataclass(frozen=True)
class PlanStage:
    key: str
    title: LocalText


@dataclass(frozen=True)
class ProgramRequirement:
    """What a program (deal registration, lead offers, MDF) asks of a partner: read by
    domain/eligibility.py."""
    program: str                               # e.g. "deal_registration"
    min_stage: str | None = None               # a stage key the partner must have reached
    certifications: tuple[str, ...] = ()       # cert keys someone of the partner must hold


@dataclass(frozen=True)
class PlanTiming:
    reminders_before: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))
    # Overdue: the partner admin is told at the due time, the channel manager this much later.
    escalate_to_manager_after: timedelta = timedelta(days=3)
    # Added by en-flow: how long a manager has to review evidence (reminder at half time, then
    # escalation to the program leads).
    review_within: timedelta = timedelta(days=5)


@dataclass(frozen=True)
class EnablementPlan:
    plan_id: str
    version: int
    name: LocalText
    partner_types: tuple[str, ...]
    stages: tuple[PlanStage, ...]              # in order; a partner starts in the first
    items: tuple[PlanItem, ...]                # in the order the plan shows them
    timing: PlanTiming = field(default_factory=PlanTiming)
    requirements: tuple[ProgramRequirement, ...] = ()
    max_bytes: int = 10 * 1024 * 1024          # evidence upload limit (the file store's)

    def item(self, key: str) -> PlanItem | None:
        return next((i for i in self.items if i.key == key), None)


# -- the workflow's state and messages -----------------------------------------------------------


@dataclass
class ItemState:
    key: str
    status: ItemStatus = ItemStatus.LOCKED
    round: int = 0                             # evidence rounds (a return opens the next)
    due_at: datetime | None = None
    assignee_user_id: int | None = None
    assignee_name: str = ""
    task_id: str | None = None                 # the open step's task id
    completed_at: datetime | None = None
    completed_by: str = ""
    note: str = ""                             # the last return's comment, or the waiver's reason
    ad_hoc: PlanItem | None = None             # an item a manager added (not in the plan)
    # Added by en-flow, so a continued-as-new run can reopen the step it was in: when the
    # current step (the review, say) opened, and the evidence that went to review.
    opened_at: datetime | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    submitted_by_id: int | None = None
    submitted_by: str = ""


@dataclass
class CertificationState:
    cert_key: str
    user_id: int
    holder_name: str
    issued_at: datetime
    expires_at: datetime
    status: CertificationStatus = CertificationStatus.VALID
    item_key: str = ""                         # the plan item it was passed for
    score: int | None = None
    renewal_round: int = 0                     # added by en-flow: rounds of its renewal step


@dataclass
class EnablementState:
    """Everything a continued-as-new run needs: its open steps reopen with their deadlines."""
    items: dict[str, ItemState]
    certifications: list[CertificationState]
    stage: str
    events: int = 0                            # keys of stage records and mails
    first_deal_id: str | None = None
    handled_requests: tuple[str, ...] = ()     # update request ids already applied (idempotency)
    revision: int = 0                          # added by en-flow: enablement_plan.revision
    plan: EnablementPlan | None = None         # added by en-flow: the version moved to, if any
    # Added by en-flow: each applied update's answer by request id, so a repeat gets it again.
    results: dict[str, UpdateResult] = field(default_factory=dict)
    plan_changes: dict[str, PlanChange] = field(default_factory=dict)


@dataclass(frozen=True)
class EnablementInput:
    org_id: str
    reference: str
    company: str
    partner_type: str
    locale: str
    plan: EnablementPlan
    activated_at: datetime
    channel_manager_user_id: int | None = None
    carried: EnablementState | None = None     # set only by continue-as-new
    # Added by en-flow: continue-as-new after this many history events (0: when Temporal
    # suggests it), so a test can force it.
    max_events: int = 0


@dataclass(frozen=True)
class StartEnablementInput:
    """What activation sends: the activity resolves the plan and starts the workflow."""
    org_id: str


@dataclass(frozen=True)
class AddTaskInput:
    request_id: str
    actor: Actor
    title: str
    owner: ItemOwner
    due_at: datetime
    stage: str
    required: bool = False
    description: str = ""
    evidence_form: str = "ad_hoc_evidence.v1"
    review: bool = True


@dataclass(frozen=True)
class WaiveTaskInput:
    request_id: str
    actor: Actor
    item_key: str
    reason: str


@dataclass(frozen=True)
class MoveDueDateInput:
    request_id: str
    actor: Actor
    item_key: str
    due_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class MovePlanInput:
    request_id: str
    actor: Actor
    plan: EnablementPlan                       # resolved by the web app from the definitions


@dataclass(frozen=True)
class PlanChange:
    """What a move to another plan version did, in words a manager reads on the timeline."""
    from_version: int
    to_version: int
    added: tuple[str, ...] = ()                # item keys
    removed: tuple[str, ...] = ()
    kept_done: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()              # kept, with a new due date, owner or form


@dataclass(frozen=True)
class UpdateResult:
    """The answer to add_task, waive_task and move_due_date."""
    item_key: str
    status: ItemStatus
    due_at: datetime | None = None


@dataclass(frozen=True)
class FirstDealApproved:
    """Signalled by the deal registration workflow when a partner's first deal is approved."""
    deal_id: str
    approved_at: datetime


@dataclass(frozen=True)
class EnablementSnapshot:
    """The `get_plan` query's answer (ops pages, tests); people's pages read the database."""
    plan_id: str
    version: int
    stage: str
    items: tuple[ItemState, ...]
    certifications: tuple[CertificationState, ...]
    run_events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
