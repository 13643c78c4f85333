"""The public application form: field errors in place, typed values kept, limits, CSRF, Chinese."""

from __future__ import annotations

import html as htmllib
import re

from sqlalchemy import func, select

from db.models import Organisation
from tests.conftest import application
from tests.web.conftest import field_block, nonce_of

TYPED = {
    "company_name": "Müller & Söhne GmbH",
    "website": "not a website",
    "country": "DE",
    "region": "Bayern",
    "partner_type": "distributor",
    "contact_name": "Anna Müller",
    "contact_email": "anna-at-example",
    "contact_phone": "12",
    "employees": "0",
    "annual_revenue_band": "10m_50m",
    "industries": ["retail", "logistics"],
    "message": "We sell in Bavaria.",
}


def input_tag(block: str, value: str) -> str:
    found = re.search(rf'<input[^>]*value="{re.escape(value)}"[^>]*>', block)
    assert found, f"no input with value {value}"
    return found.group(0)


def _organisations(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Organisation))


def test_invalid_application_shows_errors_on_the_fields_and_keeps_typed_values(client, sessions):
    page = client.get("/apply").get_data(as_text=True)
    before = _organisations(sessions)

    response = client.post("/apply", data={**TYPED, "form_nonce": nonce_of(page)})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # Each message sits on the field it is about, in the schema's words where it has them.
    assert "Enter a website such as example.com" in field_block(html, "website")
    assert "Enter a valid email address." in field_block(html, "contact_email")
    assert "Enter a phone number such as +86 21 5555 0100" in field_block(html, "contact_phone")
    assert "Enter a number from 1 to 10000000." in field_block(html, "employees")
    assert "field__error" not in field_block(html, "company_name")
    assert "field__error" not in field_block(html, "industries")
    # What the applicant typed is still there, including choices.
    assert 'value="Müller &amp; Söhne GmbH"' in field_block(html, "company_name")
    assert 'value="not a website"' in field_block(html, "website")
    assert '<option selected value="DE">' in field_block(html, "country")
    assert '<option selected value="distributor">' in field_block(html, "partner_type")
    industries = field_block(html, "industries")
    assert "checked" in input_tag(industries, "retail") and "checked" in input_tag(industries, "logistics")
    assert industries.count("checked") == 2
    assert "We sell in Bavaria." in field_block(html, "message")
    assert _organisations(sessions) == before


def test_missing_required_answers_are_named_on_their_fields(client):
    response = client.post("/apply", data={"company_name": "Acme Ltd"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for name in ("website", "country", "partner_type", "contact_name", "industries"):
        assert "field__error" in field_block(html, name), name
    assert "Choose at least one option." in field_block(html, "industries")
    assert "Please correct the highlighted fields" in html


def test_a_two_megabyte_post_gets_a_friendly_413(client):
    response = client.post("/apply", data={"company_name": "A", "message": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "That upload is too large" in html
    assert "Traceback" not in html


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(csrf_app, sessions):
    client = csrf_app.test_client()
    page = client.get("/apply").get_data(as_text=True)
    before = _organisations(sessions)
    response = client.post("/apply", data={**TYPED, "form_nonce": nonce_of(page)})
    assert response.status_code == 400
    assert "Please send the form again" in response.get_data(as_text=True)
    assert _organisations(sessions) == before
    # With the token the same POST reaches validation (and fails on the fields, not on CSRF).
    token = htmllib.unescape(page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0])
    response = client.post("/apply", data={**TYPED, "form_nonce": nonce_of(page), "csrf_token": token})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)


def test_apply_page_in_simplified_chinese(client):
    html = client.get("/apply?lang=zh_Hans").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert "提交申请" in html
    assert "公司名称" in field_block(html, "company_name")
    assert ">中国</option>" in field_block(html, "country")
    assert ">经销商</" in field_block(html, "partner_type")
    # The choice is remembered for the next page without ?lang=.
    assert "提交申请" in client.get("/apply").get_data(as_text=True)


def test_chinese_from_the_browser_language_and_errors_in_chinese(app):
    client = app.test_client()
    html = client.get("/apply", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "提交申请" in html
    response = client.post("/apply", data={"company_name": "A"},
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "此项为必填项" in field_block(html, "contact_name")
    assert "请输入网站，例如 example.com" in field_block(html, "website")


def test_submitted_page_shows_the_reference_and_promises_mail(client):
    html = client.get("/apply/submitted/PA-ABCDEFGH").get_data(as_text=True)
    assert "PA-ABCDEFGH" in html and "confirmation email" in html
    assert client.get("/apply/submitted/not-a-reference").status_code == 404


def test_temporal_unreachable_keeps_the_application_and_says_try_again(client, sessions):
    page = client.get("/apply").get_data(as_text=True)
    data = application()
    response = client.post("/apply", data={**data, "form_nonce": nonce_of(page)})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "We could not submit your application just now" in html
    assert f'value="{data["company_name"]}"' in field_block(html, "company_name")
    assert response.headers["Referrer-Policy"] == "same-origin"
