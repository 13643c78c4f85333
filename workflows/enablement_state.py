"""The enablement workflow's picture of one partner, and the one write that records it.

EnablementRecords keeps the plan, the items and certifications (EnablementState, carried by
continue-as-new) and what is waiting to be written: timeline lines, mail, what a completed item
applies. `write()` sends it all in one activity (domain/enablement_writes.py), with the stage
worked out again first, so every change of stage is recorded once, wherever it came from.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import enablement_notes as notes
    from domain import ids
    from domain.enablement import (CertificationState, EnablementInput, EnablementPlan,
                                   EnablementState, ItemState, PlanItem, in_language)
    from domain.enablement_rules import definition, initial_items, progress, stage_index, stage_reached
    from domain.enablement_writes import (AddendumRequest, CertificationRow, EnablementMail,
                                          EnablementWrite, EnablementWritten, ItemRow, PlanRow,
                                          TimelineLine)
    from domain.notes import SYSTEM
    from domain.onboarding import SignatureRecord
    from domain.steps import OpenStepInput
    from workflows import calls
    from workflows.human_steps import HumanSteps
    from workflows.search import PROCESS_STAGE


KEPT_ANSWERS = 200  # update answers a continued run keeps, for repeats of recent requests


class EnablementRecords(HumanSteps):
    def setup(self, inp: EnablementInput) -> None:
        self._inp = inp
        carried = inp.carried
        self._plan: EnablementPlan = (carried.plan if carried and carried.plan else inp.plan)
        self._state = carried or EnablementState(
            items=initial_items(inp.plan, inp.activated_at), certifications=[],
            stage=inp.plan.stages[0].key)
        self._dirty = True   # the first run writes its rows at once; a continued one re-states them
        self._in_flight = 0
        self._lines: list[TimelineLine] = []
        self._mails: list[EnablementMail] = []
        self._profile: dict[str, Any] | None = None
        self._logo: str | None = None
        self._signature: SignatureRecord | None = None
        self._earlier: dict[str, PlanItem] = {}  # items of the versions this run moved from

    def switch_plan(self, plan: EnablementPlan) -> None:
        self._earlier.update({i.key: i for i in self._plan.items})
        self._plan = plan

    # -- reading ------------------------------------------------------------------------------

    @property
    def _wf_id(self) -> str:
        return workflow.info().workflow_id

    def item_of(self, key: str) -> PlanItem | None:
        return definition(self._plan, self._state.items[key])

    def title(self, key: str) -> str:
        item = self.item_of(key)
        return in_language(item.title, "en") if item is not None else key

    def titles(self, key: str) -> dict[str, str]:
        item = self.item_of(key)
        return dict(item.title) if item is not None else {"en": key}

    # -- what the next write carries -------------------------------------------------------------

    def line(self, action: str, note: str, actor: str = "") -> None:
        self._state.events += 1
        self._lines.append(TimelineLine(f"{self._wf_id}/e/{self._state.events}", action,
                                        note[:1000], (actor or SYSTEM.format())[:200]))
        self._dirty = True

    def mail(self, template: str, to: str, user_id: int | None = None, **context: Any) -> None:
        self._state.events += 1
        context.update(company=self._inp.company, reference=self._inp.reference)
        self._mails.append(EnablementMail(ids.mail_key(self._wf_id, f"{template}/"
                                                                    f"{self._state.events}"),
                                          template, to, user_id, context))
        self._dirty = True

    def apply_profile(self, payload: dict[str, Any]) -> None:
        self._profile = dict(payload)

    def apply_logo(self, file_id: str | None) -> None:
        self._logo = file_id

    def apply_signature(self, signature: SignatureRecord) -> None:
        self._signature = signature

    # -- the write ---------------------------------------------------------------------------------

    async def write(self, open_step: OpenStepInput | None = None,
                    addendum: AddendumRequest | None = None) -> EnablementWritten:
        self._dirty = False
        self._restage()
        self._state.revision += 1
        closing = self.take_closing()
        if open_step is not None:
            closing = open_step.closing + closing
            open_step = dataclasses.replace(open_step, closing=())
        write = EnablementWrite(
            self._inp.org_id, self._wf_id, self._state.revision, self._plan_row(),
            self._item_rows(), closing, open_step, addendum, tuple(self._lines),
            tuple(self._cert_row(c) for c in self._state.certifications), tuple(self._mails),
            self._profile, self._logo, self._signature)
        self._lines, self._mails = [], []
        self._profile = self._logo = self._signature = None
        self._in_flight += 1
        try:
            return await calls.remote("enablement_write", write, EnablementWritten)
        finally:
            self._in_flight -= 1

    def _restage(self) -> None:
        """The stage the items reach now; a change is a timeline line and a mail to the
        partner's admins, whichever way it goes (a lapsed certification takes it back)."""
        stage = stage_reached(self._plan, self._state.items, self._state.certifications,
                              workflow.now())
        before = self._state.stage
        if stage == before:
            return
        self._state.stage = stage
        forward = stage_index(self._plan, stage) > stage_index(self._plan, before)
        titles = next((dict(s.title) for s in self._plan.stages if s.key == stage), {"en": stage})
        phrase = notes.STAGE_REACHED if forward else notes.STAGE_BACK
        self.line("enablement_stage", phrase.format(stage=in_language(titles, "en")))
        self.mail("enablement_stage", "admins", stage_titles=titles, forward=forward)
        self._dirty = False  # written by the write under way
        workflow.upsert_search_attributes([PROCESS_STAGE.value_set(stage)])

    def _plan_row(self) -> PlanRow:
        now = workflow.now()
        done = progress(self._plan, self._state.items, now)
        owner = ""
        if done.next_key is not None:
            state = self._state.items[done.next_key]
            item = self.item_of(done.next_key)
            owner = state.assignee_name or (item.owner.value if item is not None else "")
        # What ops reads on the workflow's page (DESIGN.md section 4).
        workflow.set_current_details(f"stage {self._state.stage}: {done.required_done} of "
                                     f"{done.required_total} required tasks done, "
                                     f"{done.overdue} overdue (plan {self._plan.plan_id} "
                                     f"v{self._plan.version})")
        return PlanRow(self._plan.plan_id, self._plan.version, self._state.stage,
                       done.required_total, done.required_done, done.percent, done.overdue,
                       done.next_key, done.next_due_at, owner[:200], self._inp.activated_at)

    def _item_rows(self) -> tuple[ItemRow, ...]:
        rows = []
        for position, (key, state) in enumerate(self._state.items.items()):
            # An item the plan no longer has keeps its row (removed, or done before the move).
            item = self.item_of(key) or self._earlier.get(key)
            if item is None:
                continue
            rows.append(ItemRow(
                key, item.kind.value, self.title(key)[:300], position, item.stage,
                item.owner.value, item.required, state.status.value, state.due_at,
                state.assignee_user_id, state.task_id, state.round, state.completed_at,
                state.completed_by[:200], state.note[:1000], state.evidence))
        return tuple(rows)

    def cert_name(self, cert: CertificationState) -> dict[str, str]:
        item = self.item_of(cert.item_key) if cert.item_key in self._state.items else None
        rule = item.certification if item is not None else None
        return dict(rule.name) if rule is not None else {"en": cert.cert_key}

    def _cert_row(self, cert: CertificationState) -> CertificationRow:
        return CertificationRow(cert.cert_key, cert.user_id,
                                in_language(self.cert_name(cert), "en")[:200], cert.issued_at,
                                cert.expires_at, cert.status.value, cert.score)

    def carry(self) -> EnablementInput:
        """What the next run starts from: this run's state, the plan it is on now."""
        # Repeats of an update come within minutes, not runs later: the newest answers suffice.
        results = dict(list(self._state.results.items())[-KEPT_ANSWERS:])
        changes = dict(list(self._state.plan_changes.items())[-KEPT_ANSWERS:])
        state = dataclasses.replace(self._state, plan=self._plan, results=results,
                                    plan_changes=changes)
        return dataclasses.replace(self._inp, carried=state)


def iso_day(moment: datetime) -> str:
    return moment.date().isoformat()
