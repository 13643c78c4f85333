"""The mailbox reader against what the real SMTP catcher wrote."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from devstack.smtp import SmtpCatcher
from web.ops.mailbox import list_mail, read_mail


def _send(port: int, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "PRM <no-reply@prm.example>", "li.wei@acme.example", subject
    msg["Date"] = "Thu, 26 Nov 2026 10:00:00 +0000"
    msg.set_content(body)
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(msg)


def test_newest_first_and_readable(tmp_path):
    catcher = SmtpCatcher(mailbox_dir=tmp_path).start()
    try:
        _send(catcher.port, "First", "one")
        _send(catcher.port, "申请已收到", "您好，我们已收到您的申请。")
        catcher.wait_for(lambda m: m.subject == "申请已收到")
    finally:
        catcher.stop()
    mails = list_mail(tmp_path)
    assert [m.subject for m in mails] == ["申请已收到", "First"]
    assert mails[0].recipients == "li.wei@acme.example"
    view = read_mail(tmp_path, mails[0].name)
    assert view is not None and "我们已收到您的申请" in view.body and not view.html


def test_a_mail_with_an_html_part_shows_both(tmp_path):
    from datetime import datetime, timezone

    from activities.mail_message import build_message

    msg = build_message("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "申请已收到",
                        "您好，我们已收到您的申请。\n", "<p>您好，我们已收到您的申请。</p>\n",
                        "<m@prm.example>", datetime.now(timezone.utc))
    catcher = SmtpCatcher(mailbox_dir=tmp_path).start()
    try:
        with smtplib.SMTP("127.0.0.1", catcher.port) as smtp:
            smtp.send_message(msg)
        catcher.wait_for(lambda m: m.subject == "申请已收到")
    finally:
        catcher.stop()
    view = read_mail(tmp_path, list_mail(tmp_path)[0].name)
    assert "我们已收到您的申请。" in view.body and "<p>您好，我们已收到您的申请。</p>" in view.html


def test_only_catcher_files_can_be_read(tmp_path):
    (tmp_path / "secret.txt").write_text("no")
    assert read_mail(tmp_path, "../secret.txt") is None
    assert read_mail(tmp_path, "secret.txt") is None
    assert read_mail(tmp_path, "123.eml") is None
    assert list_mail(tmp_path) == []


def test_a_mail_with_a_pdf_attached_lists_it_and_gives_its_bytes(tmp_path):
    from datetime import datetime, timezone

    from activities.mail_message import build_message
    from web.ops.mailbox import AttachedFile, attachment

    pdf = b"%PDF-1.4 the executed agreement"
    msg = build_message("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "协议已签署",
                        "附件是已签署的协议。\n", "<p>附件是已签署的协议。</p>\n", "<a@prm.example>",
                        datetime.now(timezone.utc),
                        (("PA-TEST-partner-agreement.pdf", "application/pdf", pdf),))
    catcher = SmtpCatcher(mailbox_dir=tmp_path).start()
    try:
        with smtplib.SMTP("127.0.0.1", catcher.port) as smtp:
            smtp.send_message(msg)
        catcher.wait_for(lambda m: m.subject == "协议已签署")
    finally:
        catcher.stop()
    name = list_mail(tmp_path)[0].name
    view = read_mail(tmp_path, name)
    assert "附件是已签署的协议。" in view.body and "<p>附件是已签署的协议。</p>" in view.html
    about = AttachedFile("PA-TEST-partner-agreement.pdf", "application/pdf", len(pdf))
    assert view.attachments == [about]
    assert attachment(tmp_path, name, 0) == (about, pdf)
    assert attachment(tmp_path, name, 1) is None and attachment(tmp_path, "../x.eml", 0) is None
