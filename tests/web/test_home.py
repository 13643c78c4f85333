"""The staff home on the real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
partners by stage, overdue, mine and the last week's decisions, each linking to the list it
counts; who lands there after signing in, and who is told it does not exist.

The database is shared by the whole run, so counts are checked as what this test added to what
the home showed before, and the linked lists are followed and compared with the home's number."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from db.models import Task
from domain.onboarding import Stage
from tests.web.conftest import login, make_org, make_task, make_user, tag
from web.home.queries import DECISIONS_SHOWN

STAGES = [s.value for s in Stage]


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _stats(html: str) -> dict[str, tuple[int, str]]:
    """Each count on the home: its key -> (number, link)."""
    found = re.findall(r'<a class="stat[^"]*" href="([^"]+)" data-stat="(\w+)">'
                       r'<span class="stat__number">(\d+)</span>', html)
    return {key: (int(number), html_lib.unescape(href)) for href, key, number in found}


def _org_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-org-id="([^"]+)"', html)


def _task_ids(html: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-task-id="([^"]+)"', html)


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section class="card"[^>]* id="{section_id}">(.*?)</section>', html, re.S)
    assert found, f"no section {section_id}"
    return found.group(1)


def _directory_total(html: str) -> int:
    return int(re.search(r"data-list-range>Partners [\d–]+ of (\d+)<", html).group(1))


def _inbox_total(html: str) -> int:
    """The inbox's own number: its pager's total, or (one page) its rows."""
    pager = re.search(r"Tasks \d+–\d+ of (\d+)", html)
    return int(pager.group(1)) if pager else len(_task_ids(html))


def _manager(app, sessions, *roles: str):
    client = app.test_client()
    user = make_user(sessions, *(roles or ("channel_manager",)), name=f"Mia Chen {tag()}")
    login(client, user)
    return client, user


def test_counts_by_stage_link_to_the_directory_filtered_by_that_stage(app, sessions):
    client, _ = _manager(app, sessions)
    before = _stats(_page(client, "/manage/home/"))
    t = tag()
    # A different number of organisations in each stage, so a count in the wrong place shows.
    made = {stage: [make_org(sessions, name=f"Home {t} {stage} {n} Ltd", status=stage).id
                    for n in range(1 + i % 3)]
            for i, stage in enumerate(STAGES)}

    after = _stats(_page(client, "/manage/home/"))
    for stage in STAGES:
        number, link = after[stage]
        assert number - before[stage][0] == len(made[stage]), stage
        assert link == f"/manage/partners/?stage={stage}"
        # Following the link: the directory counts what the home counted, and among this
        # test's organisations lists exactly that stage's.
        assert _directory_total(_page(client, link)) == number, stage
        assert sorted(_org_ids(_page(client, f"{link}&q={t}"))) == sorted(made[stage]), stage
    total, link = after["all"]
    assert total == sum(after[s][0] for s in STAGES) and link == "/manage/partners/"
    assert _directory_total(_page(client, link)) == total


def test_overdue_and_mine_count_and_link_to_the_inbox(app, sessions):
    client, me = _manager(app, sessions)
    _, colleague = _manager(app, sessions)
    before = _stats(_page(client, "/manage/home/"))
    org = make_org(sessions, name=f"Overdue {tag()} Trading Ltd")
    long_ago = timedelta(days=-3650)  # older than any other test's: first in the inbox's order
    overdue_open = make_task(sessions, org, due_in=long_ago)
    overdue_mine = make_task(sessions, org, due_in=long_ago + timedelta(hours=1), status="claimed",
                             claimed_by_id=me.id)
    overdue_theirs = make_task(sessions, org, due_in=long_ago + timedelta(hours=2),
                               status="claimed", claimed_by_id=colleague.id)
    on_time_mine = make_task(sessions, org, due_in=timedelta(days=3), status="claimed",
                             claimed_by_id=me.id)
    # Not overdue for this manager: on time, another group's, a partner's, already closed.
    make_task(sessions, org, due_in=timedelta(days=1))
    make_task(sessions, org, due_in=long_ago, role="program_lead")
    make_task(sessions, org, due_in=long_ago, task_type="sign_agreement", partner=True)
    make_task(sessions, org, due_in=long_ago, status="done", completed_at=datetime.now(timezone.utc))

    html = _page(client, "/manage/home/")
    after = _stats(html)
    overdue_ids = [overdue_open.id, overdue_mine.id, overdue_theirs.id]
    number, link = after["overdue"]
    assert number - before["overdue"][0] == 3
    assert link == "/manage/inbox?tab=groups&overdue=1"
    assert re.findall(r'<li data-task-id="([^"]+)"', _section(html, "overdue"))[:3] == overdue_ids
    inbox = _page(client, link)
    assert _inbox_total(inbox) == number
    assert _task_ids(_page(client, f"{link}&q={org.reference}")) == overdue_ids

    number, link = after["mine"]
    assert number == 2 and link == "/manage/inbox?tab=mine"
    assert (re.findall(r'<li data-task-id="([^"]+)"', _section(html, "mine"))
            == [overdue_mine.id, on_time_mine.id])
    assert _task_ids(_page(client, link)) == [overdue_mine.id, on_time_mine.id]


def test_the_inbox_overdue_filter_keeps_its_tab_and_other_filters(app, sessions):
    client, me = _manager(app, sessions)
    org = make_org(sessions)
    late = make_task(sessions, org, due_in=timedelta(hours=-1), status="claimed", claimed_by_id=me.id)
    make_task(sessions, org, due_in=timedelta(hours=1), status="claimed", claimed_by_id=me.id)
    html = _page(client, f"/manage/inbox?tab=mine&overdue=1&q={org.reference}")
    assert _task_ids(html) == [late.id]
    assert 'name="overdue" value="1" checked' in html
    # The tabs keep the filter; "Clear" drops it.
    assert f'href="/manage/inbox?q={org.reference}&amp;tab=groups&amp;overdue=1"' in html
    assert '<a href="/manage/inbox?tab=mine">Clear</a>' in html


def test_last_weeks_decisions_include_two_days_ago_and_leave_out_nine_days_ago(app, sessions):
    client, _ = _manager(app, sessions)
    home = _page(client, "/manage/home/")
    before = _stats(home)
    before_total = int(re.search(r"(\d+) decided in the last 7 days", home).group(1))
    now = datetime.now(timezone.utc)
    org = make_org(sessions, name=f"Decided {tag()} Systems Ltd")
    recent = make_task(sessions, org, status="done", decision="reject", completed_by="Ana Silva",
                       completed_at=now - timedelta(days=2))
    old = make_task(sessions, org, status="done", decision="approve", completed_by="Ana Silva",
                    completed_at=now - timedelta(days=9))
    signed = make_task(sessions, org, task_type="sign_agreement", partner=True, status="done",
                       completed_by="Li Wei", completed_at=now - timedelta(days=1))
    # The list shows the newest DECISIONS_SHOWN, which other tests' decisions may fill: the row
    # is checked on a decision made just now, the 7 days' window by the count.
    just_now = make_task(sessions, org, step="review2", status="done", decision="reject",
                         completed_by="Ana Silva", completed_at=datetime.now(timezone.utc))

    html = _page(client, "/manage/home/")
    decisions = _section(html, "decisions")
    # Two days ago and just now count; nine days ago and the partner's signing do not.
    assert int(re.search(r"(\d+) decided in the last 7 days", decisions).group(1)) == before_total + 2
    row = re.search(rf'<tr data-task-id="{re.escape(just_now.id)}">(.*?)</tr>', decisions, re.S)
    assert row, "the decision just made is not listed"
    cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[0] == ["Review", "application"]
    assert " ".join(cells[1]).startswith(org.name)
    assert cells[2] == ["Rejected"] and cells[3] == ["Ana", "Silva"]
    assert cells[4][-1] == "UTC"
    assert f'href="/manage/tasks/{just_now.id}"' in row.group(1)
    assert f'href="/manage/partners/{org.id}"' in row.group(1)
    assert old.id not in decisions and signed.id not in decisions
    assert _stats(html)["all"][0] == before["all"][0] + 1  # (the organisation made above)


def test_ops_see_decisions_linked_to_the_partner_page_and_no_inbox_counts(app, sessions):
    org = make_org(sessions)
    decided = make_task(sessions, org, status="done", decision="approve", completed_by="Ana Silva",
                        completed_at=datetime.now(timezone.utc))
    client, _ = _manager(app, sessions, "ops")
    html = _page(client, "/manage/home/")
    assert "stages" in html and 'id="overdue"' not in html and 'id="mine"' not in html
    row = re.search(rf'<tr data-task-id="{re.escape(decided.id)}">(.*?)</tr>', html, re.S).group(1)
    assert f'href="/manage/tasks/{decided.id}"' not in row  # ops cannot open a manager's task
    assert row.count(f'href="/manage/partners/{org.id}"') == 2


def test_staff_land_on_the_home_and_partners_in_the_portal(app, sessions):
    for role in ("channel_manager", "program_lead", "ops"):
        client = app.test_client()
        assert login(client, make_user(sessions, role)).headers["Location"] == "/manage/home/", role
        nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', _page(client, "/manage/home/"), re.S)
        first = re.search(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav.group(1))
        assert first.groups() == ("/manage/home/", ' aria-current="page"', "Home"), role

    org = make_org(sessions, status="active")
    partner = app.test_client()
    assert login(partner, make_user(sessions, "partner_admin", org_id=org.id)).headers["Location"] == "/portal/"
    assert 'href="/manage/home/"' not in _page(partner, "/portal/")


def test_partners_get_404_and_strangers_the_sign_in_page(app, sessions):
    org = make_org(sessions, status="active")
    partner = app.test_client()
    login(partner, make_user(sessions, "partner_user", org_id=org.id))
    assert partner.get("/manage/home/").status_code == 404
    response = app.test_client().get("/manage/home/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_home_in_chinese(app, sessions):
    client, me = _manager(app, sessions)
    make_task(sessions, make_org(sessions), due_in=timedelta(days=-3650), status="claimed",
              claimed_by_id=me.id)
    html = _page(client, "/manage/home/?lang=zh_Hans")
    assert "<h1>首页</h1>" in html and "各阶段的合作伙伴" in html and "审核中" in html
    assert "截止时间：" in html  # a full-width colon after a Chinese label
    assert "最近一周的决定" in html
