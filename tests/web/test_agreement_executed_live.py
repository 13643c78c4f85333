"""The executed agreement, end to end on the real stack (Temporal dev server, a real worker, the
database, aiosmtpd): a partner who applied in Chinese reads and downloads the Chinese agreement
before signing, and after the countersignature both parties find it in their mail, PDF attached,
and the partner finds it in the portal."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from db.models import Agreement, Organisation
from domain import ids
from tests.conftest import application
from tests.web.conftest import nonce_of
from tests.web.test_recruitment_live import emailed_path, manager, open_task, wait_for

pytestmark = pytest.mark.slow
EXECUTED_SUBJECT = "合作伙伴协议已由双方签署："  # agreement_executed.jinja, in Chinese
EXECUTED_SUBJECT_EN = "Partner agreement signed by both parties: "


def squeezed_pdf_text(content: bytes) -> str:
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def apply_in_chinese(app, sessions) -> tuple[Organisation, dict]:
    data = application(company_name=f"星辰贸易{ids.new_org_id()[:8]}有限公司")
    client = app.test_client()
    headers = {"Accept-Language": "zh-CN,zh;q=0.9"}
    nonce = nonce_of(client.get("/apply", headers=headers).get_data(as_text=True))
    response = client.post("/apply", data={**data, "form_nonce": nonce}, headers=headers)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    reference = response.headers["Location"].rsplit("/", 1)[1]

    def probe():
        with sessions() as s:
            return s.scalar(select(Organisation).where(Organisation.reference == reference))
    return wait_for(probe, f"organisation {reference}"), data


def test_both_parties_receive_the_executed_agreement_with_its_pdf(live_app, sessions, smtp):
    org, data = apply_in_chinese(live_app, sessions)
    assert org.locale == "zh_Hans"
    contact = data["contact_email"]
    manager_client, dana = manager(live_app, sessions, "Dana")

    review = open_task(sessions, ids.task_id(org.workflow_id, "review", 1))
    page = manager_client.get(f"/manage/tasks/{review.id}").get_data(as_text=True)
    assert manager_client.post(f"/manage/tasks/{review.id}", data={
        "decision": "approve", "form_nonce": nonce_of(page)}).status_code == 302

    # Before signing: the Chinese text on the page and as a PDF, with the hash the task carries.
    sign = open_task(sessions, ids.task_id(org.workflow_id, "sign", 1))
    partner = live_app.test_client()
    sign_link = emailed_path(smtp, contact, f"/t/{sign.id}/")
    page = partner.get(sign_link).get_data(as_text=True)
    with sessions() as s:
        agreement = s.get(Agreement, sign.context["agreement_id"])
        body, sha256 = agreement.body, agreement.sha256
    assert agreement.locale == "zh_Hans" and body.startswith("合作伙伴协议")
    assert sha256 == sign.context["sha256"] == hashlib.sha256(body.encode()).hexdigest()
    draft = partner.get(f"{sign_link}/agreement.pdf")
    assert draft.status_code == 200 and draft.headers["Content-Type"] == "application/pdf"
    assert "".join(body.split()) in squeezed_pdf_text(draft.get_data())

    assert partner.post(sign_link, data={"full_name": "李伟", "accept": "y",
                                         "form_nonce": nonce_of(page)}).status_code == 302
    # Dana decided the review, so the countersignature opens held by her (ownership sticks).
    countersign = open_task(sessions, ids.task_id(org.workflow_id, "countersign", 1), "claimed")
    page = manager_client.get(f"/manage/tasks/{countersign.id}").get_data(as_text=True)
    assert manager_client.post(f"/manage/tasks/{countersign.id}", data={
        "full_name": "Dana Manager", "accept": "y", "form_nonce": nonce_of(page)}).status_code == 302

    # Both parties' copies: the partner's in Chinese, the manager's in English, each with the PDF.
    to_partner = smtp.wait_for(lambda m: contact in m.recipients
                               and m.subject.startswith(EXECUTED_SUBJECT))
    to_manager = smtp.wait_for(lambda m: dana.email in m.recipients
                               and m.subject.startswith(EXECUTED_SUBJECT_EN))
    for mail in (to_partner, to_manager):
        ((filename, content_type, content),) = mail.attachments
        assert filename == f"{org.reference}-partner-agreement.pdf"
        assert content_type == "application/pdf" and content.startswith(b"%PDF")
        text = squeezed_pdf_text(content)
        assert "".join(body.split()) in text and sha256 in text
        assert "李伟" in text and "DanaManager" in text
        assert sha256 in mail.body
    assert "已生效：双方均已签署。" in squeezed_pdf_text(to_partner.attachments[0][2])
    assert "Executed:signedbybothparties." in squeezed_pdf_text(to_manager.attachments[0][2])

    # The partner finds it in the portal once they have set their password.
    invite = emailed_path(smtp, contact, "/set-password/")
    assert partner.post(invite, data={"password": "a long password",
                                      "confirm": "a long password"}).status_code == 302
    profile = partner.get("/portal/organisation", follow_redirects=True).get_data(as_text=True)
    assert f'/agreements/{agreement.id}.pdf' in profile
    download = partner.get(f"/agreements/{agreement.id}.pdf")
    assert download.status_code == 200 and "李伟" in squeezed_pdf_text(download.get_data())
    assert len([m for m in smtp.to(contact) if m.subject.startswith(EXECUTED_SUBJECT)]) == 1
