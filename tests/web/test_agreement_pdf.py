"""The agreement's PDF from the pages: before signing (the signing link, the portal) and who may
download it. The real app on a real database; nothing here needs Temporal (`app` refuses it)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, timezone
from html import unescape

from pypdf import PdfReader

from activities.agreement_text import render_agreement
from db.models import Agreement, Signature, Task
from domain import ids
from domain.tokens import link_token
from tests.web.conftest import login, make_org, make_task, make_user


def pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def agreement_for(sessions, org, locale: str = "zh_Hans", signed: bool = False) -> Agreement:
    body = render_agreement("partner_agreement.v1", locale, program_name="Global partner program",
                            company_legal_name="星辰软件有限公司", application=org.application,
                            reference=org.reference)
    with sessions.begin() as s:
        agreement = Agreement(id=ids.agreement_id(org.workflow_id), org_id=org.id,
                              workflow_id=org.workflow_id, template="partner_agreement.v1",
                              locale=locale, title=f"Partner agreement: {org.name}", body=body,
                              sha256=hashlib.sha256(body.encode()).hexdigest(),
                              status="countersigned" if signed else "sent")
        s.add(agreement)
        if signed:
            now = datetime.now(timezone.utc)
            for party, name in (("partner", "李伟"), ("company", "Dana Manager")):
                s.add(Signature(agreement_id=agreement.id, party=party, full_name=name,
                                signed_at=now, sha256=agreement.sha256))
    return agreement


def signing_task(sessions, org, agreement) -> Task:
    return make_task(sessions, org, step="sign", task_type="sign_agreement", form="sign_agreement.v1",
                     partner=True, context={"agreement_id": agreement.id, "sha256": agreement.sha256})


def assert_is_the_agreement(response, agreement) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "partner-agreement.pdf" in response.headers["Content-Disposition"]
    content = response.get_data()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for line in agreement.body.splitlines():
        assert "".join(line.split()) in text
    assert agreement.sha256 in text


def test_the_signer_downloads_the_agreement_from_the_signing_link_before_signing(app, sessions):
    org = make_org(sessions, name="上海星辰贸易有限公司", status="agreement_out")
    agreement = agreement_for(sessions, org)
    task = signing_task(sessions, org, agreement)
    client = app.test_client()
    link = f"/t/{task.id}/{link_token('web-test-secret', 'task', task.id)}"

    page = client.get(link).get_data(as_text=True)
    # The page shows exactly the text whose SHA-256 the signature records, in Chinese.
    shown = unescape(re.search(r'<div class="document"[^>]*lang="zh-Hans">(.*?)</div>', page, re.S).group(1))
    assert shown == agreement.body and hashlib.sha256(shown.encode()).hexdigest() == agreement.sha256
    assert f'href="{link}/agreement.pdf"' in page

    assert_is_the_agreement(client.get(f"{link}/agreement.pdf"), agreement)
    assert client.get(f"/t/{task.id}/{'x' * 43}/agreement.pdf").status_code == 404
    with sessions.begin() as s:  # once signed, a kept link shows nothing of the agreement
        s.get(Task, task.id).status = "done"
    assert client.get(f"{link}/agreement.pdf").status_code == 404


def test_a_partner_downloads_their_own_agreement_from_the_portal_and_never_another(app, sessions):
    mine, theirs = make_org(sessions, status="active"), make_org(sessions, status="active")
    own = agreement_for(sessions, mine, locale="en", signed=True)
    other = agreement_for(sessions, theirs)
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=mine.id))

    profile = client.get(f"/portal/organisations/{mine.id}").get_data(as_text=True)
    assert f'href="/agreements/{own.id}.pdf"' in profile
    assert "Download the executed agreement (PDF)" in profile
    page = client.get(f"/portal/agreements/{own.id}").get_data(as_text=True)
    assert f'href="/agreements/{own.id}.pdf"' in page
    response = client.get(f"/agreements/{own.id}.pdf")
    assert_is_the_agreement(response, own)
    text = pdf_text(response.get_data())
    assert "Executed:signedbybothparties." in text and "李伟" in text and "DanaManager" in text

    assert client.get(f"/agreements/{other.id}.pdf").status_code == 404
    assert client.get(f"/agreements/{other.id}-nope.pdf").status_code == 404


def test_staff_download_any_agreement_and_strangers_must_sign_in(app, sessions):
    org = make_org(sessions, status="countersign")
    agreement = agreement_for(sessions, org)
    for role in ("channel_manager", "ops"):
        client = app.test_client()
        login(client, make_user(sessions, role))
        partner_page = client.get(f"/manage/partners/{org.id}").get_data(as_text=True)
        assert f'href="/agreements/{agreement.id}.pdf"' in partner_page
        assert_is_the_agreement(client.get(f"/agreements/{agreement.id}.pdf"), agreement)
    anonymous = app.test_client().get(f"/agreements/{agreement.id}.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    nobody = app.test_client()
    login(nobody, make_user(sessions))  # signed in, no role and no organisation
    assert nobody.get(f"/agreements/{agreement.id}.pdf").status_code == 404


def test_the_signature_page_speaks_the_readers_language(app, sessions):
    org = make_org(sessions, status="active")
    agreement = agreement_for(sessions, org, locale="en", signed=True)
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=org.id, locale="zh_Hans"))
    text = pdf_text(client.get(f"/agreements/{agreement.id}.pdf").get_data())
    assert "已生效：双方均已签署。" in text and "签名" in text
    assert "PARTNERAGREEMENT" in text  # the text signed stays in its own language


def test_a_signed_in_partner_downloads_it_from_their_signing_task_in_the_portal(app, sessions):
    org = make_org(sessions, status="agreement_out")
    agreement = agreement_for(sessions, org, locale="en")
    task = signing_task(sessions, org, agreement)
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=org.id))
    page = client.get(f"/portal/tasks/{task.id}").get_data(as_text=True)
    assert f'href="/agreements/{agreement.id}.pdf"' in page and "Download PDF" in page
    response = client.get(f"/agreements/{agreement.id}.pdf")
    assert_is_the_agreement(response, agreement)
    assert "Notsignedyet." in pdf_text(response.get_data())
