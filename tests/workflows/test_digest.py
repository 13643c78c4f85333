"""DigestWorkflow on the time-skipping server with the real worker: one digest mail per person,
listing everything that waited for it, and a saved history that today's code replays."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import select

from db.models import Notification, User
from domain.notifications import DigestInput, DigestResult
from tests.conftest import unique_email
from tests.workflows.test_replay import replayer
from workflows import DigestWorkflow

HISTORIES = Path(__file__).resolve().parents[1] / "histories"


async def test_the_digest_workflow_mails_one_digest_with_both_items(harness):
    with harness.sessions.begin() as s:
        member = User(email=unique_email("digest"), name="Dee Digest", roles=["channel_manager"])
        s.add(member)
        s.flush()
        member_id, address = member.id, member.email
    # Two review tasks for the channel managers: with the default settings, digest items.
    handle, _, app = await harness.start()
    await harness.open_task(handle, "review_application")  # its notifications came with the row
    second, _, second_app = await harness.start()
    await harness.open_task(second, "review_application")
    assert harness.smtp.to(address) == []

    run = await harness.client.start_workflow(
        DigestWorkflow.run, DigestInput(key=""), id=f"test-daily-digest-{uuid.uuid4().hex[:12]}",
        task_queue=harness.settings.temporal_task_queue)
    result = await run.result()
    assert isinstance(result, DigestResult) and result.mails >= 1 and result.items >= 2
    [mail] = harness.smtp.to(address)
    assert mail.subject == "Your daily digest: 2 notifications"
    assert app["company_name"] in mail.body and second_app["company_name"] in mail.body
    with harness.sessions() as s:
        keys = set(s.scalars(select(Notification.digest_key).where(Notification.user_id == member_id)))
    assert keys == {f"digest/{run.id}/{member_id}"}  # the run's id is its key

    history = await run.fetch_history()
    replayed = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None, replayed.replay_failure
    if os.environ.get("PRM_RECORD_HISTORIES"):
        (HISTORIES / f"digest_daily__{run.id}.json").write_text(history.to_json())
    for h in (handle, second):
        await harness.stop(h)
