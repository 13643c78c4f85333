"""The daily digest's Temporal Schedule on the real dev server: created by the worker's start
(workflows/schedules.py) with its policies, listed on the ops index, paused and resumed there, and
kept paused when a worker starts again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import ScheduleActionStartWorkflow, ScheduleOverlapPolicy
from temporalio.service import RPCError

from tests.ops.pages import demo, login, table_rows
from workflows.schedules import declared, ensure_schedules

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def temporal(app):
    return app.extensions["prm.temporal"].run


@pytest.fixture(scope="module")
def digest_id(app, temporal, ops_settings):
    [item] = declared(ops_settings)
    yield item.schedule_id
    try:
        temporal(lambda c: c.get_schedule_handle(item.schedule_id).delete())
    except RPCError:
        pass  # never created: the test failed before the worker's start


def describe(temporal, schedule_id):
    return temporal(lambda c: c.get_schedule_handle(schedule_id).describe())


def schedule_row(page: str, schedule_id: str) -> list[str]:
    return next(r for r in table_rows(page, "ops-table schedules") if r and r[0] == schedule_id)


def test_the_worker_creates_the_digest_schedule_and_ops_pause_and_resume_it(
        app, temporal, ops_settings, digest_id):
    ops = login(app, demo("ops").email, demo("ops").password)
    assert "Not created yet" in " ".join(schedule_row(ops.get("/ops/").get_data(as_text=True),
                                                      digest_id))

    assert temporal(lambda c: ensure_schedules(c, ops_settings)) == [digest_id]
    schedule = describe(temporal, digest_id).schedule
    assert schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert schedule.policy.catchup_window == timedelta(hours=5)
    assert schedule.spec.time_zone_name == ops_settings.digest_time_zone == "UTC"
    assert isinstance(schedule.action, ScheduleActionStartWorkflow)
    assert schedule.action.workflow == "DigestWorkflow"
    assert schedule.action.task_queue == ops_settings.temporal_task_queue
    row = schedule_row(ops.get("/ops/").get_data(as_text=True), digest_id)
    assert row[2] == "Running created by the worker" and "UTC" in row[3]

    assert ops.post(f"/ops/schedules/{digest_id}/pause").status_code == 302
    state = describe(temporal, digest_id).schedule.state
    assert state.paused and state.note == "paused by Liu Yang from the ops pages"
    temporal(lambda c: ensure_schedules(c, ops_settings))  # a worker (re)starting
    assert describe(temporal, digest_id).schedule.state.paused
    page = ops.get("/ops/").get_data(as_text=True)
    assert schedule_row(page, digest_id)[2].startswith("Paused")
    assert f'action="/ops/schedules/{digest_id}/resume"' in page

    assert ops.post(f"/ops/schedules/{digest_id}/resume").status_code == 302
    assert not describe(temporal, digest_id).schedule.state.paused
    assert ops.post("/ops/schedules/someone-elses-schedule/pause").status_code == 404


def test_a_manager_cannot_pause_a_schedule(app, digest_id):
    manager = login(app, demo("channel_manager").email, demo("channel_manager").password)
    assert manager.post(f"/ops/schedules/{digest_id}/pause").status_code in (403, 404)
