"""The manager inbox: DB rows, overdue first, tabs and their counts, filters, pages, claim and
unassign, bulk claim; bulk assign, which hands each task on through its workflow (live tests)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from db.models import Organisation, Task, TimelineEvent, User
from domain import ids
from tests.web.conftest import login, make_org, make_task, make_user, tag
from tests.web.test_recruitment_live import apply, manager, open_task, timeline, wait_for
from tests.workflows.test_search_attributes import search_attributes
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


# -- the list convention: sort, rows, search, recently decided --------------------------------

def _inbox(client, **params) -> str:
    response = client.get("/manage/inbox", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _set_org(sessions, org, **values) -> None:
    with sessions.begin() as s:
        s.execute(update(Organisation).where(Organisation.id == org.id).values(**values))


def test_columns_sort_both_ways_and_an_unknown_sort_falls_back_to_due(client, sessions):
    t = tag()
    now = datetime.now(timezone.utc)
    zeta = make_org(sessions, name=f"Zeta {t} Ltd")
    alpha = make_org(sessions, name=f"Alpha {t} Ltd")
    _set_org(sessions, zeta, created_at=now - timedelta(days=1))
    _set_org(sessions, alpha, created_at=now - timedelta(days=5))
    holder = make_user(sessions, "channel_manager", name=f"Aaron {t}")
    on_zeta = make_task(sessions, zeta, due_in=timedelta(days=1))
    on_alpha = make_task(sessions, alpha, due_in=timedelta(days=3), status="claimed",
                         claimed_by_id=holder.id)
    login(client, make_user(sessions, "channel_manager"))

    assert _ids_in_order(_inbox(client, q=t)) == [on_zeta.id, on_alpha.id]  # due, soonest first
    assert _ids_in_order(_inbox(client, q=t, sort="partner")) == [on_alpha.id, on_zeta.id]
    assert _ids_in_order(_inbox(client, q=t, sort="partner", dir="desc")) == [on_zeta.id, on_alpha.id]
    # Submitted: newest first on the first click.
    html = _inbox(client, q=t, sort="submitted")
    assert _ids_in_order(html) == [on_zeta.id, on_alpha.id]
    assert re.search(r'data-column="submitted"[^>]* aria-sort="descending"', html)
    # Held by: nobody goes last either way.
    assert _ids_in_order(_inbox(client, q=t, sort="assignee")) == [on_alpha.id, on_zeta.id]
    assert _ids_in_order(_inbox(client, q=t, sort="assignee", dir="desc")) == [on_alpha.id, on_zeta.id]
    assert _ids_in_order(_inbox(client, q=t, sort="status")) == [on_alpha.id, on_zeta.id]  # claimed < open
    assert _ids_in_order(_inbox(client, q=t, sort="task_type; drop table task")) == [on_zeta.id, on_alpha.id]
    # Every sortable header links to its sort, the search kept.
    for key in ("task", "partner", "submitted", "assignee", "status"):
        assert re.search(rf'data-column="{key}"[^>]*><a class="sort" href="[^"]*q={t}[^"]*sort={key}', html)
    assert f'data-column="due"><a class="sort" href="/manage/inbox?q={t}">' in html  # the default


def test_rows_show_submitted_date_country_type_and_screening_flags(app, client, sessions):
    submitted = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
    org = make_org(sessions, name=f"Rows {tag()} GmbH", country="DE", partner_type="distributor")
    _set_org(sessions, org, created_at=submitted,
             flags=[{"code": "free_mail_domain", "message": "free mail"}])
    task = make_task(sessions, org)
    login(client, make_user(sessions, "channel_manager"))
    row = _row(_inbox(client, q=org.reference), task.id)
    assert "Germany" in row and "Distributor" in row and "Free-mail address" in row
    # Dates through the app's own filter (web/i18n.py decides the format and the zone).
    with app.test_request_context():
        assert app.jinja_env.filters["when"](submitted, "short") in row


def test_the_search_is_the_directorys_a_word_anywhere_in_name_domain_or_contact(client, sessions):
    t = tag()
    org = make_org(sessions, name=f"Northwind{t}Trading Ltd", contact_name=f"Zhang {t}x",
                   contact_email=f"sales.{t}y@northwind.example")
    _set_org(sessions, org, domain=f"shop-{t}z.example")
    task = make_task(sessions, org)
    other = make_task(sessions, make_org(sessions))
    login(client, make_user(sessions, "channel_manager"))
    for term in (t.upper(), f"{t}trading", f"{t}x", f"{t}y@", f"{t}z.example", org.reference.lower()):
        found = _ids_in_order(_inbox(client, q=term))
        assert found == [task.id], term
    assert other.id not in _ids_in_order(_inbox(client, q=t))
    assert _ids_in_order(_inbox(client, q=f"{t}%")) == []  # a wildcard is a character like any other
    # Mine, unassigned and overdue only narrow the same search; searching again stays in the view.
    mine = _inbox(client, q=t, tab="mine")
    assert _ids_in_order(mine) == [] and '<input type="hidden" name="tab" value="mine">' in mine
    assert _ids_in_order(_inbox(client, q=t, overdue="1")) == []


def test_recently_decided_shows_who_decided_what_in_the_last_week_of_my_groups(client, sessions):
    t = tag()
    now = datetime.now(timezone.utc)
    org = make_org(sessions, name=f"Decided {t} Ltd")
    recent = make_task(sessions, org, status="done", decision="reject", completed_by="Ana Silva",
                       completed_at=now - timedelta(days=2))
    newest = make_task(sessions, org, status="done", decision="approve", completed_by="Bo Li",
                       completed_at=now - timedelta(hours=3))
    make_task(sessions, org, status="done", decision="approve", completed_by="Old",
              completed_at=now - timedelta(days=9))
    make_task(sessions, org, status="done", decision="approve", completed_by="Ops",
              completed_at=now - timedelta(days=1), role="ops")  # another group's
    open_task = make_task(sessions, org)
    login(client, make_user(sessions, "channel_manager"))

    html = _inbox(client, tab="decided", q=t)
    assert _ids_in_order(html) == [newest.id, recent.id]  # newest first
    assert "Ana Silva" in _row(html, recent.id) and "Rejected" in _row(html, recent.id)
    assert "Bo Li" in _row(html, newest.id) and "Approved" in _row(html, newest.id)
    assert 'aria-current="page" data-view="decided"' in html and 'id="bulk"' not in html
    assert 'name="task_id"' not in html and ">Claim<" not in html
    assert _ids_in_order(_inbox(client, tab="decided", q=t, sort="decided", dir="asc")) == [recent.id, newest.id]
    assert _ids_in_order(_inbox(client, tab="decided", q=t, sort="decided_by", dir="desc")) == [newest.id, recent.id]
    assert open_task.id in _ids_in_order(_inbox(client, q=t))


# -- bulk claim and assign ---------------------------------------------------------------------

def _flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip()
            for m in re.findall(r'<div class="alert alert--\w+" role="status">(.*?)</div>', html, re.S)]


def _holders(sessions, *tasks) -> list[tuple[str, int | None]]:
    with sessions() as s:
        return [(s.get(Task, t.id).status, s.get(Task, t.id).claimed_by_id) for t in tasks]


def test_bulk_claim_claims_what_it_can_and_says_what_happened_to_each_other_task(app, sessions):
    org = make_org(sessions, name=f"Bulk {tag()} Ltd")
    bob = make_user(sessions, "channel_manager", name=f"Bob {tag()}")
    free_1, free_2 = make_task(sessions, org), make_task(sessions, org)
    bobs = make_task(sessions, org, status="claimed", claimed_by_id=bob.id)
    closed = make_task(sessions, org, status="done", completed_by="Someone")
    alice = make_user(sessions, "channel_manager", name=f"Alice {tag()}")
    client = app.test_client()
    login(client, alice)
    back = f"/manage/inbox?q={org.reference}&sort=partner"

    page = client.post("/manage/tasks/bulk", data={
        "action": "claim", "task_id": [free_1.id, bobs.id, closed.id, free_2.id, "no-such-task"],
        "next": back}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.request.full_path == back
    # What could be claimed is claimed, though other tasks in the same request were refused.
    assert _holders(sessions, free_1, free_2, bobs, closed) == [
        ("claimed", alice.id), ("claimed", alice.id), ("claimed", bob.id), ("done", None)]
    flashes = _flashes(html)
    assert flashes[0].startswith("You claimed 2 tasks: Review application: ")
    assert org.reference in flashes[0]
    assert any(f"Already claimed by {bob.name}, left with them: Review application: " in f for f in flashes)
    assert any(f.startswith("Closed already, left as they were:") for f in flashes)
    assert any(f == "Not in your groups&#39; queue, left as they were: no-such-task." for f in flashes)
    assert len(flashes) == 4


def test_bulk_claim_goes_the_single_claim_path(app, sessions, monkeypatch):
    """The bulk route calls the very function the row's Claim button calls, once per task."""
    from web.manage import bulk
    org = make_org(sessions)
    tasks = [make_task(sessions, org) for _ in range(3)]
    seen = []
    real_claim = bulk.claim
    monkeypatch.setattr(bulk, "claim", lambda s, task_id, user: seen.append(task_id) or real_claim(s, task_id, user))
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager"))
    client.post("/manage/tasks/bulk", data={"action": "claim", "task_id": [t.id for t in tasks]})
    assert seen == [t.id for t in tasks]


def _bulk_nonce(html: str) -> str:
    form = html.split('id="bulk"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="form_nonce" value="([^"]+)"', form).group(1)


def test_bulk_assign_offers_colleagues_and_refuses_before_the_workflow_what_it_may_not_hand_on(
        app, sessions):
    """`app` has no Temporal: the refusals here are the task page's own checks, made before any
    workflow is asked; a task that passes them is not handed on, and the rest are not tried."""
    t = tag()
    org = make_org(sessions, name=f"Assign {t} Ltd")
    me = make_user(sessions, "channel_manager", name=f"Me {t}")
    colleague = make_user(sessions, "channel_manager", name=f"Chen {t}")
    lead = make_user(sessions, "program_lead", name=f"Lead {t}")
    ops = make_user(sessions, "ops", name=f"Ops {t}")
    partner = make_user(sessions, "partner_admin", name=f"Partner {t}", org_id=org.id)
    with sessions.begin() as s:
        gone = make_user(sessions, "channel_manager", name=f"Gone {t}")
        s.execute(update(User).where(User.id == gone.id).values(active=False))
    free, also_free = make_task(sessions, org), make_task(sessions, org)
    chens = make_task(sessions, org, status="claimed", claimed_by_id=colleague.id)
    closed = make_task(sessions, org, status="done", completed_by="Someone")
    leads = make_task(sessions, org, role="program_lead", step="countersign")
    client = app.test_client()
    login(client, me)

    html = _inbox(client, q=org.reference)
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>',
                         html.split('id="bulk-assignee"', 1)[1].split("</select>", 1)[0])
    names = {name for _id, name in options}
    assert {colleague.name, lead.name} <= names
    assert not names & {me.name, ops.name, partner.name, gone.name}
    nonce = _bulk_nonce(html)

    page = client.post("/manage/tasks/bulk", data={
        "action": "assign", "assignee": str(lead.id), "form_nonce": nonce,
        "task_id": [chens.id, closed.id, leads.id, free.id, also_free.id],
        "next": f"/manage/inbox?q={org.reference}"}, follow_redirects=True)
    flashes = _flashes(page.get_data(as_text=True))
    assert not any("assigned to" in f for f in flashes)
    assert any(f"Already claimed by {colleague.name}, left with them:" in f for f in flashes)
    assert any(f.startswith("Closed already, left as they were:") for f in flashes)
    assert any(f.startswith("Not in your groups&#39; queue") for f in flashes)
    unreached = [f for f in flashes if f.startswith("We could not reach the workflow service")]
    assert len(unreached) == 1 and "2 more" not in unreached[0]
    assert unreached[0].count("Review application: ") == 2  # the first outage, and the one after
    assert len(flashes) == 4
    assert _holders(sessions, chens, closed, leads, free, also_free) == [
        ("claimed", colleague.id), ("done", None), ("open", None), ("open", None), ("open", None)]

    page = client.post("/manage/tasks/bulk", data={"action": "assign", "assignee": str(ops.id),
                                                   "form_nonce": nonce, "task_id": [free.id]},
                       follow_redirects=True)
    assert [f for f in _flashes(page.get_data(as_text=True))
            if f.startswith(f"{ops.name} may not take these")]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(TimelineEvent)
                        .where(TimelineEvent.org_id == org.id)) == 0

    stale = client.post("/manage/tasks/bulk", data={"action": "assign", "assignee": str(lead.id),
                                                    "task_id": [free.id], "form_nonce": "x"})
    assert stale.status_code == 400
    assert "This form is out of date. Reload the page and send it again." in stale.get_data(as_text=True)


# -- bulk assign through the real workflows (Temporal dev server, a worker) --------------------

def _owner_in_workflow(app, org: Organisation) -> str | None:
    """The workflow's own word on who owns its open step: the Assignee search attribute."""
    async def read(client):
        return (await search_attributes(client, client.get_workflow_handle(org.workflow_id)))["assignee"]
    return app.extensions["prm.temporal"].run(read)


def _handed_on_lines(client, task: Task, colleague: User, by: User) -> int:
    lines = timeline(client.get(f"/manage/tasks/{task.id}").get_data(as_text=True))
    return lines.count(("Handed on to a colleague", f"Handed on to {colleague.name}", by.name))


def _reviews(live_app, sessions, count: int) -> list[tuple[Organisation, Task]]:
    orgs = [apply(live_app, sessions)[0] for _ in range(count)]
    return [(org, open_task(sessions, ids.task_id(org.workflow_id, "review", 1))) for org in orgs]


@pytest.mark.slow
def test_a_bulk_assign_hands_each_task_on_through_its_workflow(live_app, sessions, smtp):
    (one, first), (two, second) = _reviews(live_app, sessions, 2)
    (me_client, me), (bob_client, bob) = (manager(live_app, sessions, "Ana"),
                                          manager(live_app, sessions, "Bob"))
    back = f"/manage/inbox?q={one.reference}"
    form = {"action": "assign", "assignee": str(bob.id), "task_id": [first.id, second.id],
            "form_nonce": _bulk_nonce(_inbox(me_client, q=one.reference)), "next": back}

    page = me_client.post("/manage/tasks/bulk", data=form, follow_redirects=True)
    assert _flashes(page.get_data(as_text=True))[0].startswith(f"2 tasks assigned to {bob.name}: ")
    with sessions() as s:
        for task, org in ((first, one), (second, two)):
            row = s.get(Task, task.id)
            assert (row.status, row.claimed_by_id, row.assignee_user_id) == ("claimed", bob.id, bob.id)
            assert s.get(Organisation, org.id).channel_manager_user_id == bob.id
    for org in (one, two):  # the workflow owns the step (and what follows) to Bob
        assert wait_for(lambda o=org: _owner_in_workflow(live_app, o) == f"user:{bob.id}",
                        f"{org.reference} to be Bob's in its workflow")
    assert [_handed_on_lines(bob_client, t, bob, me) for t in (first, second)] == [1, 1]

    # The same form again (a resend): the same hand-ons, nothing twice.
    me_client.post("/manage/tasks/bulk", data=form)
    assert [_handed_on_lines(bob_client, t, bob, me) for t in (first, second)] == [1, 1]
    assert _holders(sessions, first, second) == [("claimed", bob.id), ("claimed", bob.id)]


@pytest.mark.slow
def test_a_partly_refused_bulk_assign_says_so_and_keeps_what_was_handed_on(live_app, sessions, smtp):
    """A program lead hands on what a colleague holds; of the tasks ticked with it, one is closed
    and one's workflow has gone (the workflow refuses: TaskConflict). Each is reported."""
    [(org, review)] = _reviews(live_app, sessions, 1)
    (chen_client, chen), (me_client, me) = (manager(live_app, sessions, "Chen"),
                                            manager(live_app, sessions, "Mia"))
    lead = make_user(sessions, "program_lead", name=f"Lead {tag()}")
    lead_client = live_app.test_client()
    login(lead_client, lead)
    assert chen_client.post(f"/manage/tasks/{review.id}/claim").status_code == 302
    elsewhere = make_org(sessions, name=f"No Workflow {tag()} Ltd")  # never started
    closed = make_task(sessions, elsewhere, status="done", completed_by="Someone")
    orphan = make_task(sessions, elsewhere)

    page = lead_client.post("/manage/tasks/bulk", data={
        "action": "assign", "assignee": str(me.id), "task_id": [closed.id, review.id, orphan.id],
        "form_nonce": _bulk_nonce(_inbox(lead_client, q=org.reference))}, follow_redirects=True)
    flashes = _flashes(page.get_data(as_text=True))
    assert flashes[0].startswith(f"1 task assigned to {me.name}: Review application: ")
    assert org.reference in flashes[0]
    assert any(f.startswith("Closed already, left as they were:") and closed.title not in f
               and elsewhere.reference in f for f in flashes)
    assert any(f.startswith("This task is closed. Left as they were:") and elsewhere.reference in f
               for f in flashes)
    assert len(flashes) == 3
    assert _holders(sessions, review, closed, orphan) == [
        ("claimed", me.id), ("done", None), ("open", None)]
    assert wait_for(lambda: _owner_in_workflow(live_app, org) == f"user:{me.id}", "the hand-on")
    assert _handed_on_lines(me_client, review, me, lead) == 1


def test_a_bulk_action_without_a_choice_changes_nothing_and_keeps_the_ticks(app, sessions):
    org = make_org(sessions)
    task = make_task(sessions, org)
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager"))
    back = f"/manage/inbox?q={org.reference}"

    response = client.post("/manage/tasks/bulk", data={"action": "assign", "assignee": "",
                                                       "task_id": [task.id], "next": back})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose the colleague to assign the tasks to." in html
    assert f'value="{task.id}" form="bulk" checked' in html
    assert _holders(sessions, task) == [("open", None)]
    response = client.post("/manage/tasks/bulk", data={"action": "claim", "next": back})
    assert response.status_code == 400 and "Tick at least one task first." in response.get_data(as_text=True)


def test_bulk_needs_its_csrf_token_and_partners_never_reach_it(csrf_app, app, sessions):
    org = make_org(sessions)
    task = make_task(sessions, org)
    user = make_user(sessions, "channel_manager")
    client = csrf_app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": user.email, "password": "correct horse battery", "csrf_token": token})
    colleague = make_user(sessions, "channel_manager")
    page = client.get(f"/manage/inbox?q={org.reference}").get_data(as_text=True)
    form = page.split('id="bulk"', 1)[1].split("</form>", 1)[0]
    assign = {"action": "assign", "assignee": str(colleague.id), "task_id": [task.id],
              "form_nonce": _bulk_nonce(page)}
    for action in ({"action": "claim", "task_id": [task.id]}, assign):
        refused = client.post("/manage/tasks/bulk", data=action)
        assert refused.status_code == 400 and _holders(sessions, task) == [("open", None)]
    # With its token the assign gets as far as the workflow (which `csrf_app` cannot reach).
    sent = client.post("/manage/tasks/bulk", data={**assign, "csrf_token": _csrf_token(form)},
                       follow_redirects=True)
    assert "We could not reach the workflow service" in sent.get_data(as_text=True)
    assert client.post("/manage/tasks/bulk", data={"action": "claim", "task_id": [task.id],
                                                   "csrf_token": _csrf_token(form)}).status_code == 302
    assert _holders(sessions, task) == [("claimed", user.id)]

    partner = app.test_client()
    login(partner, make_user(sessions, "partner_admin", org_id=org.id))
    other = make_task(sessions, org)
    assert partner.post("/manage/tasks/bulk", data={"action": "claim", "task_id": [other.id]}).status_code == 403
    assert partner.post("/manage/tasks/bulk", data={**assign, "task_id": [other.id]}).status_code == 403
    assert _holders(sessions, other) == [("open", None)]


def test_the_inbox_and_its_bulk_messages_in_chinese(app, sessions):
    org = make_org(sessions, name=f"华东 {tag()} 有限公司")
    tasks = [make_task(sessions, org) for _ in range(2)]
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager", locale="zh_Hans"))
    html = _inbox(client, q=org.reference)
    assert "最近已决定" in html and "认领已勾选的任务" in html and "提交时间" in html
    page = client.post("/manage/tasks/bulk", data={"action": "claim", "task_id": [t.id for t in tasks],
                                                   "next": f"/manage/inbox?q={org.reference}"},
                       follow_redirects=True)
    claimed = _flashes(page.get_data(as_text=True))[0]
    assert claimed.startswith("您已认领 2 项任务：审核申请：") and "和" in claimed, claimed
