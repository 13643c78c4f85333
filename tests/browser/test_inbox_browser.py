"""The inbox in Chromium, on the served app: a channel manager ticks tasks and claims them in one
go (one of them someone else was quicker to), assigns one to a colleague (a hand-on through its
real workflow, which then owns the application to them), and on a 390 px phone
sees task, partner, due and the claim button without scrolling sideways; a task page there puts
the claim and the decision before the application."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from db.models import Organisation, Task, User
from domain import ids
from domain.onboarding import OnboardingInput
from domain.program import ProgramRules
from tests.conftest import application
from tests.waiting import wait_until
from tests.workflows.test_search_attributes import search_attributes
from web.passwords import hash_password
from web.temporal_bridge import TemporalBridge
from workflows.start import start_onboarding

from playwright.sync_api import Page, expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def colleague(sessions, name: str) -> int:
    with sessions.begin() as s:
        user = User(email=f"{uuid.uuid4().hex[:8]}@prm.example", name=name,
                    password_hash=hash_password(uuid.uuid4().hex), roles=["channel_manager"], locale="en")
        s.add(user)
        s.flush()
        return user.id


def seed(sessions, names: list[str], *, held_by: dict[int, int] | None = None) -> list[str]:
    """One open review task per organisation name (task n held by held_by[n], if given), due one
    day apart, the first overdue. Returns the task ids."""
    now = datetime.now(timezone.utc)
    made = []
    with sessions.begin() as s:
        for n, name in enumerate(names):
            org_id = ids.new_org_id()
            workflow_id = ids.onboarding_workflow_id(org_id)
            s.add(Organisation(id=org_id, reference=ids.application_reference(org_id), name=name,
                               normalised_name=name.lower(), domain=f"d{uuid.uuid4().hex[:8]}.example",
                               country="CN", partner_type="reseller", status="in_review",
                               workflow_id=workflow_id, application=application(company_name=name),
                               flags=[{"code": "free_mail_domain", "message": "free mail"}]))
            holder = (held_by or {}).get(n)
            task_id = ids.task_id(workflow_id, "review-1")
            s.add(Task(id=task_id, workflow_id=workflow_id, task_type="review_application",
                       form="review_decision.v1", title=f"Review application: {name}", org_id=org_id,
                       status="claimed" if holder else "open", assignee_role="channel_manager",
                       claimed_by_id=holder, due_at=now + timedelta(days=n - 1)))
            made.append(task_id)
    return made


@pytest.fixture
def temporal(live_server):
    """The served app's way to Temporal, for the test's own starts and reads."""
    bridge = TemporalBridge(live_server.settings)
    yield bridge
    bridge.close()


def start_application(temporal, live_server, name: str) -> tuple[str, str]:
    """A real application, started as /apply starts it: the worker writes its organisation and
    its review task. A bulk assign hands a task on through its workflow, so this one needs one.
    Returns (workflow id, review task id)."""
    org_id = ids.new_org_id()
    inp = OnboardingInput(org_id, ids.application_reference(org_id),
                          application(company_name=name), ProgramRules(), "en")
    handle = temporal.run(lambda client: start_onboarding(
        client, live_server.settings.temporal_task_queue, inp))
    task_id = ids.task_id(handle.id, "review", 1)

    def opened():
        with live_server.sessions() as s:
            row = s.get(Task, task_id)
            return row is not None and row.status == "open"
    wait_until(opened, f"the review of {name} to open", timeout=30)
    return handle.id, task_id


def owner_in_workflow(temporal, workflow_id: str) -> str | None:
    async def read(client):
        return (await search_attributes(client, client.get_workflow_handle(workflow_id)))["assignee"]
    return temporal.run(read)


def sign_in(page: Page, login) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()


def row(page: Page, task_id: str):
    return page.locator(f'tr[data-task-id="{task_id}"]')


def test_a_manager_claims_ticked_tasks_in_one_go_and_assigns_one_to_a_colleague(
        new_context, live_server, channel_manager, screenshot, temporal):
    tag = uuid.uuid4().hex[:8]
    bob = f"Bob Quick {tag}"
    chen = f"Chen Colleague {tag}"
    bob_id = colleague(live_server.sessions, bob)
    chen_id = colleague(live_server.sessions, chen)
    names = [f"Atlas {tag} Ltd", f"Borealis {tag} GmbH", f"Cirrus {tag} Pte"]
    atlas, borealis = seed(live_server.sessions, names[:2], held_by={1: bob_id})
    cirrus_workflow, cirrus = start_application(temporal, live_server, names[2])

    page = new_context().new_page()
    sign_in(page, channel_manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    page.get_by_label("Search").fill(tag)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("[data-list-range]")).to_have_text("Tasks 1–3 of 3")

    for name in names:
        page.get_by_label(f"Tick: Review application, {name}").check()
    page.get_by_role("button", name="Claim ticked tasks").click()

    status = page.get_by_role("status")
    expect(status.filter(has_text="You claimed 2 tasks")).to_contain_text(names[0])
    expect(status.filter(has_text="You claimed 2 tasks")).to_contain_text(names[2])
    expect(status.filter(has_text=f"Already claimed by {bob}")).to_contain_text(names[1])
    # Back on the same search; the rows say who holds what now.
    expect(page.get_by_label("Search")).to_have_value(tag)
    expect(row(page, atlas)).to_contain_text(channel_manager.name)
    expect(row(page, cirrus)).to_contain_text(channel_manager.name)
    expect(row(page, borealis)).to_contain_text(bob)
    screenshot(page, "01-bulk-claimed")

    # Hand one on: the colleague list holds channel managers, not me.
    page.get_by_label(f"Tick: Review application, {names[2]}").check()
    assignee = page.get_by_label("Assign to")
    expect(assignee.locator("option", has_text=chen)).to_have_count(1)
    expect(assignee.locator("option", has_text=channel_manager.name)).to_have_count(0)
    assignee.select_option(label=chen)
    page.get_by_role("button", name="Assign ticked tasks").click()
    expect(status.filter(has_text=f"1 task assigned to {chen}")).to_contain_text(names[2])
    # Chen owns it now (its workflow says so): the group's view leaves it out until it is escalated.
    expect(row(page, cirrus)).to_have_count(0)
    expect(row(page, atlas)).to_contain_text(channel_manager.name)
    with live_server.sessions() as s:
        assert [s.get(Task, t).claimed_by_id is not None for t in (atlas, borealis, cirrus)] == [True] * 3
        assert (s.get(Task, cirrus).claimed_by_id, s.get(Task, cirrus).assignee_user_id) == (chen_id, chen_id)
    wait_until(lambda: owner_in_workflow(temporal, cirrus_workflow) == f"user:{chen_id}",
               "the workflow to own the application to Chen", timeout=30)


def test_the_inbox_and_a_task_page_fit_a_390px_phone(new_context, live_server, channel_manager,
                                                     screenshot):
    tag = uuid.uuid4().hex[:8]
    long_name = f"Shenzhen Northwind International Trading and Logistics {tag} Company Limited"
    first, *_ = seed(live_server.sessions, [long_name, f"Second {tag} Ltd"])

    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, channel_manager)
    page.goto(f"/manage/inbox?q={tag}")
    task_row = row(page, first)
    expect(task_row).to_be_visible()

    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    # Nothing scrolls inside the table either: every essential is on the screen.
    assert page.evaluate("(() => { const w = document.querySelector('.table-wrap');"
                         " return w.scrollWidth <= w.clientWidth; })()")
    claim = task_row.get_by_role("button", name="Claim")
    expect(claim).to_be_visible()
    for part in (claim, task_row.get_by_role("link", name="Review application"),
                 task_row.get_by_text(long_name), task_row.locator("td.col--due")):
        box = part.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], part
    expect(task_row.locator(".col--secondary").first).to_be_hidden()  # the country, the flags...
    screenshot(page, "01-phone-inbox")

    # The task page: the holder card with its Claim, then the decision, then the application.
    task_row.get_by_role("link", name="Review application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(long_name)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    claim_top = page.locator("#task-holder").get_by_role("button", name="Claim").bounding_box()["y"]
    decision_top = page.locator("#task-decision").bounding_box()["y"]
    application_top = page.get_by_role("heading", name="Application", exact=True).bounding_box()["y"]
    assert claim_top < decision_top < application_top
    screenshot(page, "02-phone-task")

    page.locator("#task-holder").get_by_role("button", name="Claim").click()
    expect(page.get_by_role("status")).to_contain_text("You claimed this task.")
