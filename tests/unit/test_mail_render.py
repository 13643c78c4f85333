"""Mail in the recipient's language, composed from its fields: a subject, a text part and an HTML
part, none of which a value can spill into another."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from activities.mail_render import TEMPLATES, Brand, render_mail
from domain import notes

CONTEXT = {"reference": "PA-1", "company": "星辰贸易", "contact_name": "李伟"}
BRAND = Brand("Example Vendor Ltd", "#1f4e79")
# Every field any template reads, as an attacker would fill them in a hand-made POST.
HOSTILE = {
    "reference": "PA-7", "company": "Acme\n\nYour account is locked: sign in at evil.example",
    "contact_name": "Li\r\nBcc: x@evil.example", "title": "Review application PA-7: Acme",
    "task_type": "review_application", "due": "2026-12-01 10:00 UTC", "expires": "2026-12-08",
    "link": "http://prm.test/manage/tasks/t-1", "question": "Which cities?\n\nAnd which years?",
    "reason": "No coverage yet.", "days_left": 3, "name": "Li\r\nBcc: x@evil.example",
    "minutes": 60, "portal": "http://prm.test/portal/", "rounds": 20, "asked_by": "Ann Lee",
    "overdue": True, "count": 2, "sha256": "ab" * 32, "partner_signer": "Li\r\nBcc: x@evil.example",
    "partner_signed_at": "3 Dec 2026, 10:00:00 UTC", "company_signer": "Dana\n\nSign in at evil",
    "company_signed_at": "3 Dec 2026, 11:00:00 UTC",
    # Enablement (issue 10): the plan's own words by language, a holder's typed name.
    "holder": "Li\r\nBcc: x@evil.example", "expires_at": "2027-12-03", "forward": False,
    "cert_names": {"en": "Sales Associate", "zh_Hans": "销售专员"},
    "stage_titles": {"en": "Enabled", "zh_Hans": "已赋能"}, "escalated_to": "channel_manager",
    "titles": {"en": "Complete the sales training"},
    # The daily digest's lists (activities/digest.py), with what applicants typed in them.
    "sections": [{"kind": kind, "items": [{
        "template": "task_assigned", "task_type": task_type, "reference": "PA-7",
        "company": 'Acme\n\nYour account is locked <img src=x onerror="alert(1)"><script>x</script>',
        "title": "Review <a href=\"https://evil.example\">", "link": "http://prm.test/manage/tasks/t-1"}]}
        for kind, task_type in (("group_task", "review_application"), ("application_closed", ""))]}
MAILS = sorted(p.stem for p in TEMPLATES.glob("*.jinja") if not p.name.startswith("_"))


@pytest.mark.parametrize("locale, expected", [
    ("zh_Hans", "申请未能在截止时间前完成审核。"),
    ("en", "The application could not be reviewed in time."),
])
def test_the_deadline_rejection_reason_is_in_the_applicants_language(locale, expected):
    mail = render_mail("application_rejected",
                       {**CONTEXT, "reason": notes.NOT_REVIEWED_IN_TIME.format()}, locale, BRAND)
    assert expected in mail.text and expected in mail.html


def test_a_reason_the_reviewer_typed_stays_as_typed():
    typed = "We have no coverage in your region yet. <b>Sorry</b>"
    mail = render_mail("application_rejected", {**CONTEXT, "reason": typed}, "zh_Hans", BRAND)
    assert typed in mail.text and "PA-1" in mail.subject
    assert "We have no coverage in your region yet. &lt;b&gt;Sorry&lt;/b&gt;" in mail.html


def test_a_blank_line_in_the_company_name_does_not_split_staff_mail():
    """The old renderer split the subject from the body at the first blank line: the text after
    the blank line in a company's name became the top of every manager's mail."""
    mail = render_mail("task_assigned", HOSTILE, "en", BRAND)
    assert mail.subject == ("New task: Review application PA-7: Acme Your account is locked: "
                            "sign in at evil.example")
    assert mail.text.startswith("A new task is waiting in your inbox:\n")
    # The name stays where it belongs: in the quoted heading, on one line.
    assert "  Review application PA-7: Acme Your account is locked: sign in at evil.example\n" \
        in mail.text


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
@pytest.mark.parametrize("template", MAILS)
def test_every_subject_is_one_line_and_every_body_starts_with_its_own_text(template, locale):
    mail = render_mail(template, HOSTILE, locale, BRAND)
    assert mail.subject and "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.subject == mail.subject.strip() and "  " not in mail.subject
    assert not mail.text.startswith(("Your account", "Bcc"))
    assert "Bcc: x@evil.example" not in mail.text.splitlines()  # never a line of its own
    assert mail.text.rstrip().endswith("Example Vendor Ltd")  # the signature closes it


def test_a_question_keeps_its_paragraphs():
    mail = render_mail("task_edit_application", HOSTILE, "en", BRAND)
    assert "  Which cities?\n  And which years?\n" in mail.text
    assert "Which cities?\n\nAnd which years?" in mail.html  # shown with white-space: pre-line


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


INJECTED = '<img src=x onerror="alert(1)"><script>alert(2)</script><a href="https://evil.example">'


@pytest.mark.parametrize("template", MAILS)
def test_what_applicants_typed_is_text_in_the_html_part(template):
    context = {**HOSTILE, **{k: f"{v} {INJECTED}" for k, v in HOSTILE.items()
                             if k in ("company", "contact_name", "name", "question", "reason", "title")}}
    mail = render_mail(template, context, "en", BRAND)
    parser = _Tags()
    parser.feed(mail.html)
    assert parser.tags <= {"html", "head", "meta", "title", "body", "table", "tr", "td", "p",
                           "div", "br", "a"}
    assert "onerror" not in parser.attributes
    assert "evil.example" not in "".join(re.findall(r'href="([^"]*)"', mail.html))


def test_the_html_part_wears_the_brand_in_the_readers_language():
    mail = render_mail("partner_invitation",
                       {**CONTEXT, "link": "http://prm.test/set-password/abc", "expires": "soon"},
                       "zh_Hans", Brand("星辰软件有限公司", "#c8102e"))
    assert '<html lang="zh-Hans">' in mail.html
    assert "星辰软件有限公司" in mail.html and "background:#c8102e" in mail.html
    assert 'href="http://prm.test/set-password/abc"' in mail.html and "设置密码" in mail.html
    assert "李伟，您好：" in mail.html and "星辰软件有限公司" in mail.text


def test_text_on_the_brand_colour_stays_readable():
    assert Brand("X", "#1f4e79").text_color == "#ffffff"
    assert Brand("X", "#ffd400").text_color == "#1f2328"


def test_the_brand_colour_must_be_a_colour():
    """It goes into style attributes of every mail: nothing else may get in with it."""
    from settings import Settings

    assert Settings.from_env({"BRAND_COLOR": "#C8102E"}).brand_color == "#c8102e"
    assert Settings.from_env({"BRAND_COLOR": "#abc"}).brand_color == "#aabbcc"
    with pytest.raises(ValueError, match="BRAND_COLOR"):
        Settings.from_env({"BRAND_COLOR": "red;background:url(https://evil.example/)"})
