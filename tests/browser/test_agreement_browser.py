"""The agreement's PDF and the executed agreement's mail in Chromium: the partner downloads the
agreement before signing, both parties sign, and an operator finds the executed-agreement mail in
the ops mailbox with its PDF listed and downloads it. The served app, a real worker, real mail:
the catcher writes each message as a file, as under `make run`."""

from __future__ import annotations

import io
import os
import re
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from db.models import User
from devstack.ports import free_port
from tests.browser.test_recruitment_browser import (fill_application, find_in_inbox, mailed_link,
                                                    new_applicant)
from web import create_app
from web.passwords import hash_password

try:
    from playwright.sync_api import Page, expect
    from pypdf import PdfReader
except ImportError:  # dev dependencies: missing only outside `make test`, and never fine in CI
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright or pypdf is not installed (pip install -e '.[dev]')",
                allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OPS_PASSWORD = "ops browser password"


@pytest.fixture
def ops_site(live_server, smtp, tmp_path):
    """The same app with an ops mailbox: the SMTP catcher writes files to its folder meanwhile."""
    smtp.write_files_to(tmp_path)
    app = create_app(replace(live_server.settings, mailbox_dir=str(tmp_path)),
                     {"SESSIONS": live_server.sessions})
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ops-mailbox-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    smtp.write_files_to(None)
    server.shutdown()
    thread.join(10)
    app.extensions["prm.temporal"].close()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def downloaded(page: Page, link) -> tuple[str, bytes]:
    with page.expect_download() as started:
        link.click()
    download = started.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def pdf_text(content: bytes) -> str:
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_the_executed_agreement_mail_and_its_pdf_in_the_browser(
        new_context, live_server, smtp, channel_manager, ops_site, screenshot):
    applicant = new_applicant()
    applicant_page = new_context().new_page()
    applicant_page.goto("/apply")
    fill_application(applicant_page, applicant)
    applicant_page.get_by_role("button", name="Submit application").click()
    reference = applicant_page.locator(".reference").inner_text().strip()

    manager = new_context().new_page()
    sign_in(manager, channel_manager.email, channel_manager.password)
    manager.goto("/manage/inbox")
    find_in_inbox(manager, reference, "Review application")
    manager.get_by_role("radio", name="Approve", exact=True).check()
    manager.get_by_role("button", name="Submit decision").click()
    expect(manager.get_by_role("status").filter(has_text="Recorded: Approved")).to_be_visible()

    # Before signing, the partner downloads what they are about to sign.
    partner = new_context().new_page()
    partner.goto(mailed_link(smtp, live_server, applicant["email"], "/t/"))
    document = partner.get_by_label("Agreement text").text_content()
    name, draft = downloaded(partner, partner.get_by_role("link", name="Download PDF"))
    assert name == f"{reference}-partner-agreement.pdf" and draft.startswith(b"%PDF")
    assert "".join(document.split()) in pdf_text(draft)
    partner.get_by_label("Your full name").fill("Li Wei")
    partner.get_by_label("I have read the agreement and accept it").check()
    partner.get_by_role("button", name="Sign the agreement").click()
    expect(partner.get_by_role("heading", name="Thank you — the agreement is signed")).to_be_visible()

    manager.goto("/manage/inbox")
    find_in_inbox(manager, reference, "Countersign the agreement")
    manager.get_by_label("Your full name").fill(channel_manager.name)
    manager.get_by_label("I countersign this agreement on behalf of the company").check()
    manager.get_by_role("button", name="Countersign", exact=True).click()
    expect(manager.get_by_role("status").filter(has_text="Recorded: Completed")).to_be_visible()
    subject = f"Partner agreement signed by both parties: {applicant['company']}"
    smtp.wait_for(lambda m: channel_manager.email in m.recipients and m.subject.strip() == subject)

    # The operator finds the manager's copy in the mailbox, the PDF listed, and downloads it.
    tag = uuid.uuid4().hex[:8]
    ops_email = f"ops-{tag}@prm.example"
    with live_server.sessions.begin() as s:
        s.add(User(email=ops_email, name=f"Olu Ops {tag}", roles=["ops"],
                   password_hash=hash_password(OPS_PASSWORD), locale="en"))
    ops = new_context(base_url=ops_site).new_page()
    sign_in(ops, ops_email, OPS_PASSWORD)
    ops.goto("/ops/mailbox")
    ops.get_by_label("Recipient").fill(channel_manager.email)
    ops.get_by_role("button", name="Search").click()
    ops.get_by_role("link", name=subject).click()
    expect(ops.get_by_role("heading", name=subject)).to_be_visible()
    expect(ops.locator(".mail-body").first).to_contain_text("The executed agreement is attached as a PDF")
    attachment = ops.get_by_role("link", name=f"{reference}-partner-agreement.pdf")
    expect(attachment).to_be_visible()
    expect(ops.locator(".mail-attachments")).to_contain_text("application/pdf")
    screenshot(ops, "ops-mail-with-pdf")
    name, executed = downloaded(ops, attachment)
    assert name == f"{reference}-partner-agreement.pdf" and executed.startswith(b"%PDF")
    text = pdf_text(executed)
    assert "Executed:signedbybothparties." in text and "LiWei" in text
    assert "".join(channel_manager.name.split()) in text
    assert re.search(r"[0-9a-f]{64}", text)
