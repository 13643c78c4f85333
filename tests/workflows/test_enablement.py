"""EnablementWorkflow under time skipping: real activities, SQLite, SMTP (tests/workflows/conftest.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from db.models import Agreement, Certification, Organisation, Signature, TimelineEvent
from definitions.plans import load_plan
from domain import ids
from domain.enablement import (AddTaskInput, FirstDealApproved, ItemOwner, MoveDueDateInput,
                               WaiveTaskInput)
from tests.workflows.conftest import MANAGER
from tests.workflows.enablement_paths import run_to_certified
from workflows.enablement import EnablementWorkflow


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
    subjects = [m.subject for m in harness.smtp.to(partner.admin_email)]
    assert f"{partner.company} is now in enablement stage Certified" in subjects
    assert "Certified: Sales Associate" in [m.subject for m in harness.smtp.to(partner.user_email)]
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
                if m.subject.startswith("Overdue") and "Complete" in m.subject]

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
