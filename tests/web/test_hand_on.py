"""Ownership on the manager's pages (issue 9): a step opened for its owner is theirs in the
inbox, hidden from the group's view until it is escalated; its task page names the owner and
offers "Hand on" to the holder (or a program lead), whose POST goes to the workflow."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from db.models import Organisation, Task
from domain import ids
from tests.web.conftest import login, make_org, make_task, make_user, nonce_of, tag
from tests.web.test_recruitment_live import (apply, manager, open_task, recorded_decisions,
                                             timeline)


def _ids(html: str) -> list[str]:
    return re.findall(r'data-task-id="([^"]+)"', html)


def owned_task(sessions, owner, **fields):
    org = make_org(sessions, name=f"Owned {tag()} Ltd", status="countersign")
    return org, make_task(sessions, org, step="countersign", task_type="countersign",
                          form="countersign.v1", status="claimed", assignee_user_id=owner.id,
                          claimed_by_id=owner.id, **fields)


def test_the_groups_view_leaves_out_a_step_its_owner_holds_until_it_is_escalated(app, sessions):
    alice = make_user(sessions, "channel_manager", name=f"Alice {tag()}")
    bob = make_user(sessions, "channel_manager", name=f"Bob {tag()}")
    org, task = owned_task(sessions, alice)
    a, b = app.test_client(), app.test_client()
    login(a, alice)
    login(b, bob)

    assert task.id in _ids(a.get(f"/manage/inbox?tab=mine&partner={org.reference}").get_data(as_text=True))
    assert task.id in _ids(a.get(f"/manage/inbox?tab=groups&partner={org.reference}").get_data(as_text=True))
    assert task.id not in _ids(b.get(f"/manage/inbox?tab=groups&partner={org.reference}").get_data(as_text=True))

    with sessions.begin() as s:  # what the escalation does (activities/tasks.py task_checkpoint)
        s.execute(update(Task).where(Task.id == task.id)
                  .values(escalated=True, status="open", claimed_by_id=None))
    for tab in ("groups", "unassigned"):
        html = b.get(f"/manage/inbox?tab={tab}&partner={org.reference}").get_data(as_text=True)
        assert task.id in _ids(html), tab


def test_the_task_page_names_the_owner_and_offers_colleagues_to_the_holder_only(app, sessions):
    alice = make_user(sessions, "channel_manager", name=f"Alice {tag()}")
    bob = make_user(sessions, "channel_manager", name=f"Bob {tag()}")
    partner = make_user(sessions, "partner_admin", name=f"Partner {tag()}",
                        org_id=make_org(sessions).id)
    org, task = owned_task(sessions, alice)
    a, b = app.test_client(), app.test_client()
    login(a, alice)
    login(b, bob)

    html = a.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert f"<dt>Assigned to</dt><dd>{alice.name}" in html
    assert "The group sees it once it is escalated." in html
    assert f'action="/manage/tasks/{task.id}/hand-on"' in html
    hand_on = html.split(f'action="/manage/tasks/{task.id}/hand-on"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{bob.id}">{bob.name}</option>' in hand_on
    assert f'value="{alice.id}"' not in hand_on and partner.name not in hand_on

    other = b.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert "/hand-on" not in other  # Bob does not hold it
    refused = b.post(f"/manage/tasks/{task.id}/hand-on",
                     data={"hand_on-colleague": str(bob.id), "hand_on-form_nonce": "x" * 32},
                     follow_redirects=True).get_data(as_text=True)
    assert f"{alice.name} holds this task: only they or a program lead may hand it on." in refused


def test_a_hand_on_without_a_colleague_or_without_temporal_changes_nothing(app, sessions):
    alice = make_user(sessions, "channel_manager", name=f"Alice {tag()}")
    bob = make_user(sessions, "channel_manager", name=f"Bob {tag()}")
    org, task = owned_task(sessions, alice)
    a = app.test_client()
    login(a, alice)
    url = f"/manage/tasks/{task.id}/hand-on"

    none_chosen = a.post(url, data={"hand_on-colleague": "0", "hand_on-form_nonce": "n" * 32},
                         follow_redirects=True).get_data(as_text=True)
    assert "Choose a colleague to hand the task on to." in none_chosen
    # `app` has no Temporal (tests/web/conftest.py): the workflow must hear it first.
    away = a.post(url, data={"hand_on-colleague": str(bob.id), "hand_on-form_nonce": "n" * 32},
                  follow_redirects=True).get_data(as_text=True)
    assert "We could not reach the workflow service. Nothing changed" in away
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.assignee_user_id, row.claimed_by_id) == (alice.id, alice.id)
        assert s.get(Organisation, org.id).channel_manager_user_id is None


def test_a_partner_is_turned_away_from_the_hand_on(app, sessions):
    alice = make_user(sessions, "channel_manager", name=f"Alice {tag()}")
    org, task = owned_task(sessions, alice)
    partner = make_user(sessions, "partner_admin", org_id=org.id)
    c = app.test_client()
    login(c, partner)
    # The manager's area turns partners away as a whole (web/manage/__init__.py).
    assert c.post(f"/manage/tasks/{task.id}/hand-on",
                  data={"hand_on-colleague": str(alice.id)}).status_code == 403
    with sessions() as s:
        assert s.get(Task, task.id).claimed_by_id == alice.id


# -- through the real stack: Temporal dev server, a worker, SMTP --------------------------------

@pytest.mark.slow
def test_handing_on_a_review_through_its_workflow(live_app, sessions, smtp):
    """Alice claims the review and hands it on; Bob holds it, is the partner's channel manager,
    and his approval is the review's decision."""
    org, _data = apply(live_app, sessions)
    task = open_task(sessions, ids.task_id(org.workflow_id, "review", 1))
    (alice_client, alice), (bob_client, bob) = (manager(live_app, sessions, "Alice"),
                                                manager(live_app, sessions, "Bob"))
    url = f"/manage/tasks/{task.id}"
    assert alice_client.post(f"{url}/claim", data={"next": url}).status_code == 302
    page = alice_client.get(url).get_data(as_text=True)
    nonce = re.search(r'name="hand_on-form_nonce" type="hidden" value="([^"]+)"', page).group(1)

    handed = alice_client.post(f"{url}/hand-on", data={"hand_on-colleague": str(bob.id),
                                                       "hand_on-form_nonce": nonce},
                               follow_redirects=True).get_data(as_text=True)
    assert f"{bob.name} has the task now, and the partner’s next steps." in handed
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.assignee_user_id, row.claimed_by_id, row.status) == (bob.id, bob.id, "claimed")
        assert s.get(Organisation, org.id).channel_manager_user_id == bob.id
    assert task.id in _ids(bob_client.get("/manage/inbox?tab=mine").get_data(as_text=True))
    assert ("Handed on to a colleague", f"Handed on to {bob.name}", alice.name) in timeline(
        bob_client.get(url).get_data(as_text=True))

    decided = bob_client.post(url, data={"decision": "approve",
                                         "form_nonce": nonce_of(bob_client.get(url).get_data(as_text=True))})
    assert decided.status_code == 302
    assert recorded_decisions(live_app, org) == (f"review 1: approve by {bob.name}",)
