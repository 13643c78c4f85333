"""Stop the Temporal dev server while applications wait on review, start it again on the same
SQLite file and port: the applications are still running and their reminder timers still fire.

The worker is a `python worker.py` subprocess that stays up throughout: it must find the server
again by itself, as a production worker does when its cluster restarts. The stop is tried both
ways: SIGTERM (an orderly shutdown) and SIGKILL (a crash; committed SQLite WAL data survives it).
"""

from __future__ import annotations

import dataclasses
import signal
import time
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus

from db.models import Task, User
from definitions.loader import load_program
from domain import ids
from domain.onboarding import OnboardingStatus, Stage
from tests.faults.conftest import fault_settings, run, start_application, wait_until
from workflows.onboarding import PartnerOnboardingWorkflow

pytestmark = pytest.mark.slow

APPLICATIONS = 3
# Reminder at half the SLA (10 s after the task opens): long enough for the stop and the restart
# to happen while every timer is pending, short enough for a quick test. A long grace keeps the
# fallback (expiry) out of the way.
RULES = dataclasses.replace(load_program(), review_sla=timedelta(seconds=20),
                            review_escalation_grace=timedelta(minutes=30))
MANAGER = "manager@prm.test"
OUTAGE = 3.0  # seconds with no server at all: the worker's polls fail and back off meanwhile


def is_reminder(mail) -> bool:
    return mail.subject.startswith("Reminder:")


async def reminder_timer_started(client, workflow_id: str) -> bool:
    """True once the workflow waits on the review's first checkpoint (a durable timer)."""
    handle = client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events():
        if event.HasField("timer_started_event_attributes"):
            return True
    return False


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_dev_server_restart_while_waiting_on_review_keeps_workflows_and_timers(
        app_db, mail_server, processes, tmp_path, stop_signal):
    url, sessions = app_db
    with sessions.begin() as s:  # reminders go to the channel managers
        s.add(User(email=MANAGER, name="Manager on duty", roles=["channel_manager"]))
    server = processes.dev_server(db_file=tmp_path / "temporal.db")
    settings = fault_settings(url, server, mail_server)
    worker = processes.worker(settings)

    async def start_all(client):
        return [(await start_application(client, settings, RULES)).id for _ in range(APPLICATIONS)]
    workflow_ids = run(start_all, settings)
    task_ids = [ids.task_id(w, "review", 1) for w in workflow_ids]

    def all_waiting() -> bool:
        async def check(client):
            return all([await reminder_timer_started(client, w) for w in workflow_ids])
        return run(check, settings)
    wait_until(all_waiting, "every application to wait on its review timer", 30, interval=0.2)
    with sessions() as s:
        assert [s.get(Task, t).status for t in task_ids] == ["open"] * APPLICATIONS
    assert not any(map(is_reminder, mail_server.received)), "the restart must come before the reminders"

    stopped_at = time.monotonic()
    server.stop(stop_signal)
    assert server.process.returncode is not None
    time.sleep(OUTAGE)
    restarted = processes.dev_server(db_file=tmp_path / "temporal.db", port=server.port)
    downtime = time.monotonic() - stopped_at
    assert restarted.address == settings.temporal_address  # the worker and clients keep their address

    async def describe_all(client):
        out = []
        for w in workflow_ids:
            handle = client.get_workflow_handle(w)
            status: OnboardingStatus = await handle.query(PartnerOnboardingWorkflow.get_status)
            out.append(((await handle.describe()).status, status.stage, status.open_task_id))
        return out
    assert run(describe_all, settings) == [
        (WorkflowExecutionStatus.RUNNING, Stage.IN_REVIEW, t) for t in task_ids]

    def reminders_for_all():  # none had gone out before the stop (asserted above)
        subjects = [m.subject for m in mail_server.received if is_reminder(m)]
        return len(subjects) >= APPLICATIONS and subjects
    wait_until(reminders_for_all, "a half-time reminder for every application after the restart", 45,
               interval=0.2)
    print(f"\n{stop_signal.name}: server down for {downtime:.1f}s; reminders "
          f"{time.monotonic() - stopped_at:.1f}s after the stop")

    reminders = [m for m in mail_server.received if is_reminder(m)]
    with sessions() as s:
        tasks = [s.get(Task, t) for t in task_ids]
    for task in tasks:
        mails = [m for m in reminders if task.title in m.subject]
        assert len(mails) == 1, (task.title, [m.subject for m in reminders])
        assert mails[0].recipients == [MANAGER]
        assert (task.status, task.reminders_sent, task.escalated) == ("open", 1, False)
    assert len(reminders) == APPLICATIONS
    assert worker.alive(), "the worker rode out the restart and did the work"
    assert len(processes.workers) == 1
