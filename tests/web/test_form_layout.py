"""What a form shows around its fields: a text input with an error is marked like a select with
one, a field the chosen decision requires is not called "(optional)", and the error summary is
the place to start from after a failed submit (its focus is tests/browser/test_forms_browser.py)."""

from __future__ import annotations

import re

from tests.web.conftest import field_block, login, make_org, make_task, make_user, nonce_of, tag


def control(block: str, tag_name: str) -> str:
    found = re.search(rf"<{tag_name}\b[^>]*>", block)
    assert found, f"no <{tag_name}> in {block}"
    return found.group(0)


def classes(tag_html: str) -> set[str]:
    found = re.search(r'class="([^"]*)"', tag_html)
    return set(found.group(1).split()) if found else set()


def test_a_text_input_with_an_error_gets_the_same_error_class_as_a_select(client):
    html = client.post("/apply", data={"company_name": "Acme Ltd"}).get_data(as_text=True)
    website = control(field_block(html, "website"), "input")      # a text input
    country = control(field_block(html, "country"), "select")     # a select
    assert "input--error" in classes(website) and 'aria-invalid="true"' in website
    assert "input--error" in classes(country)
    # A field without an error keeps the plain control class.
    company = control(field_block(html, "company_name"), "input")
    assert classes(company) == {"input"} and "aria-invalid" not in company


def test_the_error_summary_can_take_focus_and_links_to_each_field(client):
    html = client.post("/apply", data={"company_name": "Acme Ltd"}).get_data(as_text=True)
    summary = re.search(r'<div class="alert alert--error"[^>]*id="form-errors"[^>]*>(.*?)</div>', html, re.S)
    assert summary and 'tabindex="-1"' in summary.group(0)
    assert '<a href="#website">' in summary.group(1) and '<a href="#industries-0">' in summary.group(1)
    assert '<script src="/static/forms.js" defer></script>' in html  # what moves the focus there


def _review_page(app, sessions, locale="en"):
    task = make_task(sessions, make_org(sessions))
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager", name=f"Manager {tag()}", locale=locale))
    return client, task


def test_the_reason_says_which_decisions_require_it_instead_of_optional(app, sessions):
    client, task = _review_page(app, sessions)
    html = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    label = re.search(r'<label for="reason">(.*?)</label>', field_block(html, "reason"), re.S).group(1)
    shown = re.sub(r"<[^>]+>", "", label)  # what a reader sees, before the script runs
    assert "(optional)" not in shown
    assert "required when you choose “Reject” or “Request more information”" in label
    # What the page's script needs to say "(required)" or "(optional)" once a decision is chosen.
    marker = re.search(r"<span [^>]*data-required-when=[^>]*>", label).group(0)
    assert 'data-required-when="decision"' in marker and 'data-values="reject more_info"' in marker
    assert 'data-on="(required)"' in marker and 'data-off="(optional)"' in marker

    # A textarea takes the form's whole width (its class is CleanTextAreaField, not TextAreaField).
    assert re.search(r'<div class="field [^"]*field--wide[^"]*" id="reason-field">', html)

    # The server still decides: a rejection without a reason is refused on the reason field.
    refused = client.post(f"/manage/tasks/{task.id}",
                          data={"decision": "reject", "reason": "", "form_nonce": nonce_of(html)})
    assert refused.status_code == 400
    assert "input--error" in classes(control(field_block(refused.get_data(as_text=True), "reason"),
                                             "textarea"))


def test_the_required_when_label_in_chinese(app, sessions):
    client, task = _review_page(app, sessions, locale="zh_Hans")
    html = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    label = re.search(r'<label for="reason">(.*?)</label>', field_block(html, "reason"), re.S).group(1)
    shown = re.sub(r"<[^>]+>", "", label)
    assert "选择“驳回”或“要求补充信息”时必填" in shown and "选填" not in shown


def test_a_plainly_optional_field_is_still_labelled_optional(client):
    html = client.get("/apply").get_data(as_text=True)
    assert "(optional)" in field_block(html, "message")
    assert "data-required-when" not in html
