"""SIGKILL the worker while 20 applications are in flight, start a new one: every application
still reaches its review task and every applicant gets exactly one confirmation mail.

The applications go in through the real Flask app's /apply, as applicants send them. The mail
server holds its door after the first three confirmations, so the kill lands while the other
confirmation sends are in flight (their activities started, their review rows written with the
application, their SMTP sessions waiting) — deterministically, without slowing product code.

The kill is aimed at a moment when every mail the server accepted is also marked sent in the
outbox. A kill in the few milliseconds between the server's "250" and that bookkeeping would make
the retried activity send the mail again: SMTP cannot be exactly-once, which is why the outbox
keeps one Message-ID per key (receivers and the ops mailbox can drop the duplicate). This test
asserts what the outbox does promise: no mail is lost and none is sent twice by a retry.
"""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from db.models import Organisation, OutboxMail, Task
from domain import ids
from tests.conftest import application
from tests.faults.conftest import fault_settings, run, wait_until
from tests.web.conftest import nonce_of
from web import create_app
from workflows import PartnerOnboardingWorkflow

pytestmark = pytest.mark.slow

APPLICATIONS = 20
LET_THROUGH = 3
# A send that was in flight on the killed worker is retried once its heartbeat timeout (10 s,
# workflows/calls.py) expires: the server cannot tell a dead worker from a slow one sooner.
RECOVERY_TIMEOUT = 150.0


def is_confirmation(mail) -> bool:
    return "received" in mail.subject


def open_review_tasks(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Task).where(
            Task.task_type == "review_application", Task.status == "open"))


def sent_confirmations(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.key.like("%/application_received/%"), OutboxMail.status == "sent"))


def submit(client, number: int) -> tuple[str, str]:
    """Applicant `number` filling in /apply from their own address (the form allows ten
    applications an hour per address): returns (reference, contact email)."""
    address = {"REMOTE_ADDR": f"198.51.100.{number + 1}"}
    nonce = nonce_of(client.get("/apply", environ_base=address).get_data(as_text=True))
    data = application()
    response = client.post("/apply", data={**data, "form_nonce": nonce}, environ_base=address)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1], data["contact_email"]


def test_worker_killed_mid_flight_every_application_reaches_review_with_one_confirmation(
        app_db, mail_server, processes):
    url, sessions = app_db
    server = processes.dev_server()
    settings = fault_settings(url, server, mail_server)
    mail_server.hold(allow=LET_THROUGH)
    first = processes.worker(settings)

    web = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    try:
        client = web.test_client()
        submitted = [submit(client, n) for n in range(APPLICATIONS)]
    finally:
        web.extensions["prm.temporal"].close()
    references = [ref for ref, _ in submitted]
    assert len(set(references)) == APPLICATIONS

    # In flight: a review task open, confirmations delivered (and booked as sent), the rest of
    # the confirmation sends held mid-send.
    wait_until(lambda: open_review_tasks(sessions) >= 1 and mail_server.waiting > 0
               and sent_confirmations(sessions) >= LET_THROUGH,
               "a review task to open while other confirmations wait at the mail server", 60)
    tasks_at_kill, waiting_at_kill = open_review_tasks(sessions), mail_server.waiting
    sent_at_kill = sent_confirmations(sessions)
    killed_at = time.monotonic()
    first.kill()
    assert first.process.returncode == -signal.SIGKILL
    # The review row is written with the application, before its mail goes out: what the kill
    # interrupts is the activity, whose workflow waits for it to finish sending.
    assert sent_at_kill < APPLICATIONS, "the kill must land before every confirmation is out"
    assert waiting_at_kill > 0, "confirmation sends must be in flight at the kill"

    mail_server.release()
    processes.worker(settings)
    wait_until(lambda: open_review_tasks(sessions) >= APPLICATIONS and run(
                   waiting_on_review, settings, workflows_of(sessions, references)) == APPLICATIONS,
               f"{APPLICATIONS} workflows waiting on their review after the restart",
               RECOVERY_TIMEOUT, interval=0.5)
    recovered_in = time.monotonic() - killed_at
    print(f"\nkilled with {tasks_at_kill} review rows written, {sent_at_kill} confirmations sent "
          f"and {waiting_at_kill} sends in flight; all {APPLICATIONS} workflows waiting on review "
          f"{recovered_in:.1f}s after the kill")

    with sessions() as s:
        orgs = s.scalars(select(Organisation).where(Organisation.reference.in_(references))).all()
        assert len(orgs) == APPLICATIONS
        workflow_ids = {o.workflow_id for o in orgs}
        by_workflow = Counter(s.scalars(select(Task.workflow_id).where(
            Task.task_type == "review_application", Task.status == "open")))
        assert by_workflow == Counter({w: 1 for w in workflow_ids})  # one review task each, no more
        for task_id in (ids.task_id(w, "review", 1) for w in workflow_ids):
            assert s.get(Task, task_id) is not None, task_id
        confirmations = s.scalars(select(OutboxMail).where(
            OutboxMail.key.like("%/application_received/%"))).all()
    rows_per_workflow = Counter(row.key.split("/", 1)[0] for row in confirmations)
    assert rows_per_workflow == Counter({w: 1 for w in workflow_ids})
    assert len({row.key for row in confirmations}) == APPLICATIONS
    assert {row.status for row in confirmations} == {"sent"}

    # The mail was booked sent only after the server took it, so it has arrived by now.
    received = Counter(r.lower() for m in mail_server.received if is_confirmation(m)
                       for r in m.recipients)
    assert {email.lower(): received[email.lower()] for _, email in submitted} == \
        {email.lower(): 1 for _, email in submitted}
    assert sum(received.values()) == APPLICATIONS
    message_ids = [m.message_id for m in mail_server.received if is_confirmation(m)]
    assert sorted(message_ids) == sorted(row.message_id for row in confirmations)

    print(run(retried_sends, settings, workflow_ids))


def workflows_of(sessions, references: list[str]) -> list[str]:
    with sessions() as s:
        return list(s.scalars(select(Organisation.workflow_id)
                              .where(Organisation.reference.in_(references))))


async def waiting_on_review(client, workflow_ids) -> int:
    """Workflows past their first activity: nothing pending, an open review task in their state."""
    waiting = 0
    for workflow_id in workflow_ids:
        handle = client.get_workflow_handle(workflow_id)
        if not (await handle.describe()).raw_description.pending_activities:
            status = await handle.query(PartnerOnboardingWorkflow.get_status)
            waiting += status.open_task_id is not None
    return waiting


async def retried_sends(client, workflow_ids) -> str:
    """What the recovery time consists of: sends lost with the worker wait out their timeout."""
    retried, causes = 0, Counter()
    for workflow_id in workflow_ids:
        async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
            started = event.activity_task_started_event_attributes
            if event.HasField("activity_task_started_event_attributes") and started.attempt > 1:
                retried += 1
                causes[started.last_failure.message] += 1
    return f"activities retried after the kill: {retried} ({dict(causes)})"
