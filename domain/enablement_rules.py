"""The rules that read a plan: what may open, which stage a partner is in, how far it has come,
and what a move to another version of its plan changes.

Pure functions of the plan and the workflow's item states (domain/enablement.py), so the workflow
calls them deterministically and the tests check them without a workflow. An item's definition is
the plan's item of that key, or the ad-hoc item a manager added (ItemState.ad_hoc); an item the
current plan no longer has (a done item kept through a version move) counts towards nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from domain.enablement import (SATISFIED, CertificationRule, CertificationState,
                               CertificationStatus, EnablementPlan, ItemKind, ItemState, ItemStatus,
                               PlanChange, PlanItem)

Items = Mapping[str, ItemState]
# Waiting for the partner (or the manager's kickoff): what the board calls overdue once past due.
# Evidence in review is not counted: the owner did their part, the review has its own deadline.
WAITING = frozenset({ItemStatus.OPEN, ItemStatus.RETURNED})
# Where the next thing to do is: the partner's open work and evidence waiting for review.
UNDER_WAY = frozenset({ItemStatus.OPEN, ItemStatus.RETURNED, ItemStatus.IN_REVIEW})


@dataclass(frozen=True)
class Progress:
    required_total: int
    required_done: int
    percent: int                     # of the required items, rounded down: 100 only when all are
    overdue: int
    next_key: str | None             # the item under way that is due first
    next_due_at: datetime | None


def definition(plan: EnablementPlan, state: ItemState) -> PlanItem | None:
    return state.ad_hoc or plan.item(state.key)


def item_due(item: PlanItem, activated_at: datetime) -> datetime:
    return activated_at + item.due_after


def certification_expires(rule: CertificationRule, issued_at: datetime) -> datetime:
    return issued_at + rule.valid_for


def renewal_opens(rule: CertificationRule, expires_at: datetime) -> datetime:
    """When the renewal task opens: `renew_before` ahead of the expiry (30 days by default)."""
    return expires_at - rule.renew_before


def holds_valid(certifications: Iterable[CertificationState], cert_key: str, now: datetime) -> bool:
    """Someone of the organisation holds a certification of `cert_key` that has not expired."""
    return any(c.cert_key == cert_key and c.status is CertificationStatus.VALID
               and c.expires_at > now for c in certifications)


def _met(items: Items, key: str) -> bool:
    """A prerequisite is met when satisfied, or when it is not (or no longer) part of the plan."""
    state = items.get(key)
    return state is None or state.status in SATISFIED or state.status is ItemStatus.REMOVED


def openable(plan: EnablementPlan, items: Items) -> list[str]:
    """Locked items whose prerequisites are all met, in the plan's order (ad-hoc items after)."""
    found = []
    for key in _ordered_keys(plan, items):
        state = items[key]
        item = definition(plan, state)
        if item is not None and state.status is ItemStatus.LOCKED and all(
                _met(items, pre) for pre in item.prerequisites):
            found.append(key)
    return found


def satisfied(plan: EnablementPlan, state: ItemState,
              certifications: Iterable[CertificationState], now: datetime) -> bool:
    """Done or waived; a certification item only while someone holds that certification, so a
    lapse takes the stage back (a waiver stands: a manager let the item go)."""
    item = definition(plan, state)
    if state.status is ItemStatus.WAIVED:
        return True
    if item is not None and item.kind is ItemKind.CERTIFICATION and item.certification:
        return holds_valid(certifications, item.certification.cert_key, now)
    return state.status is ItemStatus.DONE


def stage_reached(plan: EnablementPlan, items: Items,
                  certifications: Iterable[CertificationState], now: datetime) -> str:
    """The latest stage whose required items, and those of every earlier stage, are satisfied.
    A partner is in the first stage from the start, whatever it lists."""
    certifications = tuple(certifications)
    reached = plan.stages[0].key
    for stage in plan.stages:
        for state in items.values():
            item = definition(plan, state)
            if (item is not None and item.required and item.stage == stage.key
                    and state.status is not ItemStatus.REMOVED
                    and not satisfied(plan, state, certifications, now)):
                return reached
        reached = stage.key
    return reached


def stage_index(plan: EnablementPlan, stage: str | None) -> int:
    """The stage's position in the plan, -1 for a stage the plan does not have."""
    return next((i for i, s in enumerate(plan.stages) if s.key == stage), -1)


def progress(plan: EnablementPlan, items: Items, now: datetime) -> Progress:
    counted = [(s, definition(plan, s)) for s in (items[k] for k in _ordered_keys(plan, items))]
    counted = [(s, i) for s, i in counted if i is not None and s.status is not ItemStatus.REMOVED]
    required = [s for s, i in counted if i.required]
    done = sum(1 for s in required if s.status in SATISFIED)
    overdue = sum(1 for s, _ in counted
                  if s.status in WAITING and s.due_at is not None and s.due_at < now)
    under_way = [s for s, _ in counted if s.status in UNDER_WAY]
    # Due first; those without a due date after; the plan's order breaks ties (stable sort).
    under_way.sort(key=lambda s: (s.due_at is None, s.due_at or now))
    first = under_way[0] if under_way else None
    return Progress(
        required_total=len(required), required_done=done,
        percent=100 * done // len(required) if required else 100, overdue=overdue,
        next_key=first.key if first else None, next_due_at=first.due_at if first else None)


def initial_items(plan: EnablementPlan, activated_at: datetime) -> dict[str, ItemState]:
    """Every item of a plan as a partner starts it: locked, due by its offset from activation."""
    return {i.key: ItemState(i.key, due_at=item_due(i, activated_at)) for i in plan.items}


def reconcile(old_plan: EnablementPlan, new_plan: EnablementPlan, items: Items,
              activated_at: datetime, now: datetime | None = None
              ) -> tuple[dict[str, ItemState], PlanChange]:
    """The item states after a move from `old_plan` to `new_plan`, and what the move changed.

    Items both versions have keep their state (done stays done, an open one keeps its step). An
    item only the new version has comes in locked (openable() decides when it opens), due by its
    offset from activation, or that offset from `now` when that date has already passed: a new
    task is not overdue the moment it appears. An item the new version lacks is removed, unless
    it was done: that work happened and stays on the record (kept_done). Ad-hoc items stay.
    """
    result: dict[str, ItemState] = {}
    added, changed, removed, kept_done = [], [], [], []
    for item in new_plan.items:
        state = items.get(item.key)
        if state is None or state.status is ItemStatus.REMOVED:
            due = item_due(item, activated_at)
            if now is not None and due < now:
                due = now + item.due_after
            result[item.key] = ItemState(item.key, due_at=due)
            added.append(item.key)
            continue
        before = old_plan.item(item.key)
        kept = replace(state)
        if before is not None and (before.due_after, before.owner, before.evidence_form) != (
                item.due_after, item.owner, item.evidence_form):
            changed.append(item.key)
            if before.due_after != item.due_after and kept.status not in SATISFIED:
                kept.due_at = item_due(item, activated_at)
        result[item.key] = kept
    for key, state in items.items():
        if key in result:
            continue
        kept = replace(state)
        if state.ad_hoc is None and state.status is not ItemStatus.REMOVED:
            if state.status is ItemStatus.DONE:
                kept_done.append(key)
            else:
                kept.status = ItemStatus.REMOVED
                removed.append(key)
        result[key] = kept
    return result, PlanChange(old_plan.version, new_plan.version, tuple(added), tuple(removed),
                              tuple(kept_done), tuple(changed))


def _ordered_keys(plan: EnablementPlan, items: Items) -> list[str]:
    in_plan = [i.key for i in plan.items if i.key in items]
    return in_plan + [k for k in items if k not in set(in_plan)]
