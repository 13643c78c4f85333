"""EnablementWorkflow under time skipping: real activities, SQLite, SMTP (tests/workflows/conftest.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from db.models import Task, Agreement, Certification, Organisation, Signature, TimelineEvent
from definitions.plans import load_plan
from domain import ids
from domain.enablement import (AddTaskInput, EnablementInput, FirstDealApproved, ItemOwner,
                               MoveDueDateInput, MovePlanInput, WaiveTaskInput)
from tests.workflows.conftest import MANAGER, signed_by_both
from tests.workflows.enablement_paths import PROFILE, quiz_answers, run_to_certified
from workflows.enablement import EnablementWorkflow
from workflows.start import start_enablement


def timeline(harness, org_id: str) -> list[tuple[str, str]]:
    with harness.sessions() as s:
        return [(e.action, e.note) for e in s.scalars(
            select(TimelineEvent).where(TimelineEvent.org_id == org_id)
            .order_by(TimelineEvent.id))]


async def test_a_plan_runs_to_certified(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    await run_to_certified(harness, handle, partner)
    board = await harness.board(partner.org_id, "certified")
    assert (board.required_done, board.required_total, board.percent_done) == (7, 7, 100)
    with harness.sessions() as s:
        org = s.get(Organisation, partner.org_id)
        assert org.profile["city"] == "Shanghai" and org.logo_file_id is not None
        addendum = s.scalar(select(Agreement).where(Agreement.workflow_id == handle.id))
        assert addendum.title.startswith("Program addendum: ")
        assert s.scalar(select(Signature).where(Signature.agreement_id == addendum.id)).full_name \
            == partner.admin.name
        cert = s.scalar(select(Certification).where(Certification.org_id == partner.org_id))
        assert (cert.user_id, cert.name, cert.status) == (partner.user.user_id, "Sales Associate",
                                                          "valid")
        assert (cert.expires_at - cert.issued_at).days == 365
    stages = [note for action, note in timeline(harness, partner.org_id)
              if action == "enablement_stage"]
    assert stages == ["Enablement stage reached: Enabled", "Enablement stage reached: Certified"]
    # Sent once the rows are committed: waited for, not expected at once.
    await harness.smtp.arrival(lambda m: partner.admin_email in m.recipients and m.subject
                               == f"{partner.company} is now in enablement stage Certified")
    await harness.smtp.arrival(lambda m: partner.user_email in m.recipients
                               and m.subject == "Certified: Sales Associate")
    # A second "first deal" changes nothing: the first one counted.
    await handle.signal("first_deal_approved", FirstDealApproved("deal-2", board.updated_at))
    snapshot = await handle.query(EnablementWorkflow.get_plan)
    assert snapshot.stage == "certified"
    assert [s.status for s in snapshot.items if s.key == "first_deal"] == ["done"]
    await harness.stop(handle)


async def test_managers_add_waive_and_move_due_dates_and_validators_refuse(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    profile = await harness.step(handle, "profile")
    now = await harness.env.get_current_time()
    manager = harness.staff(MANAGER)

    async def refused(update, request, message):
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(update, request, id=request.request_id)
        assert message in str(failed.value.cause)

    await refused(EnablementWorkflow.waive_task,
                  WaiveTaskInput("w-0", partner.admin, "logo", "not needed"),
                  "only a channel manager may change a partner's plan")
    await refused(EnablementWorkflow.waive_task, WaiveTaskInput("w-1", manager, "logo", "  "),
                  "a waiver needs a reason")
    await refused(EnablementWorkflow.waive_task, WaiveTaskInput("w-2", manager, "nope", "x"),
                  "no open plan item 'nope'")
    await refused(EnablementWorkflow.move_due_date,
                  MoveDueDateInput("m-0", manager, "profile", now - timedelta(days=1)),
                  "the due date must be in the future")
    await refused(EnablementWorkflow.add_task,
                  AddTaskInput("a-0", manager, "", ItemOwner.PARTNER_USER,
                               now + timedelta(days=5), "enabled"),
                  "the title must not be blank")

    waived = await handle.execute_update(
        EnablementWorkflow.waive_task, WaiveTaskInput("w-3", manager, "logo", "Logo on file"),
        id="w-3")
    assert waived.status == "waived"
    assert (await harness.item(partner.org_id, "logo", "waived")).note == "Logo on file"
    assert (await harness.closed_task(ids.task_id(handle.id, "logo", 1))).status == "expired"
    # A done (waived) item takes no more changes.
    await refused(EnablementWorkflow.waive_task, WaiveTaskInput("w-4", manager, "logo", "again"),
                  "no open plan item 'logo'")

    later = now + timedelta(days=20)
    moved = await handle.execute_update(
        EnablementWorkflow.move_due_date,
        MoveDueDateInput("m-1", manager, "profile", later, "Waiting for their registration"),
        id="m-1")
    assert moved.due_at == later
    for _ in range(200):
        if harness.task(profile.id).due_at == later:
            break
        await asyncio.sleep(0.05)
    assert harness.task(profile.id).due_at == later
    # The old due date passes without an escalation: the checkpoints moved with it.
    await harness.env.sleep(timedelta(days=8))
    assert not [m for m in harness.smtp.to(partner.admin_email)
                if m.subject == "Overdue: Complete the organisation profile"]
    await harness.env.sleep(timedelta(days=12, hours=1))  # the new due date passes: now it is
    await harness.smtp.arrival(lambda m: partner.admin_email in m.recipients
                               and m.subject == "Overdue: Complete the organisation profile")

    later = await harness.env.get_current_time() + timedelta(days=5)
    added = await handle.execute_update(
        EnablementWorkflow.add_task,
        AddTaskInput("a-1", manager, "Send us your reference customers", ItemOwner.PARTNER_USER,
                     later, "enabled", description="Two names"), id="a-1")
    again = await handle.execute_update(
        EnablementWorkflow.add_task,
        AddTaskInput("a-1", manager, "Send us your reference customers", ItemOwner.PARTNER_USER,
                     later, "enabled"), id="a-1")
    assert added == again and added.item_key == "adhoc-1"
    task = await harness.step(handle, "adhoc-1")
    assert (task.task_type, task.form, task.assignee_org_id) == (
        "enablement_custom", "ad_hoc_evidence.v1", partner.org_id)
    actions = [a for a, _ in timeline(harness, partner.org_id)]
    for action in ("enablement_waived", "enablement_due_moved", "enablement_task_added"):
        assert actions.count(action) == 1, action
    await harness.stop(handle)


async def test_an_overdue_step_goes_to_the_partner_admins_then_to_the_channel_manager(harness):
    """The training (due 21 days after activation) assigned to a colleague: reminders to them,
    at the due time the admins are told, three days later the channel manager."""
    partner = harness.partner()
    with harness.sessions.begin() as s:  # Mia looks after this partner: she is told, not Max
        s.get(Organisation, partner.org_id).channel_manager_user_id = harness.user_id(MANAGER)
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    training = await harness.step(handle, "sales_training")
    await harness.assign(handle, training, partner.admin, partner.user)
    assert harness.task(training.id).assignee_user_id == partner.user.user_id

    def overdue(address):
        return [m for m in harness.smtp.to(address)
                if m.subject == "Overdue: Complete the sales training"]

    await harness.env.sleep(timedelta(days=20, hours=1))  # 3 and 1 days before: reminders
    for left in ("3 days left", "1 day left"):
        await harness.smtp.arrival(lambda m, left=left: partner.user_email in m.recipients
                                   and m.subject == "Reminder: Complete the sales training"
                                   and left in m.body)
    assert not overdue(partner.admin_email)
    await harness.env.sleep(timedelta(days=1))
    await harness.smtp.arrival(lambda m: partner.admin_email in m.recipients
                               and m.subject == "Overdue: Complete the sales training")
    assert not overdue("mia@vendor.test")
    await harness.env.sleep(timedelta(days=3))
    mail = await harness.smtp.arrival(lambda m: "mia@vendor.test" in m.recipients
                                      and m.subject == "Overdue: Complete the sales training")
    assert partner.company in mail.body
    assert len(overdue(partner.admin_email)) == 1 and len(overdue(partner.user_email)) == 0
    assert overdue("max@vendor.test") == []
    task = harness.task(training.id)
    assert task.escalated and task.status == "claimed"  # still theirs, still open
    assert (await harness.board(partner.org_id)).overdue_count >= 1
    # Still actionable: the colleague completes it late.
    await harness.decide(handle, task, partner.user, {
        "certificate": harness.stored_file(partner.org_id), **quiz_answers("sales_training")})
    await harness.step(handle, "sales_training", kind="review")
    await harness.stop(handle)


async def test_returned_evidence_and_a_failed_quiz_open_the_next_round_for_the_same_person(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    training = await harness.step(handle, "sales_training")
    await harness.assign(handle, training, partner.user, partner.user)  # claimed
    # Someone else of the organisation may not complete it now: it is the colleague's.
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await harness.decide(handle, training, partner.admin, quiz_answers("sales_training"))
    assert "this task is assigned to someone else" in str(refused.value.cause)
    evidence = harness.stored_file(partner.org_id)
    await harness.decide(handle, training, partner.user,
                         {"certificate": evidence, **quiz_answers("sales_training", wrong=True)})
    second = await harness.step(handle, "sales_training", round=2)
    assert second.assignee_user_id == partner.user.user_id
    assert second.context["quiz_result"]["passed"] is False
    assert harness.task(ids.task_id(handle.id, "sales_training-review", 1)) is None  # no review
    await harness.decide(handle, second, partner.user,
                         {"certificate": evidence, **quiz_answers("sales_training")})
    review = await harness.step(handle, "sales_training", round=2, kind="review")
    assert review.context["evidence"]["certificate"] == evidence
    assert review.context["quiz_result"]["percent"] == 100
    await harness.decide(handle, review, MANAGER,
                         {"decision": "return", "comment": "The certificate is unreadable"})
    third = await harness.step(handle, "sales_training", round=3)
    assert third.context["returned_comment"] == "The certificate is unreadable"
    assert third.assignee_user_id == partner.user.user_id
    assert (await harness.item(partner.org_id, "sales_training", "returned")).round == 3
    mail = await harness.smtp.arrival(lambda m: partner.user_email in m.recipients
                                      and third.id in m.body)
    assert mail.subject == "New task: Complete the sales training"
    await harness.decide(handle, third, partner.user,
                         {"certificate": harness.stored_file(partner.org_id),
                          **quiz_answers("sales_training")})
    await harness.decide(handle, await harness.step(handle, "sales_training", 3, "review"),
                         MANAGER, {"decision": "accept"})
    item = await harness.item(partner.org_id, "sales_training", "done")
    assert item.round == 3 and item.completed_by == partner.user.name
    notes = [n for a, n in timeline(harness, partner.org_id) if a == "enablement_returned"]
    assert notes == [
        "Complete the sales training: quiz not passed (score 0, pass mark 75); round 2 is open",
        "Complete the sales training returned for round 3: The certificate is unreadable"]
    await harness.stop(handle)


async def test_a_certification_opens_its_renewal_30_days_before_and_lapses_unrenewed(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    await run_to_certified(harness, handle, partner)
    with harness.sessions() as s:
        cert = s.scalar(select(Certification).where(Certification.org_id == partner.org_id))
    renewal_id = ids.task_id(handle.id, "sales_certification-renew0", 1)
    await harness.env.sleep(timedelta(days=334))
    assert harness.task(renewal_id) is None
    await harness.env.sleep(timedelta(days=2))  # 30 days before the expiry
    renewal = await harness.step(handle, "sales_certification-renew0")
    assert renewal.assignee_user_id == partner.user.user_id
    assert renewal.due_at == cert.expires_at
    await harness.env.sleep(timedelta(days=31))
    await harness.board(partner.org_id, "enabled")  # back a stage
    await harness.item(partner.org_id, "sales_certification", "lapsed")
    with harness.sessions() as s:
        assert s.get(Certification, cert.id).status == "lapsed"
    for address in (partner.user_email, partner.admin_email):
        await harness.smtp.arrival(lambda m, a=address: a in m.recipients and m.subject
                                   == f"Certification lapsed: Sales Associate ({partner.user.name})")
    await harness.smtp.arrival(lambda m: partner.admin_email in m.recipients and m.subject
                               == f"{partner.company} is now in enablement stage Enabled")
    assert "certification_lapsed" in [a for a, _ in timeline(harness, partner.org_id)]
    # The renewal stays open: passing it certifies again.
    await harness.decide(handle, harness.task(renewal_id), partner.user,
                         quiz_answers("sales_certification"))
    await harness.board(partner.org_id, "certified")
    with harness.sessions() as s:
        statuses = sorted(c.status for c in s.scalars(
            select(Certification).where(Certification.org_id == partner.org_id)))
    assert statuses == ["renewed", "valid"]
    await harness.stop(handle)


async def test_continue_as_new_keeps_open_tasks_and_their_timers(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1), max_events=10)
    first_run = (await handle.describe()).run_id
    training = await harness.step(handle, "sales_training")
    await harness.assign(handle, training, partner.admin, partner.user)
    await harness.decide(handle, await harness.step(handle, "profile"), partner.admin, PROFILE)
    await harness.step(handle, "addendum")
    for _ in range(400):  # the run settles, then continues as new
        if (await handle.describe()).run_id != first_run:
            break
        await asyncio.sleep(0.05)
    assert (await handle.describe()).run_id != first_run
    with harness.sessions() as s:
        rows = s.scalars(select(Task).where(Task.workflow_id == handle.id)).all()
    assert sorted(t.id for t in rows if t.status in ("open", "claimed")) == sorted(
        ids.task_id(handle.id, key, 1) for key in
        ("logo", "addendum", "sales_training", "product_overview", "kickoff"))
    snapshot = await handle.query(EnablementWorkflow.get_plan)
    assert {s.key: s.status for s in snapshot.items}["profile"] == "done"
    assert {s.key: s.assignee_user_id for s in snapshot.items}["sales_training"] \
        == partner.user.user_id
    # No task opened twice, no notice sent twice.
    notices = [m for m in harness.smtp.to(partner.user_email)
               if m.subject == "New task: Complete the sales training"]
    assert len(notices) == 1
    # The training's timers went on: its reminders, then the admins told at the due time.
    await harness.env.sleep(timedelta(days=21, hours=1))
    await harness.smtp.arrival(lambda m: partner.admin_email in m.recipients
                               and m.subject == "Overdue: Complete the sales training")
    reminders = [m for m in harness.smtp.to(partner.user_email)
                 if m.subject == "Reminder: Complete the sales training"]
    assert len(reminders) == 2
    # And it is still the colleague's to complete, in the new run.
    await harness.decide(handle, harness.task(training.id), partner.user, {
        "certificate": harness.stored_file(partner.org_id), **quiz_answers("sales_training")})
    await harness.step(handle, "sales_training", kind="review")
    await harness.stop(handle)


async def test_moving_to_a_new_plan_version_reconciles_the_items(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    await harness.decide(handle, await harness.step(handle, "profile"), partner.admin, PROFILE)
    overview = await harness.step(handle, "product_overview")
    manager = harness.staff(MANAGER)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(EnablementWorkflow.move_to_plan_version,
                                    MovePlanInput("p-0", manager, load_plan("standard", 1)),
                                    id="p-0")
    assert "on version 1 already" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(EnablementWorkflow.move_to_plan_version,
                                    MovePlanInput("p-1", manager, load_plan("referral", 1)),
                                    id="p-1")
    change = await handle.execute_update(
        EnablementWorkflow.move_to_plan_version,
        MovePlanInput("p-2", manager, load_plan("standard", 2)), id="p-2")
    assert (change.from_version, change.to_version) == (1, 2)
    assert "product_demo" in change.added and "product_overview" in change.removed
    assert "kickoff" in change.changed
    assert (await harness.closed_task(overview.id)).status == "expired"
    await harness.item(partner.org_id, "product_overview", "removed")
    await harness.item(partner.org_id, "product_demo", "locked")  # after the sales training
    assert (await harness.item(partner.org_id, "profile")).status == "done"
    board = await harness.board(partner.org_id)
    for _ in range(200):
        if (board := await harness.board(partner.org_id)).plan_version == 2:
            break
        await asyncio.sleep(0.05)
    assert board.plan_version == 2
    kickoff = await harness.item(partner.org_id, "kickoff")
    assert harness.task(kickoff.task_id).due_at == kickoff.due_at
    assert ("enablement_plan_moved", "Moved from plan version 1 to 2: 1 added, 1 removed, "
            f"{len(change.changed)} changed") in timeline(harness, partner.org_id)
    await harness.stop(handle)


async def test_activation_starts_enablement_once(harness):
    handle, org_id, app = await harness.start()
    await signed_by_both(harness, handle, org_id, app)
    await handle.result()
    enablement = harness.client.get_workflow_handle(ids.enablement_workflow_id(org_id))
    board = await harness.board(org_id)
    assert (board.plan_id, board.plan_version, board.stage) == ("standard", 2, "onboarding")
    profile = await harness.step(enablement, "profile")
    assert profile.assignee_partner_role == "partner_admin"
    await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                               and m.subject == "New task: Complete the organisation profile")
    # A retried activation starts nothing new: the running workflow is kept.
    run_id = (await enablement.describe()).run_id
    again = await start_enablement(harness.client, harness.settings.temporal_task_queue,
                                   EnablementInput(org_id, harness.reference(org_id), "x",
                                                   "reseller", "en", load_plan("standard", 2),
                                                   await harness.env.get_current_time()))
    assert again.id == enablement.id
    assert (await enablement.describe()).run_id == run_id
    await harness.stop(enablement)
