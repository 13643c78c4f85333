"""The task-row writes that also name the organisation's channel manager (db/task_rows.py)."""

from __future__ import annotations

from datetime import datetime, timezone

from db.models import EnablementItem, Organisation, Task, User
from db.task_rows import write_close, write_hand_on
from domain.tasks import CloseTaskInput, TaskOutcome, TaskStatus
from tests.web.conftest import make_org, make_task, make_user, tag


def _close(sessions, task, decided_by_id) -> None:
    outcome = TaskOutcome(task.id, "approve", "Someone", f"{task.id}/n",
                          datetime.now(timezone.utc), decided_by_id)
    with sessions.begin() as s:
        write_close(s, CloseTaskInput(task.id, TaskStatus.DONE, outcome))


def _manager_of(sessions, org) -> int | None:
    with sessions() as s:
        return s.get(Organisation, org.id).channel_manager_user_id


def test_a_staff_decision_names_its_decider_and_an_unknown_id_changes_nothing(sessions):
    ann = make_user(sessions, "channel_manager", name=f"Ann {tag()}")
    org = make_org(sessions)
    _close(sessions, make_task(sessions, org), ann.id)
    assert _manager_of(sessions, org) == ann.id
    with sessions() as s:
        unknown = (max(u.id for u in s.query(User)) or 0) + 1000
    # The close is written (it must not fail, or its activity retries for ever), the name stays.
    second = make_task(sessions, org, step="countersign", task_type="countersign")
    _close(sessions, second, unknown)
    with sessions() as s:
        assert s.get(type(second), second.id).status == "done"
    assert _manager_of(sessions, org) == ann.id


def test_a_partners_decision_names_nobody_and_a_hand_on_names_the_colleague(sessions):
    bo = make_user(sessions, "channel_manager", name=f"Bo {tag()}")
    org = make_org(sessions)
    partner = make_user(sessions, "partner_admin", org_id=org.id)
    _close(sessions, make_task(sessions, org, step="sign", partner=True), partner.id)
    assert _manager_of(sessions, org) is None
    review = make_task(sessions, org)
    with sessions.begin() as s:
        assert write_hand_on(s, review.id, bo.id)
    with sessions() as s:
        row = s.get(type(review), review.id)
        assert (row.assignee_user_id, row.claimed_by_id, row.status) == (bo.id, bo.id, "claimed")
    assert _manager_of(sessions, org) == bo.id


def test_a_partner_task_assigned_within_the_organisation_is_that_persons(sessions):
    """Issue 10: the portal's assign and claim write the row and the plan item it belongs to;
    the organisation's channel manager is not touched (only staff steps name one)."""
    org = make_org(sessions)
    person = make_user(sessions, "partner_user", org_id=org.id, name=f"Zhang {tag()}")
    task = make_task(sessions, org, step="sales_training", task_type="enablement_training",
                     partner=True, context={"item_key": "sales_training"})
    with sessions.begin() as s:
        s.get(Task, task.id).assignee_email = None
        s.add(EnablementItem(id=f"enablement-{org.id}--sales_training", org_id=org.id,
                             workflow_id=f"enablement-{org.id}", item_key="sales_training",
                             kind="training", stage="enabled", owner="partner_user",
                             status="open", task_id=task.id))
    with sessions.begin() as s:
        assert write_hand_on(s, task.id, person.id)
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.status, row.assignee_user_id, row.claimed_by_id) == ("claimed", person.id,
                                                                        person.id)
        item = s.get(EnablementItem, f"enablement-{org.id}--sales_training")
        assert item.assignee_user_id == person.id
    assert _manager_of(sessions, org) is None
