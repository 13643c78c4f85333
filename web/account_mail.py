"""The web app's one way to send account mail: start an AccountMailWorkflow and return.

The workflow id is the mail's key, with ALLOW_DUPLICATE_FAILED_ONLY: a key that was sent (or is
being sent) is never sent again, so a double submit or a retried request mails once, while a
mail whose workflow failed (ops terminated it) can be asked for again. The outbox's key is the
second guard, for after the namespace's retention has forgotten the workflow.
"""

from __future__ import annotations

from flask import current_app
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.accounts import AccountMailInput, account_mail_workflow_id
from web.temporal_bridge import TemporalUnavailable
from workflows.account_mail import AccountMailWorkflow

# A page that sends mail should answer quickly or say it could not: not hang for the bridge's
# default 30 s while Temporal is away.
START_TIMEOUT_S = 10.0


def send_account_mail(mail: AccountMailInput) -> None:
    """Raises TemporalUnavailable (a 503 page) when the mail could not be handed over."""
    settings = current_app.extensions["prm.settings"]

    async def start(client: Client) -> None:
        try:
            await client.start_workflow(
                AccountMailWorkflow.run, mail, id=account_mail_workflow_id(mail.key),
                task_queue=settings.temporal_task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                static_summary=f"Account mail {mail.template} to {mail.to}")
        except WorkflowAlreadyStartedError:
            pass  # this very mail is sent or on its way

    try:
        current_app.extensions["prm.temporal"].run(start, timeout=START_TIMEOUT_S)
    except TemporalUnavailable:
        raise
    except Exception as exc:  # a timeout or an RPC error: the mail was not handed over
        raise TemporalUnavailable(f"could not start account mail {mail.key}: {exc}") from exc
