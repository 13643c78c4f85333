"""The enablement workflow's writes: one activity per round trip (DESIGN.md section 4).

`enablement_write` records one moment of a partner's plan in one transaction, then sends its
mail: the closes of decided steps, the partner's board row and item rows as of the workflow's
revision (a stale retry, with a lower one, leaves a newer picture alone), the step that opens
now (its addendum rendered first, through recruitment's agreement machinery), certifications,
timeline lines, what a completed item applies to the organisation, and the mail. Everything but
the rows of the picture is keyed, so a retry writes each thing once.

`start_enablement` starts a partner's workflow after activation, on the newest plan for its
partner type; an already started one is left as it is, so a retry starts nothing new.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity

from activities.outbox import Outbox
from activities.partner_people import partner_user, partner_users, recipients
from activities.recruitment import RecruitmentActivities, timeline_line, write_signature
from activities.steps import StepActivities, close_step_rows
from db.models import (Certification, EnablementItem, EnablementPlan as PlanRowModel,
                       Organisation, StoredFile, Task, utcnow)
from definitions.loader import DefinitionError
from definitions.plans import plan_for_partner_type
from domain import ids
from domain.enablement import EnablementInput, StartEnablementInput
from domain.enablement_notes import ADDENDUM_TITLE
from domain.enablement_writes import EnablementWrite, EnablementWritten
from domain.onboarding import AgreementInput
from domain.roles import Role
from domain.tasks import ACTIVE_STATUSES
from settings import Settings
from workflows.start import start_enablement

log = logging.getLogger(__name__)


class EnablementActivities:
    def __init__(self, outbox: Outbox, settings: Settings,
                 recruitment: RecruitmentActivities) -> None:
        self._outbox = outbox
        self._settings = settings
        self._recruitment = recruitment
        self.steps: StepActivities | None = None  # set by build_activities (they start us)

    @activity.defn(name="enablement_write")
    async def enablement_write(self, inp: EnablementWrite) -> EnablementWritten:
        return await self._outbox.write_and_deliver(lambda session: self._write(session, inp))

    @activity.defn(name="start_enablement")
    async def start_enablement(self, inp: StartEnablementInput) -> str:
        """The workflow id; starting twice starts it once."""
        org = await self._outbox.in_transaction(lambda s: _snapshot(s, inp.org_id))
        try:
            plan = plan_for_partner_type(org["partner_type"])
        except DefinitionError:  # no plan lists the type: nothing to start (activation stands)
            log.warning("no enablement plan for partner type %r", org["partner_type"])
            return ""
        workflow_input = EnablementInput(
            org_id=inp.org_id, reference=org["reference"], company=org["name"],
            partner_type=org["partner_type"], locale=org["locale"], plan=plan,
            activated_at=org["activated_at"] or utcnow(),
            channel_manager_user_id=org["channel_manager_user_id"])
        await start_enablement(activity.client(), self._settings.temporal_task_queue,
                                        workflow_input)
        return ids.enablement_workflow_id(inp.org_id)

    # -- the write ----------------------------------------------------------------------------

    def _write(self, session: Session, inp: EnablementWrite) -> tuple[EnablementWritten, list[str]]:
        for closing in inp.closing:
            close_step_rows(session, closing)
        org = session.get(Organisation, inp.org_id)
        written = EnablementWritten()
        keys: list[str] = []
        if inp.signature is not None:
            write_signature(session, inp.signature)
        if inp.profile is not None:
            org.profile = inp.profile
        if inp.logo_file_id and session.get(StoredFile, inp.logo_file_id) is not None:
            org.logo_file_id = inp.logo_file_id  # only a stored file (the upload's own row)
        self._write_picture(session, inp)
        for cert in inp.certifications:
            _write_certification(session, inp, cert)
        for line in inp.timeline:
            timeline_line(session, line.key, inp.org_id, inp.workflow_id, line.action, line.note,
                          line.actor)
        step = inp.open_step
        if step is not None and inp.addendum is not None:
            document = self._recruitment.write_agreement(session, AgreementInput(
                inp.org_id, inp.workflow_id, inp.addendum.template, inp.addendum.program_name,
                org.application, title=ADDENDUM_TITLE.format(company=org.name)))
            task = dataclasses.replace(step.task, context={
                **step.task.context, "agreement_id": document.agreement_id,
                "sha256": document.sha256})
            step = dataclasses.replace(step, task=task)
            written = EnablementWritten(document.agreement_id, document.sha256)
        if step is not None:
            keys += self.steps.open_rows(session, step)
        for mail in inp.mails:
            keys += self._mail(session, inp, mail)
        return written, keys

    def _write_picture(self, session: Session, inp: EnablementWrite) -> None:
        """The board row and the item rows, unless a newer revision is there already."""
        row = session.get(PlanRowModel, inp.org_id)
        if row is not None and row.revision >= inp.revision and row.workflow_id == inp.workflow_id:
            return
        plan = inp.plan
        if row is None:
            row = PlanRowModel(org_id=inp.org_id, workflow_id=inp.workflow_id,
                               started_at=plan.started_at)
            session.add(row)
        row.plan_id, row.plan_version, row.stage = plan.plan_id, plan.plan_version, plan.stage
        row.required_total, row.required_done = plan.required_total, plan.required_done
        row.percent_done, row.overdue_count = plan.percent, plan.overdue
        row.next_due_at, row.next_item_key = plan.next_due_at, plan.next_item_key
        row.next_owner, row.revision, row.updated_at = plan.next_owner, inp.revision, utcnow()
        existing = {i.item_key: i for i in session.scalars(
            select(EnablementItem).where(EnablementItem.org_id == inp.org_id))}
        for item in inp.items:
            found = existing.get(item.key)
            if found is None:
                found = EnablementItem(id=f"{inp.workflow_id}--{item.key}", org_id=inp.org_id,
                                       workflow_id=inp.workflow_id, item_key=item.key)
                session.add(found)
            found.kind, found.title, found.position = item.kind, item.title, item.position
            found.stage, found.owner, found.required = item.stage, item.owner, item.required
            found.status, found.due_at, found.task_id = item.status, item.due_at, item.task_id
            # Someone the database knows: an assignee is the web app's word (a foreign key).
            found.assignee_user_id = (item.assignee_user_id
                                      if partner_user(session, inp.org_id, item.assignee_user_id)
                                      else None)
            found.round, found.completed_at = item.round, item.completed_at
            found.completed_by, found.note = item.completed_by, item.note
            found.evidence, found.updated_at = item.evidence, utcnow()
            if item.task_id and item.status in ("open", "returned") and item.due_at:
                _due_of_step(session, item.task_id, item.due_at)  # a moved due date shows

    def _mail(self, session: Session, inp: EnablementWrite, mail) -> list[str]:
        admins = partner_users(session, inp.org_id, Role.PARTNER_ADMIN)
        person = partner_user(session, inp.org_id, mail.user_id)
        people = {"admins": admins, "user": [person] if person else admins,
                  "admins_and_user": admins + ([person] if person and person not in admins
                                               else [])}[mail.to]
        if not people:
            return []
        context = {**mail.context, "link": f"{self._settings.base_url}/portal/"}
        return self._outbox.enqueue(session, mail.key, recipients(people), mail.template,
                                    context, inp.org_id)


def _due_of_step(session: Session, task_id: str, due_at) -> None:
    task = session.get(Task, task_id)
    if task is not None and task.status in ACTIVE_STATUSES and task.due_at != due_at:
        task.due_at = due_at


def _write_certification(session: Session, inp: EnablementWrite, cert) -> None:
    found = session.scalar(select(Certification).where(
        Certification.user_id == cert.user_id, Certification.cert_key == cert.cert_key,
        Certification.issued_at == cert.issued_at))
    if found is None:
        found = Certification(org_id=inp.org_id, user_id=cert.user_id, cert_key=cert.cert_key,
                              issued_at=cert.issued_at, workflow_id=inp.workflow_id)
        session.add(found)
    found.name, found.expires_at = cert.name, cert.expires_at
    found.status, found.score = cert.status, cert.score


def _snapshot(session: Session, org_id: str) -> dict:
    org = session.get(Organisation, org_id)
    return {"reference": org.reference, "name": org.name, "partner_type": org.partner_type,
            "locale": org.locale, "activated_at": org.activated_at,
            "channel_manager_user_id": org.channel_manager_user_id}
