"""All side effects. Activity classes receive their dependencies; the worker registers ACTIVITIES."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from activities.account_mail import AccountMailActivities
from activities.digest import DigestActivities
from activities.enablement import EnablementActivities
from activities.mail import MailActivities
from activities.mailer import Mailer, SmtpMailer
from activities.outbox import Outbox
from activities.recruitment import RecruitmentActivities
from activities.steps import StepActivities
from activities.tasks import TaskActivities
from settings import Settings


def build_activities(settings: Settings, sessions: sessionmaker[Session],
                     mailer: Mailer | None = None) -> list[Callable]:
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
