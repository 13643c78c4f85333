"""The ops pages in the real Flask app, against the real dev server, live PartnerOnboardingWorkflow
runs (tests/ops/conftest.py) and SQLite."""

from __future__ import annotations

import io
import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from db.models import Organisation, Task, User
from tests.ops.conftest import REJECTION
from tests.ops.pages import demo, login, pending_activity_rows, timeline_items
from web.passwords import hash_password

pytestmark = pytest.mark.slow

PARTNER_PASSWORD = "partner-password-1"


@pytest.fixture(scope="module")
def partner(app):
    """A partner admin of an active organisation: must not see any ops page."""
    org_id = str(uuid.uuid4())
    email = f"admin-{org_id[:8]}@partner.example"
    with app.extensions["prm.sessions"].begin() as s:
        s.add(Organisation(id=org_id, reference=f"PA-{org_id[:8].upper()}", name="Partner Co",
                           normalised_name="partner co", domain="partner.example", country="CN",
                           partner_type="reseller", status="active", workflow_id=f"wf-{org_id}"))
        s.flush()
        s.add(User(email=email, name="Pat Partner", roles=["partner_admin"], org_id=org_id,
                   password_hash=hash_password(PARTNER_PASSWORD)))
    return org_id, email


@pytest.fixture(scope="module")
def ops(app):
    user = demo("ops")
    return login(app, user.email, user.password)


@pytest.fixture(scope="module")
def chinese_ops(app):
    """An ops user whose own locale is zh_Hans: every ops page in Chinese without ?lang=."""
    email = f"ops-zh-{uuid.uuid4().hex[:8]}@prm.example"
    with app.extensions["prm.sessions"].begin() as s:
        s.add(User(email=email, name="Wang Yun", roles=["ops"], locale="zh_Hans",
                   password_hash=hash_password(PARTNER_PASSWORD)))
    return login(app, email, PARTNER_PASSWORD)


def _eventually(fetch, check, timeout: float = 20.0):
    """Visibility is eventually consistent: ask again until the page shows the change."""
    deadline = time.monotonic() + timeout
    while True:
        resp = fetch()
        if check(resp) or time.monotonic() > deadline:
            return resp
        time.sleep(0.3)


# -- who may see the pages -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/ops/", "/ops/outbox", "/ops/mailbox", "/ops/stuck",
                                  "/ops/workflows/x", "/ops/workflows/x/history.json"])
def test_partner_and_channel_manager_are_refused(app, partner, path):
    # Staff pages answer a signed-in person without the role 403 (web/security.py roles_required,
    # as /manage/ does for partners): the ops blueprint checks before any view looks anything up,
    # so an unknown workflow or a mailbox that does not exist answers 403 too, never 404.
    partner_client = login(app, partner[1], PARTNER_PASSWORD)
    assert partner_client.get(path).status_code == 403
    manager = demo("channel_manager")
    assert login(app, manager.email, manager.password).get(path).status_code == 403


def test_partner_may_not_read_an_exported_history(app, partner):
    partner_client = login(app, partner[1], PARTNER_PASSWORD)
    resp = partner_client.post("/ops/history", data={"history": (io.BytesIO(b"{}"), "x.json")},
                               content_type="multipart/form-data")
    assert resp.status_code == 403


def test_anonymous_is_sent_to_sign_in(app):
    resp = app.test_client().get("/ops/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_program_lead_may_look(app, onboardings):
    lead = demo("program_lead")
    assert login(app, lead.email, lead.password).get("/ops/").status_code == 200


# -- the list ------------------------------------------------------------------------------------

def test_list_filters_by_partner(ops, onboardings):
    waiting = onboardings.waiting
    resp = _eventually(lambda: ops.get(f"/ops/?partner={waiting.org_id}"),
                       lambda r: waiting.handle.id in r.get_data(as_text=True))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert waiting.handle.id in html and ">In review</span></td>" in html and waiting.company in html
    assert "<td>PartnerOnboardingWorkflow</td>" in html
    assert ">Running</span></td>" in html
    assert onboardings.decided.handle.id not in html and onboardings.failing.handle.id not in html
    assert "eventually consistent" in html


def test_list_filters_by_type_and_status(ops, onboardings):
    resp = _eventually(lambda: ops.get("/ops/?type=PartnerOnboardingWorkflow&status=completed"),
                       lambda r: onboardings.decided.handle.id in r.get_data(as_text=True))
    html = resp.get_data(as_text=True)
    assert onboardings.decided.handle.id in html and onboardings.waiting.handle.id not in html
    assert "ExecutionStatus = &#39;Completed&#39;" in html


def test_list_pages_with_the_next_page_token(app, ops, onboardings):
    from web.ops import temporal as ops_temporal

    saved = ops_temporal.PAGE_SIZE
    ops_temporal.PAGE_SIZE = 1
    try:
        first = _eventually(lambda: ops.get("/ops/?type=PartnerOnboardingWorkflow"),
                            lambda r: 'rel="next"' in r.get_data(as_text=True))
        html = first.get_data(as_text=True)
        assert 'rel="next"' in html
        next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        second = ops.get(next_url)
        assert second.status_code == 200 and "partner-onboarding-" in second.get_data(as_text=True)
    finally:
        ops_temporal.PAGE_SIZE = saved


# -- one workflow ----------------------------------------------------------------------------------

def test_detail_of_a_waiting_workflow(ops, onboardings):
    waiting = onboardings.waiting
    html = ops.get(f"/ops/workflows/{waiting.handle.id}").get_data(as_text=True)
    assert f"<h1>Partner application {waiting.reference} from {waiting.company}</h1>" in html
    assert "in_review: Awaiting review by channel managers" in html      # current details
    assert waiting.org_id in html                                         # search attribute
    assert "<dd>PartnerOnboardingWorkflow</dd>" in html
    assert "Pending timers" in html and "<dt>Duration</dt><dd>1d</dd>" in html  # the reminder
    items = timeline_items(html)
    assert items[0].startswith("#1 ") and "Workflow started" in items[0]
    opened = next(i for i in items if "Activity scheduled" in i)
    assert "Record and screen the application, open its review" in opened
    assert f"Opens task {waiting.review_title}" in opened and "Stage In review" in opened
    assert "Screening nothing to flag" in next(i for i in items if "Activity completed" in i)
    assert f"/namespaces/default/workflows/{waiting.handle.id}" in html  # Temporal UI link
    assert "Workflow task scheduled" not in html                          # routine events hidden
    assert "Workflow task scheduled" in ops.get(
        f"/ops/workflows/{waiting.handle.id}?all=1").get_data(as_text=True)


def test_detail_shows_who_decided_and_why(ops, onboardings):
    decided = onboardings.decided
    html = ops.get(f"/ops/workflows/{decided.handle.id}").get_data(as_text=True)
    assert '<dd class="status-completed"><span class="badge badge--ok">Completed</span></dd>' in html
    items = timeline_items(html)
    decision = next(i for i in items if "Update accepted" in i)
    assert "Who Mia Manager" in decision and "Decision Rejected" in decision
    assert f"Reason {REJECTION}" in decision and f"Task {decided.review_title}" in decision
    told = next(i for i in items if "Send mail" in i and "Activity scheduled" in i)
    assert "application_rejected" in told
    assert items.index(decision) < items.index(told)
    assert any("Timer cancelled" in i for i in items[items.index(decision):])
    assert "Workflow completed" in items[-1]


def test_detail_shows_the_pending_activity_its_attempts_and_last_failure(ops, onboardings):
    """A live run whose mail server is down: its first activity keeps failing and is retried."""
    failing = onboardings.failing
    html = ops.get(f"/ops/workflows/{failing.handle.id}").get_data(as_text=True)
    assert '<dd class="status-running"><span class="badge badge--info">Running</span></dd>' in html
    ((activity, state, attempt, failure, next_attempt),) = pending_activity_rows(html)
    assert activity == "accept_application"
    assert int(attempt) > 1
    assert f"port {onboardings.smtp_down_port}" in failure  # the mail server it cannot reach
    assert next_attempt.endswith(" UTC")                     # when the next attempt is due
    # The timeline shows what the activity is for while it keeps failing.
    (scheduled,) = [i for i in timeline_items(html) if "Activity scheduled" in i]
    assert f"Opens task {failing.review_title}" in scheduled


def test_unknown_workflow_is_404(ops, onboardings):
    assert ops.get("/ops/workflows/no-such-workflow").status_code == 404
    assert ops.get("/ops/workflows/no-such-workflow/history.json").status_code == 404


def test_history_json_export_of_a_live_run(ops, onboardings):
    failing = onboardings.failing
    resp = ops.get(f"/ops/workflows/{failing.handle.id}/history.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="{failing.handle.id}.history.json"')
    data = json.loads(resp.get_data(as_text=True))
    events = data["events"]
    started = events[0]
    assert started["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"
    assert started["workflowExecutionStartedEventAttributes"]["workflowType"]["name"] == (
        "PartnerOnboardingWorkflow")
    scheduled = [e["activityTaskScheduledEventAttributes"]["activityType"]["name"] for e in events
                 if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"]
    assert scheduled == ["accept_application"]
    # Read back on the ops page, the file shows the history the live page shows.
    exported = ops.post("/ops/history", data={"history": (io.BytesIO(resp.data),
                                                          f"{failing.handle.id}.history.json")},
                        content_type="multipart/form-data")
    assert exported.status_code == 200
    live = ops.get(f"/ops/workflows/{failing.handle.id}").get_data(as_text=True)
    assert timeline_items(exported.get_data(as_text=True)) == timeline_items(live)


def test_pages_render_in_chinese(ops, onboardings):
    expected = {"/ops/": "最终一致", f"/ops/workflows/{onboardings.decided.handle.id}": "计时器已启动",
                "/ops/stuck": "逾期任务", "/ops/outbox": "发件箱"}
    try:
        for path, text in expected.items():
            resp = ops.get(path, query_string={"lang": "zh_Hans"})
            assert resp.status_code == 200 and text in resp.get_data(as_text=True), path
    finally:
        ops.get("/ops/", query_string={"lang": "en"})  # the session remembers the choice


# -- stuck work ------------------------------------------------------------------------------------

def _review_task(app, workflow_id: str, company: str, due_in: timedelta) -> str:
    """A review task of a new organisation in review; returns its title as the workflow writes it."""
    org_id = str(uuid.uuid4())
    reference = f"PA-{org_id[:8].upper()}"
    title = f"Review application {reference}: {company}"  # workflows/onboarding.py
    with app.extensions["prm.sessions"].begin() as s:
        s.add(Organisation(id=org_id, reference=reference, name=company, normalised_name=company.lower(),
                           domain=f"{org_id[:8]}.example", country="CN", partner_type="reseller",
                           status="in_review", workflow_id=f"wf-{org_id}"))
        s.flush()
        s.add(Task(id=f"ops-test-review-{uuid.uuid4().hex[:8]}", workflow_id=workflow_id,
                   task_type="review_application", form="review_decision.v1", title=title,
                   org_id=org_id, status="open", assignee_role="channel_manager",
                   due_at=datetime.now(timezone.utc) + due_in))
    return title


def test_stuck_lists_failing_workflows_and_overdue_tasks(app, ops, onboardings):
    overdue, punctual = f"Overdue {uuid.uuid4().hex[:6]} Ltd", f"Punctual {uuid.uuid4().hex[:6]} Ltd"
    stored = _review_task(app, onboardings.waiting.handle.id, overdue, -timedelta(hours=3))
    _review_task(app, onboardings.waiting.handle.id, punctual, timedelta(days=1))
    resp = _eventually(lambda: ops.get("/ops/stuck"),
                       lambda r: onboardings.failing.handle.id in r.get_data(as_text=True))
    html = resp.get_data(as_text=True)
    assert f"Review application: {overdue}" in html and stored not in html  # task_heading
    assert "channel manager" in html and ">Open</span></td>" in html
    assert punctual not in html
    assert onboardings.failing.handle.id in html and f"port {onboardings.smtp_down_port}" in html
    assert onboardings.waiting.handle.id in html  # only through its overdue task row
    assert onboardings.waiting.handle.id not in html.split("Failing activities")[1]


def test_a_chinese_ops_user_reads_stage_labels_in_the_workflow_list(chinese_ops, onboardings):
    waiting = onboardings.waiting
    resp = _eventually(lambda: chinese_ops.get(f"/ops/?partner={waiting.org_id}"),
                       lambda r: waiting.handle.id in r.get_data(as_text=True))
    html = resp.get_data(as_text=True)
    assert waiting.handle.id in html and ">审核中</span></td>" in html and ">运行中</span></td>" in html
    assert "in_review" not in html and ">running</span></td>" not in html
    # The status filter offers the labels and still submits the codes its query is built from.
    assert 'value="running" >运行中</option>' in html and 'value="timed_out" >已超时</option>' in html


def test_a_chinese_ops_user_reads_the_workflow_status(chinese_ops, onboardings):
    decided = chinese_ops.get(f"/ops/workflows/{onboardings.decided.handle.id}").get_data(as_text=True)
    assert '<dd class="status-completed"><span class="badge badge--ok">已完成</span></dd>' in decided
    waiting = chinese_ops.get(f"/ops/workflows/{onboardings.waiting.handle.id}").get_data(as_text=True)
    assert '<dd class="status-running"><span class="badge badge--info">运行中</span></dd>' in waiting
    # Search attributes stay Temporal's raw data, as ops write queries with them.
    assert "<dd>in_review</dd>" in waiting.split("<h2>搜索属性</h2>", 1)[1].split("<h2>", 1)[0]


def test_a_chinese_ops_user_reads_task_headings_and_stages_on_stuck_work(app, chinese_ops, onboardings):
    company = f"Overdue {uuid.uuid4().hex[:6]} 有限公司"
    stored = _review_task(app, onboardings.waiting.handle.id, company, -timedelta(hours=2))
    resp = _eventually(lambda: chinese_ops.get("/ops/stuck"),
                       lambda r: onboardings.failing.handle.id in r.get_data(as_text=True))
    html = resp.get_data(as_text=True)
    overdue, failing = html.split("failing-workflows", 1)
    # The heading the manager's task page shows (task_heading), the group by its label.
    assert f"审核申请：{company}" in overdue and "渠道经理" in overdue and ">待处理</span></td>" in overdue
    assert stored not in overdue and "Review application" not in overdue
    assert "channel_manager" not in overdue and ">open</span></td>" not in overdue
    # The failing application waits in review: its stage by its Chinese label, not its code.
    assert onboardings.failing.handle.id in failing and ">审核中</span></td>" in failing
    assert "in_review" not in failing


def test_malformed_run_id_is_404(ops, onboardings):
    assert ops.get(f"/ops/workflows/{onboardings.waiting.handle.id}?run_id=not-a-run-id").status_code == 404


def test_wedged_workflow_is_called_out(ops, onboardings):
    html = ops.get(f"/ops/workflows/{onboardings.wedged.handle.id}").get_data(as_text=True)
    assert "The workflow task has failed" in html
    # The failure in the timeline says what the code could not read.
    (failed,) = {i.split(" UTC ", 1)[1] for i in timeline_items(html) if "Workflow task failed" in i}
    assert "Failed decoding arguments" in failed and "OnboardingInput" in failed
    assert "reference Field required" in failed
    stuck = _eventually(lambda: ops.get("/ops/stuck"),
                        lambda r: onboardings.wedged.handle.id in r.get_data(as_text=True))
    assert "Workflow task, attempt" in stuck.get_data(as_text=True)
