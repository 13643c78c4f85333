"""Timeline notes and screening flags are stored in English as the process wrote them; each reader
sees them in their own language, with names, domains and typed questions exactly as they were."""

from __future__ import annotations

from db.models import Organisation, TimelineEvent
from domain import notes
from domain.onboarding import agreement_title
from domain.screening import KnownOrganisation, screen
from tests.web.conftest import login, make_org, make_task, make_user, tag

QUESTION = "Which <em>cities</em> do you cover?"
REASON = "Not in our territory: we cover East China only."   # typed by the manager, no phrase


def _org_with_history(sessions):
    """A reviewed application as the activities would have written it (through the phrases)."""
    org = make_org(sessions, name=f"Nova {tag()} Ltd", contact_email="li@gmail.com")
    rival = KnownOrganisation("rival", "Acme <b>Asia</b> Ltd", "acme.com", "in_review")
    flags = screen(org.id, org.name, "https://acme.com", "li@gmail.com", [rival])
    title = agreement_title({"company_name": org.name})
    lines = [("submitted", notes.SUBMITTED.format(), "Li Wei"),
             ("more_info", notes.MORE_INFO_REQUESTED.format(question=QUESTION), "Mia Chen"),
             ("approved", notes.APPROVED.format(actor="Mia Chen"), "Mia Chen"),
             ("agreement_out", notes.AWAITING_SIGNATURE.format(title=title), notes.SYSTEM.format()),
             ("signed_by_partner", notes.SIGNED.format(title=title, sha256="0123456789ab"), "Li Wei"),
             ("rejected", REASON, "Mia Chen")]
    with sessions.begin() as s:
        s.get(Organisation, org.id).flags = [
            {"code": f.code, "message": f.message, "related_org_id": f.related_org_id} for f in flags]
        for n, (action, note, actor) in enumerate(lines):
            s.add(TimelineEvent(key=f"{org.workflow_id}/line/{n}", org_id=org.id,
                                workflow_id=org.workflow_id, action=action, note=note, actor=actor))
    return org


def _task_page(app, sessions, locale: str) -> str:
    org = _org_with_history(sessions)
    task = make_task(sessions, org)
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager", locale=locale))
    return client.get(f"/manage/tasks/{task.id}").get_data(as_text=True), org


def test_a_chinese_manager_reads_the_timeline_and_flags_in_chinese(app, sessions):
    html, org = _task_page(app, sessions, "zh_Hans")
    # Timeline notes: the phrase in Chinese, the typed question inside it as data, escaped.
    assert "申请已提交" in html
    assert "要求补充信息：Which &lt;em&gt;cities&lt;/em&gt; do you cover?" in html
    # "Approved by Mia Chen" on Mia Chen's line says only who: the line names her once, by the
    # time (tests/web/test_timeline.py).
    assert "已由 Mia Chen 批准" not in html and "申请已批准" in html
    assert f"等待合作伙伴签署《合作伙伴协议：{org.name}》" in html
    assert f"《合作伙伴协议：{org.name}》已签署（SHA-256 0123456789ab…）" in html
    assert "· 系统" in html  # the process's own name for itself
    # A reason someone typed has no phrase: shown exactly as typed.
    assert REASON in html
    # Flags: the rival's name as data (escaped), its stage by its Chinese label.
    assert "与 Acme &lt;b&gt;Asia&lt;/b&gt; Ltd（审核中）域名相同" in html
    assert "联系人使用免费邮箱域名（gmail.com）" in html
    for english in ("Application submitted", "More information requested:", "Approved by",
                    "signature of", "Same domain as", "free-mail domain", "Partner agreement:"):
        assert english not in html, english


def test_an_english_manager_reads_the_notes_as_the_process_wrote_them(app, sessions):
    html, org = _task_page(app, sessions, "en")
    assert "More information requested: Which &lt;em&gt;cities&lt;/em&gt; do you cover?" in html
    assert "Application approved" in html and "Approved by Mia Chen" not in html and REASON in html
    assert f"Partner agreement: {org.name} signed (SHA-256 0123456789ab…)" in html
    assert "Contact uses a free-mail domain (gmail.com)" in html
    # The rival's stage by its label, not the code the flag stores.
    assert "Same domain as Acme &lt;b&gt;Asia&lt;/b&gt; Ltd (In review)" in html


def test_a_chinese_partner_reads_the_portal_timeline_in_chinese(app, sessions):
    org = make_org(sessions, status="in_review")
    with sessions.begin() as s:
        s.add(TimelineEvent(key=f"{org.workflow_id}/t/{tag()}", org_id=org.id, action="in_review",
                            note=notes.AWAITING_REVIEW.format(), actor=notes.SYSTEM.format()))
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=org.id))
    html = client.get("/portal/?lang=zh_Hans").get_data(as_text=True)
    assert "等待渠道经理审核" in html and "Awaiting review" not in html


def test_the_ops_page_keeps_the_stage_code_and_translates_the_note(app):
    from web.notes import current_details_text

    details = notes.CURRENT_DETAILS.format(stage="more_info",
                                           details=notes.MORE_INFO_REQUESTED.format(question="a: b"))
    with app.test_request_context("/?lang=zh_Hans"):
        assert current_details_text(details) == "more_info：要求补充信息：a: b"
        assert current_details_text("in_review: Awaiting review by a channel manager") == \
            "in_review：Awaiting review by a channel manager"  # no phrase wrote that note
        assert current_details_text("something else") == "something else"
    with app.test_request_context("/?lang=en"):
        assert current_details_text(details) == details
