"""Mail in the recipient's language, including the sentences the process itself wrote."""

from __future__ import annotations

import pytest

from activities.mail_render import render_mail
from domain import notes

CONTEXT = {"reference": "PA-1", "company": "星辰贸易", "contact_name": "李伟"}


@pytest.mark.parametrize("locale, expected", [
    ("zh_Hans", "申请未能在截止时间前完成审核。"),
    ("en", "The application could not be reviewed in time."),
])
def test_the_deadline_rejection_reason_is_in_the_applicants_language(locale, expected):
    mail = render_mail("application_rejected",
                       {**CONTEXT, "reason": notes.NOT_REVIEWED_IN_TIME.format()}, locale)
    assert expected in mail.body


def test_a_reason_the_reviewer_typed_stays_as_typed():
    typed = "We have no coverage in your region yet. <b>Sorry</b>"
    mail = render_mail("application_rejected", {**CONTEXT, "reason": typed}, "zh_Hans")
    assert typed in mail.body and "PA-1" in mail.subject
