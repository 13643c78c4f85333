"""The timeline names a person once: beside the time. A note that only says who did it ("Approved
by Mia Chen" on Mia Chen's line) is not shown again; a note that says more is."""

from __future__ import annotations

import re

from db.models import TimelineEvent
from domain import notes
from tests.web.conftest import login, make_org, make_task, make_user, tag


def _lines(html: str) -> list[str]:
    card = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li>(.*?)</li>", card, re.S)]


def test_the_approver_is_named_once_on_the_task_page_the_partner_page_and_the_portal(app, sessions):
    org = make_org(sessions, status="active")
    approver = f"Mia Chen {tag()}"
    with sessions.begin() as s:
        for n, (action, note, actor) in enumerate([
                ("approved", notes.APPROVED.format(actor=approver), approver),
                ("more_info", notes.MORE_INFO_REQUESTED.format(question="Which cities?"), approver),
                ("approved", notes.APPROVED.format(actor=approver), "someone else")]):
            s.add(TimelineEvent(key=f"{org.workflow_id}/line/{tag()}-{n}", org_id=org.id,
                                workflow_id=org.workflow_id, action=action, note=note, actor=actor))
    task = make_task(sessions, org)
    staff, partner = app.test_client(), app.test_client()
    login(staff, make_user(sessions, "channel_manager"))
    login(partner, make_user(sessions, "partner_admin", org_id=org.id))

    for html in (staff.get(f"/manage/tasks/{task.id}").get_data(as_text=True),
                 staff.get(f"/manage/partners/{org.id}").get_data(as_text=True),
                 partner.get("/portal/").get_data(as_text=True)):
        approved, asked, odd = _lines(html)
        assert approved.startswith("Application approved") and approved.count(approver) == 1
        assert "Approved by" not in approved
        # A note that says more than who keeps its words; the actor is still named by the time.
        assert "More information requested: Which cities?" in asked and asked.count(approver) == 1
        # A note naming someone other than the line's actor is not the same person twice: kept.
        assert f"Approved by {approver}" in odd and odd.endswith("someone else")
