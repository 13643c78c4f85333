"""The enablement evidence forms build, take a valid answer, refuse a bad one on its field, and
read in Chinese (definitions/forms/, built by forms/builder.py like every schema form)."""

from __future__ import annotations

import uuid

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from definitions.loader import form_schema
from definitions.plans import load_plan, plan_ids, plan_versions
from forms import form_class, validated_payload

FILE_ID = str(uuid.uuid4())  # what web/files.py puts in the payload for a stored upload
VALID = {
    "partner_profile.v1": {
        "website": "https://www.acme.example", "description": "We sell and implement the platform "
        "for manufacturers in East China.", "street_address": "88 Century Avenue", "city": "Shanghai",
        "country": "CN", "phone": "+86 21 5555 0100", "employees": "40",
        "products": ["platform", "analytics"], "specialisations": ["implementation"],
        "regions_served": ["greater_china"]},
    "partner_logo.v1": {"logo": FILE_ID, "usage_consent": "y"},
    "sign_addendum.v1": {"full_name": "Li Wei", "accept": "y"},
    "sales_training.v1": {"certificate": FILE_ID, "q_register_when": "before_engaging",
                          "q_discount": "negotiated", "q_conflict": "both", "q_brand": "guidelines"},
    "product_overview.v1": {"q_platform": "email", "q_analytics": "analytics", "q_services": "nobody"},
    "product_demo.v1": {"recording": "https://video.example.com/demo/1", "q_demo_data": "sample",
                        "q_demo_setup": "laptop", "q_demo_follow_up": "register"},
    "referral_training.v1": {"q_referral_when": "after_sale", "q_referral_fee": "on_win",
                             "q_referral_consent": "consent"},
    "sales_associate_exam.v1": {"q_positioning": "individuals", "q_registration": "forever",
                                "q_pricing": "company", "q_data": "guess", "q_escalation": "refuse"},
    "kickoff_record.v1": {"held_on": "2026-12-03", "attendees": "Li Wei (sales lead)\nAnn (channel manager)",
                          "notes": "Targets for Q1 agreed."},
    "evidence_review.v1": {"decision": "accept"},
}
PLAN_FORMS = sorted({i.evidence_form for pid in plan_ids() for v in plan_versions(pid)
                     for i in load_plan(pid, v).items if i.evidence_form})


def _submit(app, form: str, data: dict, locale: str = "en"):
    with app.test_request_context("/tasks/x", method="POST", data=MultiDict(data)), force_locale(locale):
        bound = form_class(form)()
        return validated_payload(bound), bound


def test_every_form_a_plan_names_and_the_review_form_are_covered_here():
    assert set(PLAN_FORMS) | {"evidence_review.v1"} == set(VALID)


@pytest.mark.parametrize("form", sorted(VALID))
def test_each_form_builds_and_takes_a_valid_answer(app, form):
    payload, bound = _submit(app, form, VALID[form])
    assert payload is not None, bound.errors
    assert set(payload) <= set(form_schema(form)["properties"])


@pytest.mark.parametrize("form", sorted(VALID))
def test_each_form_reads_in_chinese(app, form):
    schema = form_schema(form)
    with app.test_request_context("/tasks/x"), force_locale("zh_Hans"):
        bound = form_class(form)()
        labels = [bound[name].label.text for name in schema["properties"]]
    english = [prop["title"] for prop in schema["properties"].values()]
    assert all(zh != en for zh, en in zip(labels, english)), list(zip(labels, english))


def test_a_quiz_answer_outside_the_choices_is_refused_and_the_rest_kept(app):
    data = {**VALID["sales_training.v1"], "q_brand": "anything_goes"}
    payload, bound = _submit(app, "sales_training.v1", data)
    assert payload is None
    assert bound.q_brand.errors == ["Choose one of the options."]
    assert bound.q_discount.data == "negotiated" and bound.certificate.data == FILE_ID


def test_returning_evidence_needs_a_comment_accepting_does_not(app):
    payload, bound = _submit(app, "evidence_review.v1", {"decision": "return"})
    assert payload is None and bound.comment.errors == ["Say what the partner should change"]
    assert bound.required_when["comment"].values == ("return",)
    payload, _ = _submit(app, "evidence_review.v1", {"decision": "return", "comment": "Wrong file"})
    assert payload == {"decision": "return", "comment": "Wrong file"}
    payload, bound = _submit(app, "evidence_review.v1", {"decision": "return"}, "zh_Hans")
    assert payload is None and bound.comment.errors != ["Say what the partner should change"]


def test_a_kickoff_needs_a_real_date_and_a_profile_its_regions(app):
    payload, bound = _submit(app, "kickoff_record.v1", {**VALID["kickoff_record.v1"], "held_on": "2026-02-30"})
    assert payload is None and bound.held_on.errors
    profile = {k: v for k, v in VALID["partner_profile.v1"].items() if k != "regions_served"}
    payload, bound = _submit(app, "partner_profile.v1", profile)
    assert payload is None and bound.regions_served.errors


def test_upload_fields_follow_the_file_field_convention():
    for form, field, purpose in [("partner_logo.v1", "logo", "logo"),
                                 ("sales_training.v1", "certificate", "evidence")]:
        prop = form_schema(form)["properties"][field]
        assert prop["format"] == "file-id" and prop["x-file"]["purpose"] == purpose
        assert prop["x-file"]["types"] and prop["x-file"]["max_bytes"] <= 10 * 1024 * 1024
