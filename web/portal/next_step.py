"""What the portal's home says is the partner's to do next: an open task of theirs first (a call
to action linking to it), otherwise what they are waiting for, from their organisation's stage."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from db.models import Organisation, Task

# What a partner with nothing to do is waiting for, by stage; a stage missing here says nothing.
WAITING_FOR = {
    "submitted": _l("We have your application and are checking it; we will email you the outcome."),
    "in_review": _l("Your application is in review: a channel manager decides and emails you. "
                    "Nothing is needed from you meanwhile."),
    "more_info": _l("We asked you for more information by email: answer through the link in "
                    "that mail."),
    "agreement_out": _l("Your partner agreement is waiting for your signature: sign it through "
                        "the link we emailed you."),
    "countersign": _l("You signed the agreement: we are countersigning it and will email you."),
    "awaiting_contact": _l("We are inviting a new contact of your organisation to the portal."),
    "active": _l("Nothing is waiting for you. Your channel manager is there for any question."),
    "rejected": _l("Your application was not accepted: the email we sent says why."),
    "expired": _l("Your application was closed because a deadline passed: you may apply again."),
}


@dataclass(frozen=True)
class NextStep:
    text: str
    link: str | None = None      # the task to open, when there is one
    link_text: str = ""


def next_step(org: Organisation, open_tasks: list[Task]) -> NextStep:
    """`open_tasks`: the organisation's own open tasks, the most urgent first."""
    if open_tasks:
        task = open_tasks[0]
        from web.portal.enablement import enablement_heading  # a plan task by its item's title
        return NextStep(enablement_heading(task), url_for("portal.task", task_id=task.id),
                        str(_l("Open the task")))
    return NextStep(str(WAITING_FOR.get(org.status, "")))
