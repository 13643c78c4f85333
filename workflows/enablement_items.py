"""The life of each plan item, one coroutine per item (asyncio tasks are deterministic in a
workflow): its partner step through the shared human-step pattern, a failed quiz or a returned
review opening the next round for the same person, the manager's review, what completion
applies (profile, logo, the addendum's signature, a certification), and for a certification its
renewal and its lapse.

Every step's id comes from its item, its kind and its round, so a continued-as-new run reopens
the same steps (the rows and mail are keyed: nothing is written twice) with their checkpoints
counted from the same due time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import enablement_notes as notes
    from domain import ids
    from domain.deadlines import Checkpoint, CheckpointKind, due_checkpoints
    from domain.enablement import (ACTIONABLE, CertificationState, CertificationStatus, ItemKind,
                                   ItemOwner, ItemStatus, in_language)
    from domain.enablement_rules import (certification_expires, holds_valid, openable,
                                         renewal_opens)
    from domain.enablement_writes import AddendumRequest
    from domain.onboarding import SignatureRecord
    from domain.quiz import QuizResult, score
    from domain.roles import Role
    from domain.steps import OpenStepInput
    from domain.tasks import TaskOutcome, TaskSpec
    from workflows.enablement_state import EnablementRecords, iso_day

REVIEW_DECISIONS = ("accept", "return")


class EnablementItems(EnablementRecords):
    def setup_items(self) -> None:
        self._runners: dict[str, asyncio.Task] = {}
        self._parked = 0
        self._specs: dict[str, TaskSpec] = {}           # each item's last partner step
        self._quiz: dict[str, dict[str, Any]] = {}      # each item's last quiz result
        self._agreements: dict[str, tuple[str, str]] = {}  # addendum item -> (id, SHA-256)

    # -- running the coroutines -----------------------------------------------------------------

    def start(self, name: str, work: Coroutine) -> None:
        self._runners[name] = asyncio.create_task(work)

    def all_parked(self) -> bool:
        """Every coroutine waits (on a person, a date, a signal) and nothing is being written:
        the moment a run can hand over to the next one losing nothing."""
        live = sum(1 for t in self._runners.values() if not t.done())
        return (live == self._parked + self.steps_waiting and self._in_flight == 0
                and not self._dirty and not self.has_unwritten_closes())

    async def park(self, condition: Callable[[], bool], timeout: timedelta | None = None) -> None:
        if timeout is not None and timeout <= timedelta(0):
            return
        self._parked += 1
        try:
            await workflow.wait_condition(condition, timeout=timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            self._parked -= 1

    def ready(self) -> list[str]:
        return openable(self._plan, self._state.items)

    def open_ready(self) -> None:
        for key in self.ready():
            self._state.items[key].status = ItemStatus.OPEN
            self._dirty = True
            self.start(key, self._work(key))

    def resume(self) -> None:
        """A continued-as-new run: what was under way goes on where it was."""
        for key, state in self._state.items.items():
            if state.status in ACTIONABLE and self.item_of(key) is not None:
                self.start(key, self._work(key, resumed=True))
        for index, cert in enumerate(self._state.certifications):
            if cert.status is CertificationStatus.VALID:
                self.start(f"lapse-{index}", self._lapse(index))
            if cert.status is not CertificationStatus.RENEWED:
                self.start(f"renew-{index}", self._renew(index))

    # -- one item ------------------------------------------------------------------------------

    async def _work(self, key: str, resumed: bool = False) -> None:
        item = self.item_of(key)
        state = self._state.items[key]
        state.round = state.round or 1
        if item.kind is ItemKind.FIRST_DEAL:
            await self.park(lambda: self._state.first_deal_id is not None
                            or state.status not in ACTIONABLE)
            if state.status in ACTIONABLE:
                self.line("enablement_task_done",
                          notes.FIRST_DEAL.format(deal=self._state.first_deal_id or ""))
                self._complete(key, "")
            return
        if item.owner is ItemOwner.CHANNEL_MANAGER:
            outcome = await self._manager_step(key)
            if outcome is not None:
                state.evidence = dict(self.payload_of(outcome.task_id))
                self._complete(key, outcome.decided_by)
            return
        await self._evidence(key, in_review=resumed and state.status is ItemStatus.IN_REVIEW)

    async def _evidence(self, key: str, in_review: bool) -> None:
        """Partner step, quiz, review, rounds, until accepted (or waived, or removed)."""
        item = self.item_of(key)
        state = self._state.items[key]
        while True:
            if not in_review:
                outcome = await self._partner_step(key)
                if outcome is None:
                    return
                actor = self.actor_of(outcome.task_id)
                state.evidence = dict(self.payload_of(outcome.task_id))
                state.submitted_by_id, state.submitted_by = outcome.decided_by_id, outcome.decided_by
                if item.kind is ItemKind.ADDENDUM and key in self._agreements:
                    agreement_id, sha256 = self._agreements[key]
                    self.apply_signature(SignatureRecord(
                        agreement_id, "partner", state.evidence.get("full_name", outcome.decided_by),
                        outcome.decided_at or workflow.now(), actor.ip, actor.user_agent, sha256))
                if item.quiz is not None:
                    result = score(item.quiz, state.evidence)
                    self._quiz[key] = result.as_dict()
                    if not result.passed:
                        self._failed_quiz(key, result, outcome.decided_by)
                        continue
                if item.review:
                    state.status = ItemStatus.IN_REVIEW
                    self.line("enablement_submitted", notes.SUBMITTED_FOR_REVIEW.format(
                        title=self.title(key), round=str(state.round)), outcome.decided_by)
            in_review = False
            if item.review:
                review = await self._review_step(key)
                if review is None:
                    return
                if review.decision == "return":
                    comment = str(self.payload_of(review.task_id).get("comment", "")).strip()
                    self._next_round(key, notes.RETURNED.format(
                        title=self.title(key), round=str(state.round + 1), comment=comment),
                        review.decided_by, comment)
                    continue
            self._complete(key, state.submitted_by, state.submitted_by_id)
            return

    def _failed_quiz(self, key: str, result: QuizResult, actor: str) -> None:
        state = self._state.items[key]
        note = notes.QUIZ_FAILED.format(title=self.title(key), score=str(result.percent),
                                        pass_mark=str(result.pass_percent),
                                        round=str(state.round + 1))
        self._next_round(key, note, actor, note)

    def _next_round(self, key: str, note: str, actor: str, comment: str) -> None:
        """Back to whoever did it, with the why, and at least a review's time to do it again."""
        state = self._state.items[key]
        state.round += 1
        state.status = ItemStatus.RETURNED
        state.note = comment[:1000]
        state.task_id = None
        fresh = workflow.now() + self._plan.timing.review_within
        if state.due_at is None or state.due_at < fresh:
            state.due_at = fresh
        self.line("enablement_returned", note, actor)

    def _complete(self, key: str, by: str, by_id: int | None = None) -> None:
        item = self.item_of(key)
        state = self._state.items[key]
        state.status = ItemStatus.DONE
        state.completed_at, state.completed_by = workflow.now(), by
        state.task_id, state.note = None, ""
        if item.kind is ItemKind.PROFILE:
            self.apply_profile(state.evidence)
        elif item.kind is ItemKind.LOGO:
            self.apply_logo(state.evidence.get("logo"))
        elif item.kind is ItemKind.CERTIFICATION and by_id is not None:
            self._issue(key, by_id, by, self._quiz.get(key, {}).get("percent"))
        self.line("enablement_task_done", notes.TASK_DONE.format(title=self.title(key)), by)

    # -- the steps -------------------------------------------------------------------------------

    def _context(self, key: str, **extra: Any) -> dict[str, Any]:
        state = self._state.items[key]
        context = {"item_key": key, "round": state.round, "plan_id": self._plan.plan_id,
                   "plan_version": self._plan.version, "titles": self.titles(key)}
        if key in self._quiz:
            context["quiz_result"] = self._quiz[key]
        return {**context, **extra}

    def _partner_points(self) -> tuple[list[Checkpoint], timedelta]:
        timing = self._plan.timing
        return due_checkpoints(timing.reminders_before, (
            (timedelta(0), Role.PARTNER_ADMIN),
            (timing.escalate_to_manager_after, Role.CHANNEL_MANAGER)))

    async def _partner_step(self, key: str) -> TaskOutcome | None:
        item = self.item_of(key)
        state = self._state.items[key]
        task_id = ids.task_id(self._wf_id, key, state.round)
        extra = {"returned_comment": state.note} if state.status is ItemStatus.RETURNED else {}
        spec = TaskSpec(
            task_id=task_id, workflow_id=self._wf_id, task_type=f"enablement_{item.kind.value}",
            form=item.evidence_form or "ad_hoc_evidence.v1", title=self.title(key)[:300],
            org_id=self._inp.org_id, due_at=state.due_at, assignee_org_id=self._inp.org_id,
            assignee_partner_role=(Role.PARTNER_ADMIN if item.owner is ItemOwner.PARTNER_ADMIN
                                   else None),
            assignee_user_id=state.assignee_user_id, context=self._context(key, **extra))
        earlier = self._specs.get(key)
        if earlier is not None and state.status is ItemStatus.RETURNED:
            # The shared mechanism's returned round: the same person, the reviewer's comment.
            spec = self.next_round(earlier, task_id, state.due_at, spec.context)
            state.assignee_user_id = spec.assignee_user_id
        self._specs[key] = spec
        state.task_id = task_id
        addendum = (AddendumRequest(item.addendum_template, in_language(self._plan.name, "en"))
                    if item.kind is ItemKind.ADDENDUM and item.addendum_template else None)

        async def opening(step: OpenStepInput) -> None:
            written = await self.write(step, addendum)
            if written.agreement_id:
                self._agreements[key] = (written.agreement_id, written.sha256 or "")

        points, lead = self._partner_points()
        return await self.human_step(spec, points, open_with=opening, anchor=state.due_at - lead)

    async def _review_step(self, key: str) -> TaskOutcome | None:
        state = self._state.items[key]
        task_id = ids.task_id(self._wf_id, f"{key}-review", state.round)
        if state.task_id != task_id or state.opened_at is None:
            state.opened_at = workflow.now()
        state.task_id = task_id
        within = self._plan.timing.review_within
        spec = TaskSpec(
            task_id=task_id, workflow_id=self._wf_id, task_type="evidence_review",
            form="evidence_review.v1", title=f"Review: {self.title(key)}"[:300],
            org_id=self._inp.org_id, due_at=state.opened_at + within,
            assignee_role=Role.CHANNEL_MANAGER,
            assignee_user_id=self._inp.channel_manager_user_id,
            context=self._context(key, evidence=state.evidence, submitted_by=state.submitted_by),
            decisions=REVIEW_DECISIONS)
        points = [Checkpoint(within / 2, CheckpointKind.REMIND, "half time"),
                  Checkpoint(within, CheckpointKind.ESCALATE, "deadline passed", moves_due=False)]
        return await self.human_step(spec, points, open_with=self.write, anchor=state.opened_at)

    async def _manager_step(self, key: str) -> TaskOutcome | None:
        """The kickoff call (or a manager's own ad-hoc task): the channel manager records it."""
        item = self.item_of(key)
        state = self._state.items[key]
        task_id = ids.task_id(self._wf_id, key, state.round)
        state.task_id = task_id
        spec = TaskSpec(
            task_id=task_id, workflow_id=self._wf_id, task_type=f"enablement_{item.kind.value}",
            form=item.evidence_form or "kickoff_record.v1", title=self.title(key)[:300],
            org_id=self._inp.org_id, due_at=state.due_at, assignee_role=Role.CHANNEL_MANAGER,
            assignee_user_id=self._inp.channel_manager_user_id, context=self._context(key))
        points, lead = due_checkpoints(self._plan.timing.reminders_before,
                                       ((timedelta(0), Role.PROGRAM_LEAD),))
        return await self.human_step(spec, points, open_with=self.write,
                                     anchor=state.due_at - lead)

    # -- certifications ----------------------------------------------------------------------------

    def _issue(self, key: str, user_id: int, holder: str, percent: int | None,
               renewing: CertificationState | None = None) -> None:
        rule = self.item_of(key).certification
        now = workflow.now()
        cert = CertificationState(rule.cert_key, user_id, holder, now,
                                  certification_expires(rule, now),
                                  item_key=key, score=percent)
        if renewing is not None:
            renewing.status = CertificationStatus.RENEWED
        self._state.certifications.append(cert)
        index = len(self._state.certifications) - 1
        name = self.cert_name(cert)
        self.line("certification_issued", notes.CERTIFICATION_ISSUED.format(
            name=in_language(name, "en"), holder=holder, until=iso_day(cert.expires_at)), holder)
        self.mail("certification_issued", "user", user_id, cert_names=name, holder=holder,
                  expires_at=cert.expires_at)
        self.start(f"lapse-{index}", self._lapse(index))
        self.start(f"renew-{index}", self._renew(index))

    async def _lapse(self, index: int) -> None:
        cert = self._state.certifications[index]
        await self.park(lambda: cert.status is not CertificationStatus.VALID,
                        timeout=cert.expires_at - workflow.now())
        if cert.status is not CertificationStatus.VALID:
            return
        cert.status = CertificationStatus.LAPSED
        state = self._state.items.get(cert.item_key)
        if (state is not None and state.status is ItemStatus.DONE
                and not holds_valid(self._state.certifications, cert.cert_key, workflow.now())):
            state.status = ItemStatus.LAPSED
        name = self.cert_name(cert)
        self.line("certification_lapsed", notes.CERTIFICATION_LAPSED.format(
            name=in_language(name, "en"), holder=cert.holder_name, date=iso_day(cert.expires_at)))
        self.mail("certification_lapsed", "admins_and_user", cert.user_id, cert_names=name,
                  holder=cert.holder_name, expires_at=cert.expires_at)

    async def _renew(self, index: int) -> None:
        """The holder's renewal: opens `renew_before` the expiry, stays open after a lapse (a
        pass then certifies them again), a failed quiz opens the next round."""
        cert = self._state.certifications[index]
        key = cert.item_key
        item = self.item_of(key)
        if item is None or item.certification is None:
            return
        opens = renewal_opens(item.certification, cert.expires_at)
        await self.park(lambda: cert.status is CertificationStatus.RENEWED,
                        timeout=opens - workflow.now())
        points, lead = self._partner_points()
        while cert.status is not CertificationStatus.RENEWED:
            cert.renewal_round = cert.renewal_round or 1
            spec = TaskSpec(
                task_id=ids.task_id(self._wf_id, f"{key}-renew{index}", cert.renewal_round),
                workflow_id=self._wf_id, task_type=f"enablement_{item.kind.value}",
                form=item.evidence_form or "ad_hoc_evidence.v1",
                title=f"Renew: {self.title(key)}"[:300], org_id=self._inp.org_id,
                due_at=cert.expires_at, assignee_org_id=self._inp.org_id,
                assignee_user_id=cert.user_id,
                context=self._context(key, round=cert.renewal_round, renewal=True,
                                      cert_key=cert.cert_key, holder=cert.holder_name))
            outcome = await self.human_step(spec, points, open_with=self.write,
                                            anchor=cert.expires_at - lead)
            if outcome is None:
                return
            result = (score(item.quiz, self.payload_of(outcome.task_id))
                      if item.quiz is not None else None)
            if result is not None and not result.passed:
                cert.renewal_round += 1
                self.line("enablement_returned", notes.QUIZ_FAILED.format(
                    title=self.title(key), score=str(result.percent),
                    pass_mark=str(result.pass_percent), round=str(cert.renewal_round)),
                    outcome.decided_by)
                continue
            self._issue(key, cert.user_id, cert.holder_name,
                        result.percent if result else None, renewing=cert)
            state = self._state.items.get(key)
            if state is not None and state.status is ItemStatus.LAPSED:
                state.status = ItemStatus.DONE
            self._dirty = True
            return
