"""The agreement in the partner's language, its PDF, and the executed agreement's mail: the real
activities on a migrated SQLite file, a real SMTP server, the PDF read back with pypdf."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from activities.mailer import SmtpMailer
from activities.outbox import Attachment, Outbox, Recipient
from activities.recruitment import RecruitmentActivities
from db.migrate import upgrade
from db.models import Agreement, Organisation, OutboxMail, Signature, Task, User
from db.session import make_sessions
from definitions.loader import DefinitionError, agreement_locale
from devstack.smtp import SmtpCatcher
from domain import ids
from domain.agreement_pdf import stored_agreement_pdf
from domain.onboarding import AgreementInput
from settings import Settings
from tests.conftest import application

TEMPLATE = "partner_agreement.v1"


@pytest.fixture
def world(tmp_path, server):
    url = f"sqlite:///{tmp_path / 'prm.db'}"
    upgrade(url)
    sessions = make_sessions(url)
    settings = Settings(database_url=url, smtp_port=server.port, secret_key="agreement-test",
                        base_url="http://prm.test", company_name="星辰软件有限公司")
    outbox = Outbox(sessions, SmtpMailer(settings), settings)
    yield sessions, outbox, RecruitmentActivities(outbox, settings)
    sessions.kw["bind"].dispose()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeezed(text: str) -> str:
    """Without whitespace: the PDF wraps a long line where the page ends."""
    return "".join(text.split())


def organisation(sessions, locale: str, **overrides) -> Organisation:
    org_id = ids.new_org_id()
    data = application(**overrides)
    with sessions.begin() as s:
        org = Organisation(id=org_id, reference=ids.application_reference(org_id),
                           name=data["company_name"], normalised_name=data["company_name"].lower(),
                           domain=f"{uuid.uuid4().hex[:8]}.example", country=data["country"],
                           partner_type=data["partner_type"], status="agreement_out",
                           workflow_id=ids.onboarding_workflow_id(org_id), application=data,
                           locale=locale)
        s.add(org)
    return org


def issue(sessions, recruitment, org: Organisation) -> Agreement:
    with sessions.begin() as s:
        recruitment.write_agreement(s, AgreementInput(org.id, org.workflow_id, TEMPLATE,
                                                      "Global partner program", org.application))
    with sessions() as s:
        agreement = s.get(Agreement, ids.agreement_id(org.workflow_id))
        agreement.signatures  # loaded, for the PDF after the session
        s.expunge(agreement)
        return agreement


def test_a_partner_who_applied_in_chinese_gets_the_chinese_text_and_its_hash_covers_it(world):
    sessions, _, recruitment = world
    org = organisation(sessions, "zh_Hans", company_name="上海星辰贸易有限公司")

    agreement = issue(sessions, recruitment, org)

    assert agreement.locale == "zh_Hans" and agreement.template == TEMPLATE
    body = agreement.body
    assert body.startswith("合作伙伴协议（Global partner program）")
    # The filled-in words are Chinese too: the country, the partner type, the products.
    assert "乙方：上海星辰贸易有限公司" in body and "中国" in body
    assert "非独家经销商" in body and "核心平台" in body and "PARTNER AGREEMENT" not in body
    assert agreement.sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()
    # What the signer downloads is that text, line for line, with that hash on it.
    shown = squeezed(pdf_text(stored_agreement_pdf(agreement, lambda s: s, str)))
    for line in body.splitlines():
        assert squeezed(line) in shown
    assert agreement.sha256 in shown


def test_an_english_applicant_gets_the_english_text(world):
    sessions, _, recruitment = world
    agreement = issue(sessions, recruitment, organisation(sessions, "en"))
    assert agreement.locale == "en" and agreement.body.startswith("PARTNER AGREEMENT")
    assert "non-exclusive reseller" in agreement.body and "China" in agreement.body
    assert agreement.sha256 == hashlib.sha256(agreement.body.encode("utf-8")).hexdigest()


def test_a_language_a_template_lacks_falls_back_to_english():
    assert agreement_locale(TEMPLATE, "zh_Hans") == "zh_Hans"
    assert agreement_locale(TEMPLATE, "fr") == "en" and agreement_locale(TEMPLATE, "") == "en"
    assert agreement_locale(TEMPLATE, "../../etc/passwd") == "en"
    with pytest.raises(DefinitionError):
        agreement_locale("nope.v1", "zh_Hans")


def test_an_attachment_goes_with_its_mail_once_however_often_it_is_delivered(world, server):
    sessions, outbox, _ = world
    key, address = f"test/{uuid.uuid4()}", f"li-{uuid.uuid4().hex[:6]}@acme.example"
    pdf = Attachment("PA-TEST-partner-agreement.pdf", "application/pdf", b"%PDF-1.4 test bytes")

    def enqueue(session):
        return outbox.enqueue(session, key, [Recipient(address, "en")], "partner_welcome",
                              {"contact_name": "Li", "company": "Acme"}, attachments=(pdf,))

    asyncio.run(outbox.enqueue_and_deliver(enqueue))
    with sessions.begin() as s:  # the server took it; the activity died before booking it
        row = s.scalar(select(OutboxMail).where(OutboxMail.key == key))
        assert row.attachments == [{"filename": pdf.filename, "content_type": "application/pdf",
                                    "size": len(pdf.content)}]
        row.status = "pending"
    asyncio.run(outbox.enqueue_and_deliver(enqueue))
    asyncio.run(outbox.enqueue_and_deliver(enqueue))  # booked now: nothing goes

    first, again = server.to(address)
    assert first.message_id == again.message_id
    assert first.attachments == again.attachments == [(pdf.filename, "application/pdf", pdf.content)]
    assert "Both parties have signed" in first.body  # the text part is still the text part


def countersigned(sessions, recruitment, org: Organisation, manager: User | None) -> Agreement:
    agreement = issue(sessions, recruitment, org)
    now = datetime.now(timezone.utc)
    with sessions.begin() as s:
        for party, name, at in (("partner", "李伟", now - timedelta(hours=3)),
                                ("company", manager.name if manager else "Global partner program (automatic)", now)):
            s.add(Signature(agreement_id=agreement.id, party=party, full_name=name, signed_at=at,
                            sha256=agreement.sha256))
        s.get(Agreement, agreement.id).status = "countersigned"
        s.add(Task(id=ids.task_id(org.workflow_id, "sign", 1), workflow_id=org.workflow_id,
                   task_type="sign_agreement", form="sign_agreement.v1", title="Sign",
                   org_id=org.id, status="done", assignee_org_id=org.id,
                   assignee_email=org.application["contact_email"], due_at=now, completed_by="李伟"))
        if manager is not None:
            s.add(Task(id=ids.task_id(org.workflow_id, "countersign", 1),
                       workflow_id=org.workflow_id, task_type="countersign", form="countersign.v1",
                       title="Countersign", org_id=org.id, status="done",
                       assignee_role="channel_manager", due_at=now, completed_by=manager.name))
    return agreement


def staff(sessions, name: str, locale: str = "en") -> User:
    with sessions.begin() as s:
        user = User(email=f"m-{uuid.uuid4().hex[:8]}@prm.example", name=name,
                    roles=["channel_manager"], locale=locale)
        s.add(user)
    return user


def test_both_parties_get_the_executed_agreement_each_in_their_language_once(world, server):
    sessions, outbox, recruitment = world
    org = organisation(sessions, "zh_Hans")
    manager = staff(sessions, f"Dana {uuid.uuid4().hex[:6]}")
    staff(sessions, "Someone Else")
    agreement = countersigned(sessions, recruitment, org, manager)

    def enqueue(session):
        return recruitment.write_executed_agreement_mail(session, org.workflow_id)

    assert asyncio.run(outbox.enqueue_and_deliver(enqueue)) == 2
    assert asyncio.run(outbox.enqueue_and_deliver(enqueue)) == 0  # a retry sends nothing again

    (partner,) = server.to(org.application["contact_email"])
    (company,) = server.to(manager.email)
    assert partner.subject == f"合作伙伴协议已由双方签署：{org.name}"
    assert company.subject == f"Partner agreement signed by both parties: {org.name}"
    for mail in (partner, company):
        ((filename, content_type, content),) = mail.attachments
        assert (filename, content_type) == (f"{org.reference}-partner-agreement.pdf", "application/pdf")
        assert content.startswith(b"%PDF") and agreement.sha256 in mail.body
        text = squeezed(pdf_text(content))
        assert squeezed(agreement.body.splitlines()[0]) in text and agreement.sha256 in text
        assert "李伟" in text and manager.name.replace(" ", "") in text
    # Each reader's signature page is in their language; the text signed stays Chinese.
    assert "签名" in pdf_text(partner.attachments[0][2])
    assert "Signatures" in pdf_text(company.attachments[0][2])
    assert f"http://prm.test/portal/agreements/{agreement.id}" in partner.body
    assert "/portal/" not in company.body


def test_an_automatic_countersignature_mails_the_partner_alone(world, server):
    sessions, outbox, recruitment = world
    org = organisation(sessions, "en")
    countersigned(sessions, recruitment, org, manager=None)
    asyncio.run(outbox.enqueue_and_deliver(
        lambda s: recruitment.write_executed_agreement_mail(s, org.workflow_id)))
    (partner,) = server.to(org.application["contact_email"])
    assert "Global partner program (automatic)" in partner.body
    assert len(server.received) == 1


def test_nothing_is_mailed_before_the_countersignature(world, server):
    sessions, outbox, recruitment = world
    org = organisation(sessions, "en")
    issue(sessions, recruitment, org)
    assert asyncio.run(outbox.enqueue_and_deliver(
        lambda s: recruitment.write_executed_agreement_mail(s, org.workflow_id))) == 0
    assert server.received == []
