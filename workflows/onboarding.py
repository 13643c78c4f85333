"""PartnerOnboardingWorkflow: apply, screen, review, sign, countersign, activate.

Every deadline is a durable timer here and every decision an update in this workflow's history.
Durations come from the program definition in the input, never from a file or the clock.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import ids, notes
    from domain.deadlines import (Checkpoint, CheckpointKind, due_after, escalating_checkpoints,
                                  expiry_checkpoints, review_checkpoints, simple_checkpoints)
    from domain.onboarding import (ActivationInput, ActivationResult, AgreementDocument,
                                   AgreementInput, MailInput, OnboardingInput, OnboardingStatus,
                                   RecordApplicationInput, ReviewDecision, ScreeningResult,
                                   SignatureRecord, Stage, StageChange, agreement_title)
    from domain.program import Countersign, ReviewFallback
    from domain.roles import Role
    from domain.steps import (AcceptApplicationInput, ActivatePartnerInput, IssueAgreementInput,
                              OpenStepInput)
    from domain.tasks import TaskOutcome, TaskSpec
    from workflows import calls
    from workflows.human_steps import HumanSteps
    from workflows.search import PROCESS_STAGE


# Changes since the saved histories of the first release (issue 8); runs recorded before each
# replay the old way. See tests/histories/MANIFEST.sha256 for the histories of both.
ROUND_LIMIT_PATCH = "round-limit-tells-everyone"      # the last round's question closes, and says so
COUNTERSIGN_PATCH = "countersign-escalates-then-notices"  # a later deadline after the escalation
ACTIVATION_PATCH = "activation-decides-taken-contact"  # Active only once activated; a taken email
                                                       # becomes a manager's task
UNASSIGNED_ACTIVATION_PATCH = "activation-assigned-to-nobody"  # no Assignee while it runs


@workflow.defn
class PartnerOnboardingWorkflow(HumanSteps):
    @workflow.init
    def __init__(self, inp: OnboardingInput) -> None:
        super().__init__()
        self._inp = inp
        self._application = dict(inp.application)
        self._stage = Stage.SUBMITTED
        self._details = notes.SUBMITTED.format()
        self._flags: tuple = ()
        self._events = 0
        self._decisions: list[str] = []

    @workflow.run
    async def run(self, inp: OnboardingInput) -> OnboardingStatus:
        if await self._review_until_decided():
            agreement = await self._partner_signs()
            if agreement is not None and await self._company_countersigns(agreement):
                await self._activate()
        await self.write_closed_steps()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.get_status()

    @workflow.query
    def get_status(self) -> OnboardingStatus:
        return OnboardingStatus(self._stage, self._details, self.open_task_id(), self._flags,
                                tuple(self._decisions))

    # -- review -----------------------------------------------------------------------------

    async def _review_until_decided(self) -> bool:
        """Loops through 'more information' rounds; True once approved."""
        rules = self._inp.program
        for attempt in range(1, rules.max_review_rounds + 1):
            stage = self._enter_stage(Stage.IN_REVIEW, notes.AWAITING_REVIEW.format(),
                                      publish=False)
            points = review_checkpoints(rules.review_sla, rules.review_escalation_grace)
            outcome = await self.human_step(self._task(
                "review", attempt, "review_application", "review_decision.v1",
                f"Review application {self._inp.reference}: {self._company}", points,
                role=Role.CHANNEL_MANAGER, context={"flags": [asdict(f) for f in self._flags],
                                                    "reference": self._inp.reference},
                decisions=tuple(ReviewDecision)), points,
                stage=stage, then=self._stage_after_review,
                # The first review opens with the application itself (one activity in all).
                open_with=self._accept_application if attempt == 1 else None)
            decision, reason, actor = self._review_result(outcome)
            self._decisions.append(f"review {attempt}: {decision} by {actor}")
            if decision == ReviewDecision.APPROVE:
                return True
            if decision == ReviewDecision.REJECT:
                await self.write_closed_steps()  # the rejected stage before the mail saying so
                await self._mail("application_rejected", to=self._contact_email, reason=reason)
                return False
            if decision == "expired":
                await self._mail("application_expired", to=self._contact_email)
                await self._mail("review_expired", to_role=Role.PROGRAM_LEAD)
                return False
            if attempt == rules.max_review_rounds and workflow.patched(ROUND_LIMIT_PATCH):
                await self._close_at_round_limit(attempt, reason, actor)
                return False
            if not await self._applicant_adds_information(attempt, reason, actor):
                return False
        # Runs before ROUND_LIMIT_PATCH: the applicant answered the last question for nothing.
        await self._set_stage(Stage.EXPIRED, notes.TOO_MANY_ROUNDS.format())
        return False

    async def _close_at_round_limit(self, rounds: int, question: str, asked_by: str) -> None:
        """The last round asked again: closed now, the applicant spared an answer nobody reads,
        and both sides told why (the timeline too)."""
        await self.write_closed_steps()
        await self._set_stage(Stage.EXPIRED, notes.ROUND_LIMIT_REACHED.format(rounds=str(rounds)))
        await self._mail("application_round_limit", to=self._contact_email, rounds=rounds,
                         question=question)
        await self._mail("review_round_limit", to_role=Role.CHANNEL_MANAGER, rounds=rounds,
                         question=question, asked_by=asked_by)

    async def _accept_application(self, review: OpenStepInput) -> None:
        """Recorded, screened, confirmed to the applicant, its review opened: one activity."""
        screening = await calls.remote("accept_application", AcceptApplicationInput(
            RecordApplicationInput(self._inp.org_id, self._inp.reference, self._wf_id,
                                   self._application, self._inp.locale),
            self._mail_input("application_received", to=self._contact_email), review),
            ScreeningResult)
        self._flags = screening.flags

    def _stage_after_review(self, outcome: TaskOutcome | None) -> StageChange | None:
        """Written with the closed review task; more information opens a step of its own."""
        decision, reason, actor = self._review_result(outcome)
        if decision == ReviewDecision.APPROVE:
            return self._enter_stage(Stage.AGREEMENT_OUT, notes.APPROVED.format(actor=actor),
                                     actor, action="approved", publish=False)
        if decision == ReviewDecision.REJECT:
            return self._enter_stage(Stage.REJECTED, reason, actor, publish=False)
        if decision == "expired":
            return self._enter_stage(Stage.EXPIRED, notes.REVIEW_DEADLINE_PASSED.format(),
                                     publish=False)
        return None

    def _review_result(self, outcome: TaskOutcome | None) -> tuple[str, str, str]:
        if outcome is not None:
            payload = self.payload_of(outcome.task_id)
            return outcome.decision, payload.get("reason", ""), outcome.decided_by
        fallback = self._inp.program.review_fallback
        if fallback == ReviewFallback.APPROVE:
            return ReviewDecision.APPROVE, "", notes.REVIEW_DEADLINE.format()
        if fallback == ReviewFallback.REJECT:
            return (ReviewDecision.REJECT, notes.NOT_REVIEWED_IN_TIME.format(),
                    notes.SYSTEM.format())
        return "expired", "", notes.SYSTEM.format()

    async def _applicant_adds_information(self, attempt: int, question: str, asked_by: str) -> bool:
        stage = self._enter_stage(Stage.MORE_INFO,
                                  notes.MORE_INFO_REQUESTED.format(question=question),
                                  asked_by, publish=False)
        points = simple_checkpoints(self._inp.program.more_info_sla)
        outcome = await self.human_step(self._task(
            "more-info", attempt, "edit_application", "partner_application.v1",
            f"Add the information requested for {self._inp.reference}", points,
            partner=True, context={"question": question, "asked_by": asked_by,
                                   "application": self._application}), points, stage=stage,
            then=self._expired_unless_done(notes.MORE_INFO_LATE.format()))
        if outcome is None:
            await self._mail("application_expired", to=self._contact_email)
            return False
        self._application = dict(self.payload_of(outcome.task_id))
        screening = await calls.local("update_application", RecordApplicationInput(
            self._inp.org_id, self._inp.reference, self._wf_id, self._application, self._inp.locale),
            ScreeningResult)
        self._flags = screening.flags
        return True

    # -- agreement ------------------------------------------------------------------------------

    async def _partner_signs(self) -> AgreementDocument | None:
        """The agreement, once the partner signed it; None when it expired unsigned."""
        rules = self._inp.program
        title = agreement_title(self._application)
        stage = self._enter_stage(Stage.AGREEMENT_OUT,
                                  notes.AWAITING_SIGNATURE.format(title=title), publish=False)
        points = expiry_checkpoints(rules.signature_expiry, rules.signature_reminders_before)
        issued: list[AgreementDocument] = []

        async def issue(signing: OpenStepInput) -> None:
            # The document and its signing step in one activity, with the approval's close.
            issued.append(await calls.remote("issue_agreement", IssueAgreementInput(
                AgreementInput(self._inp.org_id, self._wf_id, rules.agreement_template, rules.name,
                               self._application), signing), AgreementDocument))

        outcome = await self.human_step(self._task(
            "sign", 1, "sign_agreement", "sign_agreement.v1", f"Sign {title}", points,
            partner=True, context={"agreement_id": ids.agreement_id(self._wf_id)}),
            points, stage=stage, open_with=issue,
            then=self._expired_unless_done(notes.SIGNATURE_EXPIRED.format()))
        agreement = issued[0]
        if outcome is None:
            await self._mail("agreement_expired", to_role=Role.CHANNEL_MANAGER)
            await self._mail("agreement_expired_partner", to=self._contact_email)
            return None
        await self._record_signature(agreement, "partner", outcome)
        return agreement

    async def _company_countersigns(self, agreement: AgreementDocument) -> bool:
        rules = self._inp.program
        if rules.countersign == Countersign.AUTOMATIC:
            await calls.local("record_signature", SignatureRecord(
                agreement.agreement_id, "company",
                notes.AUTOMATIC_COUNTERSIGNATURE.format(program=rules.name), workflow.now(),
                sha256=agreement.sha256))
            return True
        stage = self._enter_stage(Stage.COUNTERSIGN, notes.AWAITING_COUNTERSIGNATURE.format(),
                                  publish=False)
        # Escalate but never expire: a partner who signed must not lose the agreement to our delay.
        if workflow.patched(COUNTERSIGN_PATCH):
            points = escalating_checkpoints(rules.countersign_sla, rules.review_escalation_grace)
        else:  # the first release: the escalation's new deadline was the deadline it passed
            points = [p for p in review_checkpoints(rules.countersign_sla,
                                                    rules.review_escalation_grace)
                      if p.kind != CheckpointKind.FALLBACK]
        outcome = await self.human_step(self._task(
            "countersign", 1, "countersign", "countersign.v1", f"Countersign {agreement.title}",
            points, role=Role.CHANNEL_MANAGER, context={"agreement_id": agreement.agreement_id,
                                                        "sha256": agreement.sha256}),
            points, stage=stage)
        assert outcome is not None  # no fallback checkpoint: only a decision ends the wait
        await self._record_signature(agreement, "company", outcome)
        return True

    async def _record_signature(self, agreement: AgreementDocument, party: str,
                                outcome: TaskOutcome) -> None:
        actor = self.actor_of(outcome.task_id)
        await calls.local("record_signature", SignatureRecord(
            agreement.agreement_id, party, self.payload_of(outcome.task_id)["full_name"],
            outcome.decided_at or workflow.now(), actor.ip, actor.user_agent, agreement.sha256))
        self._decisions.append(f"{party} signed: {outcome.decided_by}")

    # -- activation -------------------------------------------------------------------------------

    async def _activate(self) -> None:
        app = self._application
        if not workflow.patched(ACTIVATION_PATCH):
            # The first release: the stage before the activation, so a taken email stranded it.
            await self._set_stage(Stage.ACTIVE, notes.ACTIVE.format())
            await calls.remote("activate_organisation", self._activation(app["contact_name"],
                                                                         app["contact_email"]))
            return
        name, email = app["contact_name"], app["contact_email"]
        for attempt in itertools.count(1):
            if workflow.patched(UNASSIGNED_ACTIVATION_PATCH):
                # No step is open while activation runs, and it may retry its mail for hours:
                # ops filters must not show the countersignature as someone's due task meanwhile.
                self.publish_stage(None)
            # Active is written with the user and the invitation, or not at all: whoever follows
            # the set-password link finds an active partner, and nobody else sees Active early.
            active = self._stage_record(Stage.ACTIVE, notes.ACTIVE.format())
            result = await calls.remote("activate_partner", ActivatePartnerInput(
                self._activation(name, email), active, self.take_closing()), ActivationResult)
            if result.activated:
                self._show_stage(Stage.ACTIVE, notes.ACTIVE.format())
                self.publish_stage(active)
                return
            name, email = await self._manager_names_contact(attempt, result.taken_email)

    async def _manager_names_contact(self, attempt: int, taken_email: str) -> tuple[str, str]:
        """The contact's email has an account, and an account belongs to one organisation: a
        channel manager names another person. Escalates, never expires (both have signed)."""
        rules = self._inp.program
        stage = self._enter_stage(Stage.AWAITING_CONTACT,
                                  notes.CONTACT_HAS_ACCOUNT.format(email=taken_email), publish=False)
        points = escalating_checkpoints(rules.contact_sla, rules.review_escalation_grace)
        outcome = await self.human_step(self._task(
            "contact", attempt, "invite_contact", "partner_contact.v1",
            f"Invite a different contact for {self._company}", points, role=Role.CHANNEL_MANAGER,
            context={"taken_email": taken_email, "reference": self._inp.reference}),
            points, stage=stage)
        assert outcome is not None  # no fallback checkpoint: only a decision ends the wait
        contact = self.payload_of(outcome.task_id)
        self._decisions.append(f"contact {attempt}: {contact['contact_email']} by "
                               f"{outcome.decided_by}")
        return contact["contact_name"], contact["contact_email"]

    def _activation(self, name: str, email: str) -> ActivationInput:
        return ActivationInput(self._inp.org_id, self._wf_id, name, email,
                               int(self._inp.program.invitation_ttl.total_seconds()),
                               self._inp.locale)

    # -- helpers ----------------------------------------------------------------------------------

    def _task(self, step: str, attempt: int, task_type: str, form: str, title: str,
              points: list[Checkpoint], *, role: str | None = None, partner: bool = False,
              context: dict | None = None, decisions: tuple[str, ...] = ()) -> TaskSpec:
        # A staff step after a staff decision opens held by that manager (HumanSteps.owned):
        # the second review after more information, the countersignature, a new contact.
        return self.owned(TaskSpec(
            task_id=ids.task_id(self._wf_id, step, attempt), workflow_id=self._wf_id,
            task_type=task_type, form=form, title=title, org_id=self._inp.org_id,
            due_at=workflow.now() + due_after(points), assignee_role=role,
            assignee_org_id=self._inp.org_id if partner else None,
            assignee_email=self._contact_email if partner else None, context=context or {},
            decisions=decisions))

    def _enter_stage(self, stage: Stage, details: str, actor: str = notes.SYSTEM.format(),
                     action: str = "", publish: bool = True) -> StageChange:
        """The stage in the workflow's own state; the caller writes the returned record, alone
        (_set_stage) or with the task row of the step that begins here (human_step). The stage
        of a step, and the stage a decision leads to (a step's `then`), are published to search
        by human_step when their rows are written, in one upsert with anything else that changes
        then (publish=False): a stage the next step supersedes at once is never published."""
        change = self._stage_record(stage, details, actor, action)
        self._show_stage(stage, details)
        if publish:
            workflow.upsert_search_attributes([PROCESS_STAGE.value_set(stage.value)])
        return change

    def _stage_record(self, stage: Stage, details: str, actor: str = notes.SYSTEM.format(),
                      action: str = "") -> StageChange:
        """The record of a stage, not yet the workflow's own (activation enters it only once an
        activity confirms it happened)."""
        self._events += 1
        return StageChange(f"{self._wf_id}/stage/{self._events}", self._inp.org_id, stage,
                           details[:1000], actor, action)

    def _show_stage(self, stage: Stage, details: str) -> None:
        self._stage, self._details = stage, details
        workflow.set_current_details(notes.CURRENT_DETAILS.format(stage=stage.value,
                                                                  details=details))

    def _expired_unless_done(self, details: str):
        """A step's `then`: a missed deadline ends the application, a decision leads on."""
        return lambda outcome: None if outcome else self._enter_stage(Stage.EXPIRED, details,
                                                                      publish=False)

    async def _set_stage(self, stage: Stage, details: str, actor: str = notes.SYSTEM.format(),
                         action: str = "") -> None:
        await calls.local("set_stage", self._enter_stage(stage, details, actor, action))

    async def _mail(self, template: str, to: str | None = None, to_role: str | None = None,
                    **context) -> None:
        await calls.remote("send_mail", self._mail_input(template, to, to_role, **context))

    def _mail_input(self, template: str, to: str | None = None, to_role: str | None = None,
                    **context) -> MailInput:
        context.update(org_id=self._inp.org_id, reference=self._inp.reference, company=self._company,
                       contact_name=self._application.get("contact_name", ""))
        return MailInput(key=ids.mail_key(self._wf_id, f"{template}/{self._events}"), to=to,
                         to_role=to_role, template=template, context=context,
                         locale=self._inp.locale)

    @property
    def _wf_id(self) -> str:
        return workflow.info().workflow_id

    @property
    def _company(self) -> str:
        return self._application.get("company_name", "")

    @property
    def _contact_email(self) -> str:
        return self._application.get("contact_email", "")
