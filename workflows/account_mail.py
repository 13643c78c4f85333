"""AccountMailWorkflow: one account mail the web app asked for, sent durably by the worker.

The web app must not wait on SMTP nor lose a mail when the mail server is down: it starts this
workflow (id from the mail's key, web/account_mail.py) and answers at once; the remote activity
retries with backoff for as long as an outage lasts (workflows/calls.py).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.accounts import AccountMailInput
    from workflows.calls import remote


@workflow.defn
class AccountMailWorkflow:
    @workflow.run
    async def run(self, mail: AccountMailInput) -> int:
        workflow.set_current_details(f"sending {mail.template} to {mail.to}")
        return await remote("send_account_mail", mail, int)
