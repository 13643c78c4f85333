"""The executed agreement, mailed to both parties once the company has countersigned.

Written by the activity that runs after the countersignature (activate_partner, and the older
runs' activate_organisation), in its transaction, through the outbox: no workflow code knows of
it, and a retried activity finds its rows and renders nothing again. Each party gets it in their
own language: the mail, and the PDF's signature page and times (the agreement's text stays the
one that was signed). The partner's copy goes to the person who signed (the signing task's
address), the company's to the channel manager who countersigned.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from activities.agreement_text import translations_for
from activities.outbox import Attachment, Outbox, Recipient
from db.models import Agreement, Organisation, OutboxMail, Task, User
from domain import ids, notes
from domain.dates import format_when
from domain.agreement_pdf import pdf_filename, stored_agreement_pdf
from domain.phrases import translated
from domain.roles import Role, may_act_as
from settings import Settings

log = logging.getLogger(__name__)
TEMPLATE = "agreement_executed"
EXECUTED = "countersigned"


def enqueue_executed_agreement(outbox: Outbox, settings: Settings, session: Session,
                               workflow_id: str) -> list[str]:
    """The outbox keys of both parties' mails, once the agreement is countersigned (none before)."""
    agreement = session.get(Agreement, ids.agreement_id(workflow_id))
    if agreement is None or agreement.status != EXECUTED:
        return []
    org = session.get(Organisation, agreement.org_id)
    keys: list[str] = []
    pdfs: dict[str, bytes] = {}  # by language: a PDF costs tens of milliseconds, made once
    signer = _signer_address(session, workflow_id, org)
    if signer:
        keys += _enqueue(outbox, settings, session, agreement, org, "partner",
                         Recipient(signer, org.locale, _zone_of(session, signer, settings)),
                         org.application.get("contact_name", ""),
                         pdfs, portal_path=f"/portal/agreements/{agreement.id}")
    manager = _countersigner(session, workflow_id)
    if manager is not None:
        keys += _enqueue(outbox, settings, session, agreement, org, "company",
                         Recipient(manager.email, manager.locale,
                                   manager.time_zone or settings.default_time_zone), manager.name, pdfs)
    return keys


def _enqueue(outbox: Outbox, settings: Settings, session: Session, agreement: Agreement,
             org: Organisation, party: str, to: Recipient, name: str, pdfs: dict[str, bytes],
             portal_path: str | None = None) -> list[str]:
    key = ids.mail_key(agreement.workflow_id, f"agreement-executed/{party}")
    if session.scalar(select(OutboxMail.id).where(OutboxMail.key == key)) is not None:
        return [key]  # a retry: rendered, attached and stored the first time
    gettext = translations_for(to.locale).ugettext
    signed = {s.party: s for s in agreement.signatures}
    context = {
        "name": name, "company": org.name, "reference": org.reference,
        "sha256": agreement.sha256,
        "partner_signer": signed["partner"].full_name,
        "partner_signed_at": _time(signed["partner"].signed_at, to),
        "company_signer": translated(signed["company"].full_name, notes.ACTORS, gettext),
        "company_signed_at": _time(signed["company"].signed_at, to),
        "portal": settings.base_url + portal_path if portal_path else "",
    }
    if to.locale not in pdfs:
        pdfs[to.locale] = stored_agreement_pdf(agreement, gettext, lambda t: _time(t, to))
    pdf = Attachment(pdf_filename(org.reference), "application/pdf", pdfs[to.locale])
    return outbox.enqueue(session, key, [to], TEMPLATE, context, org.id, attachments=(pdf,))


def _signer_address(session: Session, workflow_id: str, org: Organisation) -> str:
    """Whoever the signing link went to (the application's contact when it was sent)."""
    sign = session.get(Task, ids.task_id(workflow_id, "sign", 1))
    return (sign.assignee_email if sign is not None and sign.assignee_email
            else (org.application or {}).get("contact_email", ""))


def _countersigner(session: Session, workflow_id: str) -> User | None:
    """The manager who countersigned. The task row keeps the decider's name (and the holder, when
    it was claimed): the holder when the names agree, else the one staff user of that name who
    may countersign. None when the program countersigns automatically, or when two managers
    share the name (then neither is guessed at; the partner's copy still goes)."""
    task = session.get(Task, ids.task_id(workflow_id, "countersign", 1))
    if task is None or not task.completed_by:
        return None
    if task.claimed_by_id is not None:
        holder = session.get(User, task.claimed_by_id)
        if holder is not None and holder.name == task.completed_by:
            return holder
    named = [u for u in session.scalars(select(User).where(
        User.name == task.completed_by, User.org_id.is_(None), User.active.is_(True)))
        if may_act_as(u.roles or [], Role.CHANNEL_MANAGER)]
    if len(named) != 1:
        log.warning("executed agreement of %s: %d staff users named %r, no company copy mailed",
                    workflow_id, len(named), task.completed_by)
        return None
    return named[0]


def _zone_of(session: Session, email: str, settings: Settings) -> str:
    """The signer's own zone once they have an account, else the program's default."""
    zone = session.scalar(select(User.time_zone).where(User.email == email.strip().lower()))
    return zone or settings.default_time_zone


def _time(value: datetime, to: Recipient) -> str:
    """As pages show times (domain/dates.py): the reader's format and zone, named."""
    return format_when(value, to.locale, to.time_zone or "UTC", "seconds")
