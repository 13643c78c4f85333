"""EnablementWorkflow: one per partner (id enablement-<org_id>), started by activation, pinned to
the plan version in its input until a manager moves it.

Items open as their prerequisites are met (domain/enablement_rules.openable) and live as
coroutines (workflows/enablement_items.py) on the shared human-step pattern; the stage follows by
itself with every write (workflows/enablement_state.py). Managers change one partner's plan
through updates with validators (staff only, nothing reaches history when refused); each is
idempotent by its request id and runs no activity: the main loop writes what it changed.
It runs for years: it continues as new, carrying EnablementState, once Temporal suggests it (or
after the input's max_events), at a moment when every coroutine is parked and nothing is being
written, and the next run reopens its open steps with their timers.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import enablement_notes as notes
    from domain.enablement import (ACTIONABLE, AddTaskInput, EnablementInput,
                                   EnablementSnapshot, FirstDealApproved, ItemKind, ItemState,
                                   ItemStatus, MoveDueDateInput, MovePlanInput, PlanChange,
                                   PlanItem, UpdateResult, WaiveTaskInput)
    from domain.enablement_rules import WAITING, reconcile
    from domain.roles import Role, may_act_as
    from domain.tasks import Actor
    from workflows.enablement_items import EnablementItems
    from workflows.enablement_state import iso_day

LIVE = frozenset({ItemStatus.LOCKED}) | ACTIONABLE


@workflow.defn
class EnablementWorkflow(EnablementItems):
    @workflow.init
    def __init__(self, inp: EnablementInput) -> None:
        super().__init__()
        self.setup(inp)
        self.setup_items()
        # A continued run counts max_events from when its reopening settled (see below).
        self._settled_at: int | None = None if inp.carried is not None else 0

    @workflow.run
    async def run(self, inp: EnablementInput) -> EnablementSnapshot:
        if inp.carried is not None:
            self.resume()
        while not self._time_to_continue():
            self.open_ready()
            await asyncio.sleep(0)  # new items' coroutines open their steps, with the writes due
            if self._dirty:
                await self.write()
                continue
            try:
                await workflow.wait_condition(
                    lambda: self._dirty or bool(self.ready()) or self._time_to_continue(),
                    timeout=self._until_next_due())
            except asyncio.TimeoutError:
                self._dirty = True  # an item fell due: the board counts it overdue now
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and self.all_parked())
        workflow.continue_as_new(self.carry())

    def _until_next_due(self) -> timedelta | None:
        """Until the next open item falls due (the board's overdue count changes then)."""
        now = workflow.now()
        ahead = [s.due_at for s in self._state.items.values()
                 if s.status in WAITING and s.due_at is not None and s.due_at >= now]
        return min(ahead) - now + timedelta(seconds=1) if ahead else None

    def _time_to_continue(self) -> bool:
        """Temporal's suggestion, or (a test's) max_events since the run first settled: a
        continued run's own reopening does not count, or it would continue again at once."""
        if not self.all_parked():
            return False
        info = workflow.info()
        if not self._inp.max_events:
            return info.is_continue_as_new_suggested()
        if self._settled_at is None:
            self._settled_at = info.get_current_history_length()
        return info.get_current_history_length() - self._settled_at >= self._inp.max_events

    # -- the partner's plan, asked for ---------------------------------------------------------------

    @workflow.query
    def get_plan(self) -> EnablementSnapshot:
        return EnablementSnapshot(
            self._plan.plan_id, self._plan.version, self._state.stage,
            tuple(self._state.items.values()), tuple(self._state.certifications),
            run_events=workflow.info().get_current_history_length())

    @workflow.signal
    def first_deal_approved(self, deal: FirstDealApproved) -> None:
        """Sent by deal registration; the first one counts, repeats and later deals change nothing."""
        if self._state.first_deal_id is None:
            self._state.first_deal_id = deal.deal_id

    def handed_on(self, spec, req) -> None:
        for state in self._state.items.values():
            if state.task_id == spec.task_id:
                state.assignee_user_id, state.assignee_name = req.to_user_id, req.to_name
                self._dirty = True  # the board's "next owner" names them

    # -- managers' changes -------------------------------------------------------------------------

    @workflow.update
    def add_task(self, req: AddTaskInput) -> UpdateResult:
        if req.request_id in self._state.results:
            return self._state.results[req.request_id]
        number = 1 + sum(1 for s in self._state.items.values() if s.ad_hoc is not None)
        key = f"adhoc-{number}"
        item = PlanItem(key, ItemKind.CUSTOM, {"en": req.title.strip()}, req.owner, req.stage,
                        description={"en": req.description} if req.description else {},
                        required=req.required, due_after=req.due_at - workflow.now(),
                        evidence_form=req.evidence_form, review=req.review)
        self._state.items[key] = ItemState(key, due_at=req.due_at, ad_hoc=item)
        self.line("enablement_task_added", notes.TASK_ADDED.format(title=req.title.strip()),
                  req.actor.name)
        return self._answer(req.request_id, UpdateResult(key, ItemStatus.OPEN, req.due_at))

    @add_task.validator
    def validate_add_task(self, req: AddTaskInput) -> None:
        if req.request_id in self._state.results:
            return
        _staff_only(req.actor)
        if not req.title.strip():
            raise ValueError("the title must not be blank")
        self._future(req.due_at)
        if req.stage not in {s.key for s in self._plan.stages}:
            raise ValueError(f"unknown stage {req.stage!r}")

    @workflow.update
    def waive_task(self, req: WaiveTaskInput) -> UpdateResult:
        if req.request_id in self._state.results:
            return self._state.results[req.request_id]
        state = self._state.items[req.item_key]
        self._close_steps(state, notes.STEP_WAIVED.format())
        state.status, state.note = ItemStatus.WAIVED, req.reason.strip()[:1000]
        state.completed_at, state.completed_by = workflow.now(), req.actor.name
        self.line("enablement_waived", notes.WAIVED.format(
            title=self.title(req.item_key), reason=req.reason.strip()), req.actor.name)
        return self._answer(req.request_id, UpdateResult(req.item_key, state.status, state.due_at))

    @waive_task.validator
    def validate_waive_task(self, req: WaiveTaskInput) -> None:
        if req.request_id in self._state.results:
            return
        _staff_only(req.actor)
        self._live_item(req.item_key)
        if not req.reason.strip():
            raise ValueError("a waiver needs a reason")

    @workflow.update
    def move_due_date(self, req: MoveDueDateInput) -> UpdateResult:
        if req.request_id in self._state.results:
            return self._state.results[req.request_id]
        state = self._state.items[req.item_key]
        state.due_at = req.due_at
        if state.task_id is not None and state.status is not ItemStatus.IN_REVIEW:
            self.move_step_due(state.task_id, req.due_at)  # its reminders count from there
        self.line("enablement_due_moved", notes.DUE_MOVED.format(
            title=self.title(req.item_key), due=iso_day(req.due_at), reason=req.reason.strip()),
            req.actor.name)
        return self._answer(req.request_id, UpdateResult(req.item_key, state.status, state.due_at))

    @move_due_date.validator
    def validate_move_due_date(self, req: MoveDueDateInput) -> None:
        if req.request_id in self._state.results:
            return
        _staff_only(req.actor)
        self._live_item(req.item_key)
        self._future(req.due_at)

    @workflow.update
    def move_to_plan_version(self, req: MovePlanInput) -> PlanChange:
        if req.request_id in self._state.plan_changes:
            return self._state.plan_changes[req.request_id]
        items, change = reconcile(self._plan, req.plan, self._state.items,
                                  self._inp.activated_at, workflow.now())
        for key, state in items.items():
            before = self._state.items.get(key)
            if before is None or state is before:
                continue
            if state.status is ItemStatus.REMOVED:
                self._close_steps(before, notes.STEP_REMOVED.format())
            elif before.task_id and state.due_at != before.due_at:
                self.move_step_due(before.task_id, state.due_at)
        # The coroutines hold the item states: the same objects carry the new picture.
        for key, state in items.items():
            if key in self._state.items:
                vars(self._state.items[key]).update(vars(state))
            else:
                self._state.items[key] = state
            if state.status is ItemStatus.REMOVED:
                self._state.items[key].task_id = None  # its step was closed above
        self.switch_plan(req.plan)
        self.line("enablement_plan_moved", notes.PLAN_MOVED.format(
            old=str(change.from_version), new=str(change.to_version),
            added=str(len(change.added)), removed=str(len(change.removed)),
            changed=str(len(change.changed))), req.actor.name)
        self._state.plan_changes[req.request_id] = change
        return change

    @move_to_plan_version.validator
    def validate_move_to_plan_version(self, req: MovePlanInput) -> None:
        if req.request_id in self._state.plan_changes:
            return
        _staff_only(req.actor)
        if req.plan.plan_id != self._plan.plan_id:
            raise ValueError(f"a partner on plan {self._plan.plan_id!r} moves to another version "
                             f"of it, not to {req.plan.plan_id!r}")
        if req.plan.version == self._plan.version:
            raise ValueError(f"the partner is on version {req.plan.version} already")

    # -- helpers -----------------------------------------------------------------------------------

    def _answer(self, request_id: str, result: UpdateResult) -> UpdateResult:
        self._state.results[request_id] = result
        return result

    def _close_steps(self, state: ItemState, note: str) -> None:
        """The item's open step (its review too) closes: nobody needs to do it any more."""
        if state.task_id is not None:
            self.withdraw_step(state.task_id, note)
        state.task_id = None

    def _live_item(self, key: str) -> None:
        state = self._state.items.get(key)
        if state is None or self.item_of(key) is None or state.status not in LIVE:
            raise ValueError(f"no open plan item {key!r}")

    @staticmethod
    def _future(when: datetime) -> None:
        if when <= workflow.now():
            raise ValueError("the due date must be in the future")


def _staff_only(actor: Actor) -> None:
    if not may_act_as(actor.roles, Role.CHANNEL_MANAGER):
        raise ValueError("only a channel manager may change a partner's plan")

