"""All side effects. Activity classes receive their dependencies; the worker registers ACTIVITIES."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from settings import Settings

if TYPE_CHECKING:
    from activities.mailer import Mailer


def build_activities(settings: Settings, sessions: sessionmaker[Session],
                     mailer: "Mailer | None" = None) -> list[Callable]:
    # Imported here, not at the top: the web app imports activities.files (the file store), and
    # a package import that pulled in every activity (the agreement PDF's reportlab and Pillow,
    # aiosmtplib) cost each web process 11 MB it never uses.
    from activities.account_mail import AccountMailActivities
    from activities.digest import DigestActivities
    from activities.enablement import EnablementActivities
    from activities.mail import MailActivities
    from activities.mailer import SmtpMailer
    from activities.outbox import Outbox
    from activities.recruitment import RecruitmentActivities
    from activities.steps import StepActivities
    from activities.tasks import TaskActivities
    outbox = Outbox(sessions, mailer or SmtpMailer(settings), settings)
    tasks = TaskActivities(outbox, settings)
    recruitment = RecruitmentActivities(outbox, settings)
    mail = MailActivities(outbox)
    account_mail = AccountMailActivities(outbox, settings)
    # Activation starts the partner's enablement (after its commit): the steps call it.
    enablement = EnablementActivities(outbox, settings, recruitment)
    steps = StepActivities(outbox, tasks, recruitment, enablement.start_enablement)
    enablement.steps = steps
    digest = DigestActivities(outbox, settings)
    return [
        steps.accept_application, steps.issue_agreement, steps.activate_partner, steps.open_step,
        steps.close_step,
        tasks.task_checkpoint, recruitment.update_application, recruitment.set_stage,
        recruitment.record_signature, recruitment.activate_organisation,
        mail.send_mail, account_mail.send_account_mail, digest.send_digests,
        enablement.enablement_write, enablement.start_enablement,
    ]
