"""Enablement rows as the workflow's activities write them (enablement_plan, enablement_item,
certification, its task rows), for the page tests that need no running workflow: the board, the
partner page's section, the portal's plan page and their 404s. The figures on the plan row are
the rules' own (domain/enablement_rules.progress over the item states given), so a page showing
them shows what the workflow would have written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from db.models import Certification, EnablementItem, EnablementPlan, Organisation, Task
from definitions.plans import load_plan
from domain import ids
from domain.enablement import ItemKind, ItemOwner, ItemState, ItemStatus, PlanItem
from domain.enablement_rules import initial_items, progress, stage_reached


def activate(sessions, org: Organisation, *, days_ago: float = 10, manager_id: int | None = None,
             **values) -> datetime:
    activated = datetime.now(timezone.utc) - timedelta(days=days_ago)
    with sessions.begin() as s:
        s.execute(update(Organisation).where(Organisation.id == org.id).values(
            status="active", activated_at=activated, channel_manager_user_id=manager_id, **values))
    return activated


def seed_plan(sessions, org: Organisation, *, plan_id: str = "standard", version: int = 1,
              statuses: dict[str, str] | None = None, days_ago: float = 10,
              manager_id: int | None = None, assignees: dict[str, tuple[int, str]] | None = None,
              due: dict[str, timedelta] | None = None, ad_hoc: dict[str, str] | None = None,
              next_owner: str | None = None) -> EnablementPlan:
    """A plan row and its items for `org` (activated `days_ago`). `statuses`: item key ->
    ItemStatus value (the rest locked); `due`: item key -> due time from now; `assignees`: item
    key -> (user id, name); `ad_hoc`: key -> title of items a manager added (open)."""
    activated = activate(sessions, org, days_ago=days_ago, manager_id=manager_id)
    plan = load_plan(plan_id, version)
    now = datetime.now(timezone.utc)
    items = initial_items(plan, activated)
    for key, status in (statuses or {}).items():
        items[key].status = ItemStatus(status)
    for key, when in (due or {}).items():
        items[key].due_at = now + when
    for key, title in (ad_hoc or {}).items():
        items[key] = ItemState(key, status=ItemStatus.OPEN, due_at=now + timedelta(days=5),
                               ad_hoc=PlanItem(key, ItemKind.CUSTOM, {"en": title},
                                               ItemOwner.PARTNER_USER, plan.stages[-1].key,
                                               required=False))
    for key, (user_id, name) in (assignees or {}).items():
        items[key].assignee_user_id, items[key].assignee_name = user_id, name
    figures = progress(plan, items, now)
    stage = stage_reached(plan, items, [], now)
    wf = ids.enablement_workflow_id(org.id)
    nxt = figures.next_key
    with sessions.begin() as s:
        row = EnablementPlan(
            org_id=org.id, workflow_id=wf, plan_id=plan_id, plan_version=version, stage=stage,
            required_total=figures.required_total, required_done=figures.required_done,
            percent_done=figures.percent, overdue_count=figures.overdue,
            next_due_at=figures.next_due_at, next_item_key=nxt,
            next_owner=next_owner if next_owner is not None else (
                (items[nxt].assignee_name or items[nxt].ad_hoc.owner.value if items[nxt].ad_hoc
                 else items[nxt].assignee_name or plan.item(nxt).owner.value) if nxt else ""),
            started_at=activated, revision=1)
        s.add(row)
        for position, (key, state) in enumerate(items.items()):
            item = plan.item(key)
            s.add(EnablementItem(
                id=f"{wf}--{key}", org_id=org.id, workflow_id=wf, item_key=key,
                kind=item.kind.value if item else "custom",
                title="" if item else (ad_hoc or {})[key], position=position,
                stage=item.stage if item else plan.stages[-1].key,
                owner=item.owner.value if item else "partner_user",
                required=item.required if item else False, status=state.status.value,
                assignee_user_id=state.assignee_user_id,
                due_at=state.due_at if state.status is not ItemStatus.LOCKED else None,
                task_id=ids.task_id(wf, key) if state.status in (
                    ItemStatus.OPEN, ItemStatus.RETURNED, ItemStatus.IN_REVIEW) else None,
                round=1, completed_at=now if state.status in (ItemStatus.DONE, ItemStatus.WAIVED)
                else None, completed_by="Li Wei" if state.status is ItemStatus.DONE else ""))
    return row


def seed_task(sessions, org: Organisation, item_key: str, *, task_type: str = "enablement_training",
              form: str = "sales_training.v1", admin_only: bool = False,
              assignee_user_id: int | None = None, status: str = "open", role: str | None = None,
              context: dict | None = None, due_in: timedelta = timedelta(days=5)) -> Task:
    """An enablement step's task row (a partner's, or the manager's review with `role`)."""
    wf = ids.enablement_workflow_id(org.id)
    step = item_key if role is None else f"{item_key}-review"
    with sessions.begin() as s:
        task = Task(id=ids.task_id(wf, step), workflow_id=wf, task_type=task_type, form=form,
                    title=f"{item_key} {org.name}", org_id=org.id, status=status,
                    assignee_role=role, assignee_org_id=None if role else org.id,
                    assignee_partner_role="partner_admin" if admin_only else None,
                    assignee_user_id=assignee_user_id,
                    due_at=datetime.now(timezone.utc) + due_in,
                    context={"item_key": item_key, "round": 1, "plan_id": "standard",
                             "plan_version": 1, **(context or {})})
        s.add(task)
    return task


def seed_certification(sessions, org: Organisation, user_id: int, *, cert_key: str = "sales_associate",
                       name: str = "Sales Associate", days_left: int = 200) -> Certification:
    now = datetime.now(timezone.utc)
    with sessions.begin() as s:
        cert = Certification(org_id=org.id, user_id=user_id, cert_key=cert_key, name=name,
                             issued_at=now - timedelta(days=365 - days_left),
                             expires_at=now + timedelta(days=days_left), status="valid", score=90,
                             workflow_id=ids.enablement_workflow_id(org.id))
        s.add(cert)
    return cert
