"""The manager inbox: DB rows only, overdue first, tabs, filters, claim and unassign."""

from __future__ import annotations

import re
from datetime import timedelta

from db.models import Task
from tests.web.conftest import login, make_org, make_task, make_user, tag


def _ids_in_order(html: str) -> list[str]:
    return re.findall(r'data-task-id="([^"]+)"', html)


def _row(html: str, task_id: str) -> str:
    return html.split(f'data-task-id="{task_id}"', 1)[1].split("</tr>", 1)[0]


def test_inbox_lists_overdue_first_then_by_due_date_with_badges(client, sessions):
    org = make_org(sessions, name=f"Inbox Order {tag()} Ltd")
    later = make_task(sessions, org, due_in=timedelta(days=2))
    slightly_late = make_task(sessions, org, due_in=timedelta(hours=-1))
    soon = make_task(sessions, org, due_in=timedelta(hours=1))
    very_late = make_task(sessions, org, due_in=timedelta(days=-2), escalated=True,
                          context={"escalated_to": "program_lead"})
    make_task(sessions, org, partner=True, task_type="sign_agreement", form="sign_agreement.v1")
    manager = make_user(sessions, "channel_manager")
    login(client, manager)

    html = client.get(f"/manage/inbox?partner={org.name.split()[2]}").get_data(as_text=True)

    assert _ids_in_order(html) == [very_late.id, slightly_late.id, soon.id, later.id]  # no partner task
    assert ">Overdue<" in _row(html, very_late.id) and ">Escalated<" in _row(html, very_late.id)
    assert ">Overdue<" in _row(html, slightly_late.id) and ">Escalated<" not in _row(html, slightly_late.id)
    assert ">Overdue<" not in _row(html, soon.id)


def test_inbox_filters_by_type_and_by_partner_reference(client, sessions):
    org = make_org(sessions)
    review = make_task(sessions, org)
    countersign = make_task(sessions, org, step="countersign", task_type="countersign", form="countersign.v1")
    login(client, make_user(sessions, "channel_manager"))
    by_ref = _ids_in_order(client.get(f"/manage/inbox?partner={org.reference.lower()}").get_data(as_text=True))
    assert sorted(by_ref) == sorted([review.id, countersign.id])
    by_type = _ids_in_order(client.get(
        f"/manage/inbox?partner={org.reference}&type=countersign").get_data(as_text=True))
    assert by_type == [countersign.id]


def test_claim_and_unassign(app, sessions):
    org = make_org(sessions)
    task = make_task(sessions, org)
    alice = make_user(sessions, "channel_manager", name=f"Alice {tag()}")
    bob = make_user(sessions, "channel_manager", name=f"Bob {tag()}")
    a, b = app.test_client(), app.test_client()
    login(a, alice)
    login(b, bob)

    assert a.post(f"/manage/tasks/{task.id}/claim").status_code == 302
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.status, row.claimed_by_id) == ("claimed", alice.id)
    mine = a.get("/manage/inbox?tab=mine").get_data(as_text=True)
    assert task.id in _ids_in_order(mine)
    assert task.id not in _ids_in_order(b.get("/manage/inbox?tab=unassigned").get_data(as_text=True))

    # Bob is told who holds it, and nothing changes.
    page = b.post(f"/manage/tasks/{task.id}/claim", follow_redirects=True).get_data(as_text=True)
    assert f"{alice.name} already holds this task." in page
    assert b.post(f"/manage/tasks/{task.id}/unassign", follow_redirects=True).status_code == 200
    with sessions() as s:
        assert s.get(Task, task.id).claimed_by_id == alice.id
    # Bob cannot decide it either while Alice holds it.
    blocked = b.post(f"/manage/tasks/{task.id}", data={"decision": "approve", "form_nonce": "n" * 24})
    assert blocked.status_code == 409 and alice.name in blocked.get_data(as_text=True)

    a.post(f"/manage/tasks/{task.id}/unassign")
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.status, row.claimed_by_id) == ("open", None)
    assert task.id in _ids_in_order(b.get(f"/manage/inbox?tab=unassigned&partner={org.reference}")
                                    .get_data(as_text=True))


def test_a_program_lead_can_take_a_task_back_from_anyone(app, sessions):
    org = make_org(sessions)
    task = make_task(sessions, org, status="claimed")
    holder = make_user(sessions, "channel_manager")
    with sessions.begin() as s:
        s.get(Task, task.id).claimed_by_id = holder.id
    lead = app.test_client()
    login(lead, make_user(sessions, "program_lead"))
    lead.post(f"/manage/tasks/{task.id}/unassign")
    with sessions() as s:
        assert s.get(Task, task.id).claimed_by_id is None


def test_only_staff_reach_the_inbox(app, sessions):
    org = make_org(sessions)
    partner = app.test_client()
    login(partner, make_user(sessions, "partner_admin", org_id=org.id))
    assert partner.get("/manage/inbox").status_code == 403
    ops = app.test_client()
    login(ops, make_user(sessions, "ops"))
    assert ops.get("/manage/inbox").status_code == 403


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)


def test_claim_without_csrf_token_is_refused_and_changes_nothing(csrf_app, sessions):
    task = make_task(sessions, make_org(sessions))
    user = make_user(sessions, "channel_manager")
    client = csrf_app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                       "csrf_token": token}).status_code == 302

    refused = client.post(f"/manage/tasks/{task.id}/claim")
    assert refused.status_code == 400 and "Please send the form again" in refused.get_data(as_text=True)
    with sessions() as s:
        assert s.get(Task, task.id).claimed_by_id is None
    # The token from the page (a new one since sign-in) makes the same POST work.
    page = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert client.post(f"/manage/tasks/{task.id}/claim", data={"csrf_token": _csrf_token(page)}).status_code == 302
    with sessions() as s:
        assert s.get(Task, task.id).claimed_by_id == user.id
