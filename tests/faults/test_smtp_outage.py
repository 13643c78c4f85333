"""The mail server is down when an application arrives, and comes up a while later: every mail of
that moment (the applicant's confirmation, each manager's review notice) is sent exactly once,
and meanwhile the ops pages show each mail's attempts and the last error.

Nothing is stubbed: a worker process runs the real activities against a dev server, Temporal
retries the failing activity with the backoff of workflows/calls.py, and the mail server is a real
aiosmtpd one that starts listening on its port only once the test lets it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from html import unescape

import pytest
from sqlalchemy import select

from db.models import NotificationPreference, OutboxMail, Task, User
from devstack.ports import free_port
from devstack.seed import DEMO_USERS, seed
from devstack.smtp import SmtpCatcher
from domain.program import ProgramRules
from settings import Settings
from tests.faults.conftest import run, start_application, wait_until
from web import create_app

pytestmark = pytest.mark.slow

ATTEMPTS_WHILE_DOWN = 3  # retried after 1 s and 2 s more (REMOTE_RETRY): about 3 s of outage
MANAGERS = [u.email for u in DEMO_USERS if u.role in ("channel_manager", "program_lead")]


async def _start(client, settings: Settings) -> str:
    return (await start_application(client, settings, ProgramRules())).id


async def _pending_activities(client, workflow_id: str) -> list:
    return list((await client.get_workflow_handle(workflow_id).describe())
                .raw_description.pending_activities)


def _ops_client(app):
    ops = next(u for u in DEMO_USERS if u.role == "ops")
    client = app.test_client()
    assert client.post("/login", data={"email": ops.email, "password": ops.password}).status_code == 302
    return client


def _row_of(html: str, subject: str, recipient: str) -> list[str]:
    """The cells of the outbox table's row for this mail."""
    for row in re.findall(r"<tr class=\"outbox-[^\"]*\">(.*?)</tr>", html, re.S):
        if subject in row and recipient in row:
            return [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                    for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no outbox row for {subject!r} to {recipient}")


def test_mail_waits_out_an_smtp_outage_and_goes_once(app_db, processes):
    url, sessions = app_db
    seed(sessions)
    with sessions.begin() as s:
        # The managers chose a mail for each group task (the default is the daily digest, issue
        # 9): the review notice is then a mail per manager, sent by the one activity.
        for user in s.scalars(select(User).where(User.email.in_(MANAGERS))):
            s.merge(NotificationPreference(user_id=user.id, kind="group_task", delivery="each"))
    server = processes.dev_server()
    port = free_port()  # nothing listens here yet: connections are refused
    settings = Settings(database_url=url, temporal_address=server.address,
                        temporal_task_queue=f"prm-outage-{uuid.uuid4().hex[:8]}",
                        smtp_host="127.0.0.1", smtp_port=port, secret_key="outage-test-secret",
                        base_url="http://prm.test", mailbox_dir="")
    processes.worker(settings)
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    catcher = SmtpCatcher(port=port)
    try:
        workflow_id = run(_start, settings, settings)

        def rows() -> list[OutboxMail]:
            with sessions() as s:
                return list(s.scalars(select(OutboxMail)))

        def retried() -> list[OutboxMail]:
            found = rows()
            return found if len(found) == 1 + len(MANAGERS) and all(
                r.attempts >= ATTEMPTS_WHILE_DOWN for r in found) else []

        down = wait_until(retried, "every mail tried three times while the server is down", 60)
        assert all(r.status == "pending" for r in down)
        confirmation = next(r for r in down if r.recipients[0] not in MANAGERS)
        contact = confirmation.recipients[0]

        # Meanwhile: ops see each mail waiting, how often it was tried, and why it failed.
        ops = _ops_client(app)
        outbox = ops.get("/ops/outbox").get_data(as_text=True)
        for r in down:
            *_, status, attempts, error = _row_of(outbox, r.subject, r.recipients[0])
            assert status == "Pending" and int(attempts) >= ATTEMPTS_WHILE_DOWN
            assert error.startswith("SMTPConnectError: ") and f"on port {port}" in error
        workflow = ops.get(f"/ops/workflows/{workflow_id}").get_data(as_text=True)
        pending = workflow.split('class="ops-table pending-activities"', 1)[1].split("</table>", 1)[0]
        assert "accept_application" in pending and f"on port {port}" in pending

        catcher.start()  # the server is back

        def all_sent() -> bool:
            return all(r.status == "sent" for r in rows())

        wait_until(all_sent, "every mail sent once the server is up", 60)
        wait_until(lambda: not run(_pending_activities, settings, workflow_id),
                   "the activity completed", 30, interval=0.5)
        with sessions() as s:
            assert s.scalar(select(Task).where(Task.workflow_id == workflow_id)) is not None
        time.sleep(2.0)  # a duplicate, if a retry were to send again, would have arrived by now
        received = catcher.received
        # Each row's Message-ID arrived once, and nothing else did.
        assert Counter(m.message_id for m in received) == Counter(r.message_id for r in rows())
        assert sorted(m.recipients[0] for m in received) == sorted([contact, *MANAGERS])

        after = ops.get("/ops/outbox").get_data(as_text=True)
        status, attempts = _row_of(after, confirmation.subject, contact)[3:5]
        assert status == "Sent" and int(attempts) > ATTEMPTS_WHILE_DOWN
    finally:
        if catcher.started:
            catcher.stop()
        app.extensions["prm.temporal"].close()
