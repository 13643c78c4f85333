"""The manager's evidence review, from its task row: it sits in the manager inbox, and its page
(the shared task page, run_task_page) shows the item, its round, the evidence as submitted
(the file as a link to the file store's download, the answers by their labels) and the quiz
result the workflow computed, above the accept / return form."""

from __future__ import annotations

import re
import uuid

from db.models import StoredFile
from tests.web.conftest import login, make_org, make_user, tag
from tests.web.enablement_rows import seed_plan, seed_task


def test_an_evidence_review_is_in_the_inbox_and_its_page_shows_the_evidence(client, sessions):
    manager = make_user(sessions, "channel_manager")
    login(client, manager)
    org = make_org(sessions, name=f"Review {tag()} Ltd", status="active")
    seed_plan(sessions, org, statuses={"sales_training": "in_review"})
    file_id = str(uuid.uuid4())
    with sessions.begin() as s:
        s.add(StoredFile(id=file_id, sha256="0" * 64, org_id=org.id, purpose="evidence",
                         original_name="certificate-wang.pdf", size=1234,
                         content_type="application/pdf"))
    task = seed_task(sessions, org, "sales_training", task_type="evidence_review",
                     form="evidence_review.v1", role="channel_manager", context={
                         "round": 2, "returned_comment": "Unreadable scan.",
                         "evidence": {"certificate": file_id, "q_discount": "tier_at_order",
                                      "q_register_when": "before_engaging",
                                      "q_conflict": "first_approved", "q_brand": "guidelines"},
                         "quiz_result": {"correct": 4, "total": 4, "percent": 100,
                                         "pass_percent": 75, "passed": True, "wrong": []}})
    inbox = client.get("/manage/inbox", query_string={"q": org.reference}).get_data(as_text=True)
    assert task.id in inbox and "Review enablement evidence" in inbox
    html = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    evidence = re.search(r'id="enablement-evidence".*?</section>', html, re.S).group(0)
    assert "Complete the sales training" in evidence and "Round 2" in evidence
    assert f'href="/files/{file_id}"' in evidence and "certificate-wang.pdf" in evidence
    assert "Your tier&#39;s discount when the order is placed" in evidence
    assert 'data-passed="yes"' in evidence and "4 of 4 answers right" in evidence
    assert "Unreadable scan." in evidence
    assert 'name="decision"' in html and 'value="return"' in html
