"""The saved PartnerOnboardingWorkflow histories (tests/histories/, frozen) read on the ops page,
as an operator reading an exported history would: POST /ops/history with the file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from db.session import make_sessions
from devstack.ports import free_port
from devstack.seed import seed
from settings import Settings
from tests.ops.pages import demo, login, timeline_items
from web import create_app
from web.ops.steps import STEPS

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
SAVED = sorted(HISTORIES.glob("partner_onboarding_*.json"))

# What an operator must read on each one, in this order (each a part of one event's text).
STORIES = {
    "partner_onboarding_rejected": [
        "Workflow started", "Record and screen the application, open its review",
        "Opens task Review application PA-CM4R7NJQ: Acme 3587bc2b Ltd", "Stage In review",
        "Update accepted", "Who Mia Manager", "Decision Rejected", "Reason No coverage",
        "Update completed Update complete_task",  # by name: this server's event has no accepted id
        "Screening nothing to flag",  # the activity completes after the decision was taken
        "Close a decided task", "Closes task Review application PA-CM4R7NJQ",
        "Send mail", "Mail application_rejected → li.wei@acme-3587bc2b.com",
        "Workflow completed",
    ],
    "partner_onboarding_expired_review": [
        "Workflow started", "Opens task Review application PA-C4YXJ2GZ", "Screening nothing to flag",
        "Timer fired", "A task's deadline: remind or escalate", "Checkpoint remind: half time",
        "Timer fired", "Checkpoint escalate: deadline passed", "program_lead",
        "Timer fired", "Local activity completed Close a decided task",
        "Mail application_expired → li.wei@acme-510890e5.com", "Mail review_expired → program_lead",
        "Workflow completed",
    ],
    "partner_onboarding_more_info_then_activated": [
        "Workflow started", "Opens task Review application PA-TADWV8Z5: Acme 4bd67f69 Ltd",
        "Screening nothing to flag",
        "Update accepted", "Who Mia Manager", "Decision More information requested", "Reason Cities?",
        "Opens task Add the information requested for PA-TADWV8Z5",
        "Stage More information requested",
        "Update accepted", "Who Li Wei", "Task Add the information requested for PA-TADWV8Z5",
        "Record the changed application and screen it again",
        "Opens task Review application PA-TADWV8Z5", "Checkpoint escalate: deadline passed",
        "Decision Approved",
        "Issue the agreement and open its signing", "Opens task Sign Partner agreement: Acme 4bd67f69 Ltd",
        "Stage Agreement sent for signature", "Checkpoint remind: 7 days left",
        "Who Li Wei", "Task Sign Partner agreement", "Record a signature",
        "Opens task Countersign Partner agreement", "Stage Awaiting countersignature",
        "Who Mia Manager", "Task Countersign Partner agreement", "Record a signature",
        "Activate the partner and invite its administrator",
        "Administrator Li Wei <li.wei@acme-4bd67f69.com>",
        "Closes task Countersign Partner agreement", "Workflow completed",
    ],
}


@pytest.fixture(scope="module")
def ops(sqlite_database_url):
    """An ops user's browser, and no Temporal server at all: the page reads the file alone."""
    settings = Settings(database_url=sqlite_database_url, temporal_address=f"127.0.0.1:{free_port()}",
                        secret_key="ops-test-secret", base_url="http://prm.test", mailbox_dir="")
    sessions = make_sessions(settings.database_url)
    seed(sessions)
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    user = demo("ops")
    yield login(app, user.email, user.password)
    app.extensions["prm.temporal"].close()


def _read(ops, path: Path, **form):
    return ops.post("/ops/history", data={"history": (io.BytesIO(path.read_bytes()), path.name), **form},
                    content_type="multipart/form-data")


def test_every_story_names_a_saved_history():
    assert {p.stem.split("__", 1)[0] for p in SAVED} >= set(STORIES)


@pytest.mark.parametrize("scenario", sorted(STORIES))
def test_a_saved_history_reads_as_its_story(ops, scenario):
    (path,) = [p for p in SAVED if p.stem.split("__", 1)[0] == scenario]
    resp = _read(ops, path)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    workflow_id = path.stem.split("__", 1)[1]
    assert f"<code>{workflow_id}</code>" in html
    assert "<h1>Partner application PA-" in html            # the start's static summary
    assert "<dd>PartnerOnboardingWorkflow</dd>" in html
    assert '<dd class="status-completed"><span class="badge badge--ok">Completed</span></dd>' in html
    assert "Read from an exported history file" in html and "Download the history as JSON" not in html
    text = timeline_items(html)
    position = 0
    for expected in STORIES[scenario]:
        found = next((i for i in range(position, len(text)) if expected in text[i]), None)
        assert found is not None, f"{expected!r} not after event {text[position][:60]!r}"
        position = found


@pytest.mark.parametrize("path", SAVED, ids=[p.stem.split("__", 1)[0] for p in SAVED])
def test_every_activity_of_a_saved_history_says_what_it_does(ops, path):
    """A new activity needs its sentence in web/ops/steps.py, or ops reads a bare name."""
    events = json.loads(path.read_text())["events"]
    names = {e["activityTaskScheduledEventAttributes"]["activityType"]["name"]
             for e in events if "activityTaskScheduledEventAttributes" in e}
    assert names and names <= set(STEPS), names - set(STEPS)
    html = _read(ops, path).get_data(as_text=True)
    scheduled = [i for i in timeline_items(html) if "Activity scheduled" in i]
    assert len(scheduled) == sum("activityTaskScheduledEventAttributes" in e for e in events)
    assert all(any(str(STEPS[n]) in i for n in names) for i in scheduled)


def test_routine_events_on_request(ops):
    path = SAVED[0]
    quiet = timeline_items(_read(ops, path).get_data(as_text=True))
    every = timeline_items(_read(ops, path, all="1").get_data(as_text=True))
    assert not any("Workflow task scheduled" in i for i in quiet)
    assert len(every) == len(json.loads(path.read_text())["events"])


def test_a_file_that_is_not_a_history_is_refused(ops):
    for body in (b"not json", b'{"events": []}', json.dumps({"events": [{"eventId": "1"}]}).encode(),
                 "\xff".encode("latin-1")):
        resp = ops.post("/ops/history", data={"history": (io.BytesIO(body), "x.json")},
                        content_type="multipart/form-data")
        assert resp.status_code == 400, body
        assert "not a Temporal workflow history" in resp.get_data(as_text=True)
    assert ops.post("/ops/history", data={}, content_type="multipart/form-data").status_code == 400


def test_a_chinese_ops_user_reads_the_steps_in_chinese(ops):
    (path,) = [p for p in SAVED if p.stem.startswith("partner_onboarding_rejected__")]
    try:
        resp = ops.post("/ops/history?lang=zh_Hans",
                        data={"history": (io.BytesIO(path.read_bytes()), path.name)},
                        content_type="multipart/form-data")
        text = timeline_items(resp.get_data(as_text=True))
        scheduled = next(i for i in text if "记录申请并进行资格初审，开启审核" in i)
        assert "开启的任务 Review application PA-CM4R7NJQ" in scheduled  # the title is data: as written
        assert any("已驳回" in i for i in text if "Mia Manager" in i)  # the decision's label
        assert "读取自导出的历史文件" in resp.get_data(as_text=True)
    finally:
        ops.get("/ops/", query_string={"lang": "en"})
