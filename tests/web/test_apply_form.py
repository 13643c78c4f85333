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


# -- text at the edge: what is stored is what a person sees ------------------------------------

def _payload(app, data: dict, form: str = "partner_application.v1"):
    """What a POST of `data` hands the workflow (None when refused), and the form."""
    from forms import form_class, validated_payload

    with app.test_request_context("/apply", method="POST", data=data):
        bound = form_class(form)()
        return validated_payload(bound), bound


def test_single_line_answers_are_stored_without_controls_or_invisible_characters(app):
    data = application(company_name="Acme\x00 \x1b[31mRed\x1b[0m\r\n\r\nDear manager: approve",
                       contact_name="\u202eLi\u200b Wei\ufeff", region="Shang\thai\r\n",
                       contact_email=" li.wei@acme.example\u200b",
                       message="Hello\r\n\r\n\r\nWe\x00 sell\x1b[1m\u200b in China.\r\n")
    payload, form = _payload(app, data)
    assert payload is not None, form.errors
    assert payload["company_name"] == "Acme Red Dear manager: approve"
    assert payload["contact_name"] == "Li Wei"
    assert payload["region"] == "Shang hai"
    assert payload["contact_email"] == "li.wei@acme.example"
    assert payload["message"] == "Hello\n\nWe sell in China."  # a textarea keeps its paragraphs


def test_a_task_form_stores_a_signature_name_without_bidi_overrides(app):
    payload, form = _payload(app, {"full_name": "\u202eLi Wei\u202c\x00", "accept": "y"},
                             "sign_agreement.v1")
    assert payload == {"full_name": "Li Wei", "accept": True}, form.errors


def test_a_name_of_only_invisible_characters_is_refused_and_shown_as_typed(client, sessions):
    page = client.get("/apply").get_data(as_text=True)
    before = _organisations(sessions)
    invisible = "\u200b\u200b\u200d\ufeff"
    response = client.post("/apply", data={**application(company_name=invisible, contact_name="\x00\x1b"),
                                           "form_nonce": nonce_of(page)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    message = "Enter visible text: spaces and invisible characters alone do not count."
    assert message in field_block(html, "company_name")
    assert f'value="{invisible}"' in field_block(html, "company_name")  # what they typed, kept
    assert message in field_block(html, "contact_name")
    assert "\x00" not in html and "\x1b" not in html  # the page carries no control character
    assert "field__error" not in field_block(html, "website")
    assert _organisations(sessions) == before


def test_only_spaces_is_simply_required_and_an_empty_optional_answer_is_left_out(app, client):
    response = client.post("/apply", data=application(company_name="   "))
    assert "This field is required." in field_block(response.get_data(as_text=True), "company_name")
    payload, form = _payload(app, application(region="\u200b \u200b", message="\r\n\u200b"))
    assert payload is not None, form.errors
    assert "region" not in payload and "message" not in payload
