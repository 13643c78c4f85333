"""AccountMailWorkflow: the mail arrives with a working link that no history holds; replays."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.common import WorkflowIDReusePolicy
from temporalio.worker import Replayer

from domain.accounts import (PASSWORD_RESET_PURPOSE, AccountMailInput, LinkSpec,
                             account_mail_workflow_id)
from domain.tokens import link_token
from workflows import WORKFLOWS
from workflows.account_mail import AccountMailWorkflow
from workflows.client import DATA_CONVERTER

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
SAVED = sorted(HISTORIES.glob("account_mail_*.json"))


def _reset_mail(address: str) -> AccountMailInput:
    key = f"reset/7/{uuid.uuid4().hex[:12]}"
    return AccountMailInput(key=f"password-reset/{key}", to=address, template="password_reset",
                            context={"name": "Mia Manager", "minutes": 60},
                            link=LinkSpec(PASSWORD_RESET_PURPOSE, key, "/reset-password/"))


async def test_the_mail_goes_out_with_a_link_recomputed_outside_the_history(harness):
    address = f"mia-{uuid.uuid4().hex[:8]}@vendor.test"
    mail = _reset_mail(address)
    handle = await harness.client.start_workflow(
        AccountMailWorkflow.run, mail, id=account_mail_workflow_id(mail.key),
        task_queue=harness.settings.temporal_task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY)
    assert await handle.result() == 1

    received = await harness.smtp.arrival(lambda m: address in m.recipients)
    token = link_token(harness.settings.secret_key, PASSWORD_RESET_PURPOSE, mail.link.key)
    assert f"http://prm.test/reset-password/{token}" in received.body
    history = await handle.fetch_history()
    assert token not in history.to_json()  # the key is there, the usable link is not

    result = await Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER).replay_workflow(
        history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
    if os.environ.get("PRM_RECORD_HISTORIES"):
        (HISTORIES / f"account_mail_password_reset__{handle.id}.json").write_text(history.to_json())


def test_a_saved_account_mail_history_exists():
    assert SAVED, "tests/histories/ must hold an AccountMailWorkflow history (PRM_RECORD_HISTORIES=1)"
