"""One partner's plan as its pages show it: the manager's partner page and the partner's own
/portal/plan read the same rows through here (enablement_plan, enablement_item, certification,
the open enablement tasks and the enablement lines of the organisation's timeline), a fixed
handful of queries whatever the plan's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (Certification, EnablementItem, EnablementPlan, Task, TimelineEvent, User)
from domain.enablement import (ACTIONABLE, EnablementPlan as PlanDefinition, ItemKind, ItemOwner,
                               ItemState, ItemStatus, PlanItem, in_language)
from domain.tasks import ACTIVE_STATUSES
from web.enablement.texts import item_description, item_title, locale, plan_name, plan_of

# The timeline's enablement lines (the workflow writes them: ENABLEMENT.md, "Rows").
TIMELINE_ACTIONS = ("enablement_stage", "enablement_task_done", "enablement_returned",
                    "enablement_waived", "enablement_due_moved", "enablement_task_added",
                    "enablement_plan_moved", "certification_issued", "certification_lapsed",
                    "handed_on")
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive (they are UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment


@dataclass
class ItemView:
    row: EnablementItem
    title: str
    description: str
    assignee: str                      # the person it is assigned to, or ""
    task: Task | None                  # its open step (a partner's, or the manager's review)

    @property
    def key(self) -> str:
        return self.row.item_key

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def actionable(self) -> bool:
        return self.row.status in {s.value for s in ACTIONABLE}

    @property
    def open_for_changes(self) -> bool:
        """What a manager may waive or re-date: not done, waived or gone."""
        return self.row.status not in (ItemStatus.DONE, ItemStatus.WAIVED, ItemStatus.REMOVED)

    def overdue(self, now: datetime) -> bool:
        due = aware(self.row.due_at)
        return (self.row.status in (ItemStatus.OPEN, ItemStatus.RETURNED) and due is not None
                and due < now)


@dataclass
class StageView:
    key: str
    title: str
    items: list[ItemView] = field(default_factory=list)
    reached: bool = False


@dataclass
class PlanView:
    plan: EnablementPlan
    definition: PlanDefinition | None
    name: str
    stages: list[StageView]
    items: list[ItemView]
    certifications: list[Certification]
    timeline: list[TimelineEvent]
    holders: dict[int, str]
    cert_names: dict[str, str] = field(default_factory=dict)   # cert key -> its name, here

    def cert_name(self, certification: Certification) -> str:
        return self.cert_names.get(certification.cert_key) or certification.name

    def item(self, key: str) -> ItemView | None:
        return next((i for i in self.items if i.key == key), None)

    @property
    def stage_title(self) -> str:
        return next((s.title for s in self.stages if s.key == self.plan.stage), self.plan.stage)


def plan_view(session: Session, org_id: str) -> PlanView | None:
    plan = session.get(EnablementPlan, org_id)
    if plan is None:
        return None
    definition = plan_of(plan.plan_id, plan.plan_version)
    rows = list(session.scalars(select(EnablementItem).where(EnablementItem.org_id == org_id)
                                .order_by(EnablementItem.position, EnablementItem.item_key)))
    tasks = {t.context.get("item_key"): t for t in session.scalars(
        select(Task).where(Task.workflow_id == plan.workflow_id, Task.status.in_(_ACTIVE))
        .order_by(Task.created_at))}
    certifications = list(session.scalars(
        select(Certification).where(Certification.org_id == org_id)
        .order_by(Certification.expires_at.desc(), Certification.id)))
    people = {u.id: u.name for u in session.scalars(select(User).where(User.org_id == org_id))}
    items = [ItemView(r, item_title(plan.plan_id, plan.plan_version, r.item_key, r.title),
                      item_description(plan.plan_id, plan.plan_version, r.item_key),
                      people.get(r.assignee_user_id, "") if r.assignee_user_id else "",
                      tasks.get(r.item_key))
             for r in rows if r.status != ItemStatus.REMOVED]
    stages = _stages(plan, definition, items)
    timeline = list(session.scalars(
        select(TimelineEvent).where(TimelineEvent.org_id == org_id,
                                    TimelineEvent.action.in_(TIMELINE_ACTIONS))
        .order_by(TimelineEvent.at, TimelineEvent.id)))
    here = locale()
    cert_names = {i.certification.cert_key: in_language(i.certification.name, here)
                  for i in (definition.items if definition else ()) if i.certification}
    return PlanView(plan, definition, plan_name(plan.plan_id, plan.plan_version), stages, items,
                    certifications, timeline, people, cert_names)


def _stages(plan: EnablementPlan, definition: PlanDefinition | None,
            items: list[ItemView]) -> list[StageView]:
    here = locale()
    stages = [StageView(s.key, in_language(s.title, here)) for s in definition.stages] \
        if definition is not None else []
    by_key = {s.key: s for s in stages}
    for item in items:
        if item.row.stage not in by_key:
            by_key[item.row.stage] = StageView(item.row.stage, item.row.stage)
            stages.append(by_key[item.row.stage])
        by_key[item.row.stage].items.append(item)
    reached = [s.key for s in stages]
    upto = reached.index(plan.stage) if plan.stage in reached else -1
    for position, stage in enumerate(stages):
        stage.reached = position <= upto
    return stages


def item_states(view: PlanView) -> dict[str, ItemState]:
    """The items as the workflow holds them, for domain/enablement_rules.reconcile's preview of
    a move to another plan version. An ad-hoc item (not in the plan) carries its own
    definition, so the preview keeps it as the workflow will."""
    states = {}
    for item in view.items:
        r = item.row
        ad_hoc = None
        if view.definition is None or view.definition.item(r.item_key) is None:
            ad_hoc = PlanItem(r.item_key, ItemKind(r.kind) if r.kind in ItemKind.__members__.values()
                              else ItemKind.CUSTOM, {"en": r.title}, ItemOwner(r.owner), r.stage,
                              required=r.required)
        states[r.item_key] = ItemState(
            r.item_key, status=ItemStatus(r.status), round=r.round, due_at=aware(r.due_at),
            assignee_user_id=r.assignee_user_id, assignee_name=item.assignee, task_id=r.task_id,
            completed_at=aware(r.completed_at), completed_by=r.completed_by, note=r.note,
            ad_hoc=ad_hoc)
    return states


@dataclass(frozen=True)
class PersonProgress:
    user: User
    done: int
    open: int
    certifications: list[Certification]


def team_progress(session: Session, org_id: str, view: PlanView) -> list[PersonProgress]:
    """Per active person of the organisation: the plan items assigned to them done and open,
    and the certifications they hold (the portal's "your team")."""
    people = session.scalars(select(User).where(User.org_id == org_id, User.active.is_(True))
                             .order_by(User.name, User.id))
    out = []
    for user in people:
        theirs = [i for i in view.items if i.row.assignee_user_id == user.id]
        out.append(PersonProgress(
            user, sum(1 for i in theirs if i.status in (ItemStatus.DONE, ItemStatus.WAIVED)),
            sum(1 for i in theirs if i.actionable),
            [c for c in view.certifications if c.user_id == user.id]))
    return out
