"""The manager inbox: DB rows only, overdue first, tabs and their counts, filters, pages, claim and
unassign."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from db.models import Task
from tests.web.conftest import login, make_org, make_task, make_user, tag
from web.listing import Page
from web.manage import queries


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

    html = client.get(f"/manage/inbox?q={org.name.split()[2]}").get_data(as_text=True)

    assert _ids_in_order(html) == [very_late.id, slightly_late.id, soon.id, later.id]  # no partner task
    assert ">Overdue<" in _row(html, very_late.id) and ">Escalated<" in _row(html, very_late.id)
    assert ">Overdue<" in _row(html, slightly_late.id) and ">Escalated<" not in _row(html, slightly_late.id)
    assert ">Overdue<" not in _row(html, soon.id)


def test_inbox_filters_by_type_and_by_partner_reference(client, sessions):
    org = make_org(sessions)
    review = make_task(sessions, org)
    countersign = make_task(sessions, org, step="countersign", task_type="countersign", form="countersign.v1")
    login(client, make_user(sessions, "channel_manager"))
    by_ref = _ids_in_order(client.get(f"/manage/inbox?q={org.reference.lower()}").get_data(as_text=True))
    assert sorted(by_ref) == sorted([review.id, countersign.id])
    by_type = _ids_in_order(client.get(
        f"/manage/inbox?q={org.reference}&type=countersign").get_data(as_text=True))
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
    assert task.id in _ids_in_order(b.get(f"/manage/inbox?tab=unassigned&q={org.reference}")
                                    .get_data(as_text=True))


def test_a_program_lead_can_take_a_task_back_from_anyone(app, sessions):
    org = make_org(sessions)
    task = make_task(sessions, org)
    holder = make_user(sessions, "channel_manager")
    holder_client, lead = app.test_client(), app.test_client()
    login(holder_client, holder)
    login(lead, make_user(sessions, "program_lead"))
    assert holder_client.post(f"/manage/tasks/{task.id}/claim").status_code == 302
    assert task.id in _ids_in_order(holder_client.get("/manage/inbox?tab=mine").get_data(as_text=True))

    done = lead.post(f"/manage/tasks/{task.id}/unassign", follow_redirects=True).get_data(as_text=True)
    assert "The task is unassigned and back in the group&#39;s queue." in done

    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.status, row.claimed_by_id) == ("open", None)
    assert task.id not in _ids_in_order(holder_client.get("/manage/inbox?tab=mine").get_data(as_text=True))
    assert task.id in _ids_in_order(holder_client.get(
        f"/manage/inbox?tab=unassigned&q={org.reference}").get_data(as_text=True))


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


def _tab_counts(html: str) -> dict[str, int]:
    found = re.findall(r'href="/manage/inbox\?tab=(\w+)[^"]*"[^>]*>[^<]*<span class="count">(\d+)</span>',
                       html)
    return {tab: int(count) for tab, count in found}


def test_tab_counts_follow_new_and_claimed_tasks(app, sessions):
    manager = make_user(sessions, "channel_manager")
    other = make_user(sessions, "channel_manager")
    client = app.test_client()
    login(client, manager)
    before = _tab_counts(client.get("/manage/inbox").get_data(as_text=True))
    assert before["mine"] == 0
    org = make_org(sessions)
    make_task(sessions, org)
    make_task(sessions, org, status="claimed", claimed_by_id=manager.id)
    make_task(sessions, org, status="claimed", claimed_by_id=other.id)
    make_task(sessions, org, status="done")
    make_task(sessions, org, partner=True, task_type="sign_agreement", form="sign_agreement.v1")

    after = _tab_counts(client.get("/manage/inbox").get_data(as_text=True))
    assert after == {"mine": 1, "groups": before["groups"] + 3, "unassigned": before["unassigned"] + 1,
                     "decided": before["decided"]}  # done without a decision time: not "recently"


def test_rows_show_escalation_either_way_and_who_holds_the_task(app, sessions):
    org = make_org(sessions, name=f"Inbox Rows {tag()} Ltd")
    by_flag = make_task(sessions, org, escalated=True)
    by_context = make_task(sessions, org, context={"escalated_to": "program_lead"})
    plain = make_task(sessions, org)
    holder = make_user(sessions, "channel_manager", name=f"Hana {tag()}")
    held = make_task(sessions, org, status="claimed", claimed_by_id=holder.id)
    manager, lead = app.test_client(), app.test_client()
    login(manager, make_user(sessions, "channel_manager"))
    login(lead, make_user(sessions, "program_lead"))

    html = manager.get(f"/manage/inbox?q={org.reference}").get_data(as_text=True)
    assert ">Escalated<" in _row(html, by_flag.id) and ">Escalated<" in _row(html, by_context.id)
    assert ">Escalated<" not in _row(html, plain.id) and ">Claim<" in _row(html, plain.id)
    assert holder.name in _row(html, held.id) and ">Claimed<" in _row(html, held.id)
    assert ">Claim<" not in _row(html, held.id) and ">Unassign<" not in _row(html, held.id)
    # A program lead may take it back from anyone.
    lead_html = lead.get(f"/manage/inbox?q={org.reference}").get_data(as_text=True)
    assert ">Unassign<" in _row(lead_html, held.id)


def _page_links(html: str) -> dict[str, str]:
    nav = html.split('<nav class="pager"', 1)[1].split("</nav>", 1)[0]
    return {text.strip(): href.replace("&amp;", "&")
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_the_inbox_pages_through_every_task_keeping_tab_filters_and_order(client, sessions, monkeypatch):
    monkeypatch.setattr(queries, "OPEN_TASKS", replace(queries.OPEN_TASKS, page_size=3))
    org = make_org(sessions, name=f"Inbox Pages {tag()} Ltd")
    tasks = [make_task(sessions, org, due_in=timedelta(hours=hours)) for hours in (5, -3, 1, 9, -8, 2, 7)]
    make_task(sessions, org, step="countersign", task_type="countersign", form="countersign.v1")
    by_due = [t.id for t in sorted(tasks, key=lambda t: t.due_at)]
    login(client, make_user(sessions, "channel_manager"))
    query = f"tab=unassigned&type=review_application&q={org.reference}"

    first = client.get(f"/manage/inbox?{query}").get_data(as_text=True)
    assert _ids_in_order(first) == by_due[:3]
    assert "Tasks 1–3 of 7" in first
    links = _page_links(first)
    assert "Previous" not in links and set(links) >= {"1", "2", "3", "Next →"}
    assert links["Next →"] == links["2"]
    assert all({"tab=unassigned", "type=review_application", f"q={org.reference}"}
               <= set(href.split("?", 1)[1].split("&")) for href in links.values())

    second = client.get(links["2"]).get_data(as_text=True)
    assert _ids_in_order(second) == by_due[3:6] and "Tasks 4–6 of 7" in second
    third = client.get(_page_links(second)["Next →"]).get_data(as_text=True)
    assert _ids_in_order(third) == by_due[6:] and "Next →" not in _page_links(third)
    # A claim from page 3 comes back to page 3.
    back = re.search(r'name="next" value="([^"]+)"', third).group(1).replace("&amp;", "&")
    assert back == _page_links(second)["Next →"]
    # Past the end (tasks were decided meanwhile): the last page.
    assert _ids_in_order(client.get(f"/manage/inbox?{query}&page=40").get_data(as_text=True)) == by_due[6:]
    assert _ids_in_order(client.get(f"/manage/inbox?{query}&page=x").get_data(as_text=True)) == by_due[:3]


def test_one_page_has_no_page_links(client, sessions):
    org = make_org(sessions)
    make_task(sessions, org)
    login(client, make_user(sessions, "channel_manager"))
    html = client.get(f"/manage/inbox?q={org.reference}").get_data(as_text=True)
    assert "Tasks 1–1 of 1" in html and _page_links(html) == {}


def test_page_numbers_show_both_ends_and_the_neighbourhood():
    def numbers(number, total):
        return Page([], number, total * 50, 50).numbers()

    assert numbers(1, 1) == [1]
    assert numbers(1, 4) == [1, 2, 3, 4]
    assert numbers(1, 20) == [1, 2, 3, None, 20]
    assert numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert numbers(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]  # a gap of one page shows the page
