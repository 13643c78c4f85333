"""Recruitment's database work: the application, screening, stages, agreement, activation."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from temporalio import activity

from activities.agreement_mail import enqueue_executed_agreement
from activities.agreement_text import language_for, render_agreement
from activities.base import BusinessError, hold
from activities.outbox import Outbox, Recipient, SecretLink
from db.models import (Agreement, Invitation, Organisation, Signature, TimelineEvent, User,
                       utcnow)
from domain import ids, notes
from domain.onboarding import (ActivationInput, ActivationResult, AgreementDocument,
                               AgreementInput, RecordApplicationInput, ScreeningResult, SignatureRecord, Stage,
                               StageChange, agreement_title)
from domain.roles import Role
from domain.screening import (KnownOrganisation, ScreeningFlag, contact_has_account,
                              normalise_domain, normalise_name, screen)
from domain.tokens import link_token, token_hash
from settings import Settings

# Closed applications are history, not rivals: only these count as duplicates.
LIVE_STATUSES = [s.value for s in Stage if s not in (Stage.REJECTED, Stage.EXPIRED)]


class RecruitmentActivities:
    def __init__(self, outbox: Outbox, settings: Settings) -> None:
        self._outbox = outbox
        self._settings = settings

    @activity.defn(name="update_application")
    async def update_application(self, inp: RecordApplicationInput) -> ScreeningResult:
        def write(session: Session) -> ScreeningResult:
            org = session.get(Organisation, inp.org_id)
            for name, value in _org_fields(inp.application).items():
                setattr(org, name, value)
            session.flush()
            return _screen(session, org)

        return await self._outbox.in_transaction(write)

    @activity.defn(name="set_stage")
    async def set_stage(self, change: StageChange) -> None:
        await self._outbox.in_transaction(lambda session: record_stage(session, change))

    def write_agreement(self, session: Session, inp: AgreementInput) -> AgreementDocument:
        """Rendered and stored once; a retry finds it (activities/steps.py issues it)."""
        agreement_id = ids.agreement_id(inp.workflow_id)
        existing = session.get(Agreement, agreement_id)
        if existing is None:
            org = session.get(Organisation, inp.org_id)
            locale = language_for(inp.template, org.locale)  # the language they applied in
            body = render_agreement(inp.template, locale, program_name=inp.program_name,
                                    company_legal_name=self._settings.company_name,
                                    application=inp.application, reference=org.reference)
            existing = Agreement(
                id=agreement_id, org_id=inp.org_id, workflow_id=inp.workflow_id,
                template=inp.template, locale=locale, body=body,
                title=inp.title or agreement_title(inp.application),
                sha256=hashlib.sha256(body.encode("utf-8")).hexdigest())
            session.add(existing)
        return AgreementDocument(existing.id, existing.sha256, existing.title)

    @activity.defn(name="record_signature")
    async def record_signature(self, sig: SignatureRecord) -> None:
        await self._outbox.in_transaction(lambda session: write_signature(session, sig))

    @activity.defn(name="activate_organisation")
    async def activate_organisation(self, inp: ActivationInput) -> None:
        """Runs started before issue 8 only: their stage was set to Active before this call, so a
        contact whose email has an account still fails them. New runs use activate_partner
        (activities/steps.py), which writes the stage with the activation or not at all."""
        def write(session: Session) -> list[str]:
            result, keys = self.write_activation(session, inp)
            if not result.activated:
                raise BusinessError(f"{result.taken_email} already belongs to another organisation")
            return keys + self.write_executed_agreement_mail(session, inp.workflow_id)

        await self._outbox.enqueue_and_deliver(write)

    def write_executed_agreement_mail(self, session: Session, workflow_id: str) -> list[str]:
        """Both parties' copy of the countersigned agreement, PDF attached (outbox keys back)."""
        return enqueue_executed_agreement(self._outbox, self._settings, session, workflow_id)

    def write_activation(self, session: Session, inp: ActivationInput
                         ) -> tuple[ActivationResult, list[str]]:
        """The partner's admin, the organisation's activation and the invitation mail (outbox
        keys back), or, when the contact's email already has an account elsewhere, nothing but
        the screening flag that says so. Idempotent: a retry finds its user, its invitation, its
        mail. The welcome mail is not sent here: it follows the password being set."""
        org = session.get(Organisation, inp.org_id)
        email = inp.contact_email.strip().lower()
        user = session.scalar(select(User).where(User.email == email))
        if user is not None and user.org_id != org.id:
            _add_flag(org, contact_has_account(email, user.org_id))
            return ActivationResult(activated=False, taken_email=email), []
        if user is None:
            user = User(email=email, name=inp.contact_name, roles=[Role.PARTNER_ADMIN],
                        org_id=org.id, locale=inp.locale)
            session.add(user)
            session.flush()
        org.activated_at = org.activated_at or utcnow()
        key = ids.invitation_key(inp.workflow_id, email)
        token = link_token(self._settings.secret_key, "invitation", key)
        invitation = session.scalar(select(Invitation).where(Invitation.key == key))
        if invitation is None:
            invitation = Invitation(key=key, token_hash=token_hash(token), user_id=user.id,
                                    expires_at=utcnow() + timedelta(seconds=inp.invitation_ttl_seconds))
            session.add(invitation)
        context = {"contact_name": inp.contact_name, "company": org.name,
                   "link": SecretLink("invitation", key, "/set-password/{token}"),
                   "expires": invitation.expires_at}
        keys = self._outbox.enqueue(session, key, [Recipient(email, inp.locale)],
                                    "partner_invitation", context, org.id)
        return ActivationResult(activated=True), keys


def write_signature(session: Session, sig: SignatureRecord) -> None:
    """A party's signature of a stored agreement, once (an enablement addendum's too)."""
    agreement = session.get(Agreement, sig.agreement_id)
    if sig.sha256 != agreement.sha256:
        raise BusinessError("the signed document differs from the stored agreement")
    exists = session.scalar(select(Signature.id).where(
        Signature.agreement_id == sig.agreement_id, Signature.party == sig.party))
    if exists is None:
        session.add(Signature(agreement_id=sig.agreement_id, party=sig.party,
                              full_name=sig.full_name, signed_at=sig.signed_at,
                              ip=sig.ip[:64], user_agent=sig.user_agent[:500],
                              sha256=sig.sha256))
    agreement.status = "signed" if sig.party == "partner" else "countersigned"
    timeline_line(session, f"{agreement.workflow_id}/signature/{sig.party}", agreement.org_id,
                  agreement.workflow_id, f"signed_by_{sig.party}",
                  notes.SIGNED.format(title=agreement.title, sha256=sig.sha256[:12]),
                  sig.full_name)


def record_and_screen(session: Session, inp: RecordApplicationInput) -> ScreeningResult:
    """The organisation and its application (once), then the screening flags (every time)."""
    org = session.get(Organisation, inp.org_id)
    if org is None:
        org = Organisation(id=inp.org_id, reference=inp.reference, workflow_id=inp.workflow_id,
                           status=Stage.SUBMITTED, locale=inp.locale, **_org_fields(inp.application))
        session.add(org)
        timeline_line(session, f"{inp.workflow_id}/submitted", inp.org_id, inp.workflow_id,
                  Stage.SUBMITTED, notes.SUBMITTED.format(),
                  inp.application.get("contact_name", "applicant"), first_time=True)
        session.flush()
    hold(session, org)  # the stage and the review's notice, in this transaction, read it again
    return _screen(session, org)


def record_stage(session: Session, change: StageChange, first_time: bool = False) -> None:
    """The organisation's stage and its timeline line (also grouped by activities/steps.py).
    `first_time`: the caller knows this transaction is the first to write it."""
    org = session.get(Organisation, change.org_id)
    org.status = change.stage  # the why is the timeline line below
    timeline_line(session, change.key, org.id, org.workflow_id, change.action or change.stage,
              change.note, change.actor, first_time)


def _screen(session: Session, org: Organisation) -> ScreeningResult:
    rivals = session.scalars(select(Organisation).where(
        Organisation.id != org.id, Organisation.status.in_(LIVE_STATUSES),
        or_(Organisation.domain == org.domain,
            Organisation.normalised_name == org.normalised_name))).all()
    email = (org.application.get("contact_email") or "").strip().lower()
    account = session.execute(select(User.id, User.org_id).where(User.email == email)).first()
    flags = screen(org.id, org.name, org.application.get("website", ""), email,
                   [KnownOrganisation(o.id, o.name, o.domain, o.status) for o in rivals],
                   account_org_id=account.org_id if account else None,
                   email_has_account=account is not None)
    org.flags = [_flag_row(f) for f in flags]
    return ScreeningResult(tuple(flags))


def _flag_row(flag: ScreeningFlag) -> dict:
    return {"code": flag.code, "message": flag.message, "related_org_id": flag.related_org_id}


def _add_flag(org: Organisation, flag: ScreeningFlag) -> None:
    """A flag found after screening (at activation), shown with the others; once."""
    row = _flag_row(flag)
    if row not in (org.flags or []):
        org.flags = [*(org.flags or []), row]


def _org_fields(app: dict) -> dict:
    return {"name": app["company_name"].strip(), "normalised_name": normalise_name(app["company_name"]),
            "domain": normalise_domain(app["website"]), "country": app["country"],
            "region": app.get("region", ""), "partner_type": app["partner_type"], "application": app}


def timeline_line(session: Session, key: str, org_id: str, workflow_id: str, action: str,
                  note: str, actor: str, first_time: bool = False) -> None:
    """Keyed, so a retried activity records the line once. `first_time` skips the lookup where
    the caller knows better (the row the line goes with did not exist): one query fewer inside
    the SQLite write lock, which is what bounds applications per second."""
    if first_time or session.scalar(select(TimelineEvent.id).where(TimelineEvent.key == key)) is None:
        session.add(TimelineEvent(key=key, org_id=org_id, workflow_id=workflow_id,
                                  action=str(action), note=note[:1000], actor=actor[:200]))
