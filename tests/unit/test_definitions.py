import json
from datetime import timedelta

import pytest

from definitions.loader import (PROGRAMS, DefinitionError, agreement_template, form_schema,
                                form_validator, load_program, parse_duration, program_rules_from)
from domain.program import Countersign, ReviewFallback


def test_the_default_program_is_valid_and_matches_the_issue_defaults():
    rules = load_program("default")
    assert rules.review_sla == timedelta(days=2)
    assert rules.review_fallback == ReviewFallback.EXPIRE
    assert rules.signature_expiry == timedelta(days=30)
    assert rules.signature_reminders_before == (timedelta(days=7), timedelta(days=3), timedelta(days=1))
    assert rules.countersign == Countersign.MANAGER


@pytest.mark.parametrize("text,expected", [("P2D", timedelta(days=2)), ("PT30S", timedelta(seconds=30)),
                                           ("P1DT12H", timedelta(days=1, hours=12))])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "P", "PT", "2 days", "P1M"])
def test_bad_durations_are_refused(bad):
    with pytest.raises(DefinitionError):
        parse_duration(bad)


def test_an_invalid_program_names_the_field_that_is_wrong():
    data = json.loads((PROGRAMS / "default.v1.json").read_text())
    data["recruitment"]["review"]["fallback"] = "shrug"
    with pytest.raises(DefinitionError, match="recruitment/review/fallback"):
        program_rules_from(data)


def test_forms_are_valid_schemas_and_reject_unknown_fields():
    for name in ["partner_application.v1", "review_decision.v1", "sign_agreement.v1", "countersign.v1"]:
        assert form_schema(name)["$id"] == name
    errors = list(form_validator("sign_agreement.v1").iter_errors(
        {"full_name": "Li", "accept": True, "extra": 1}))
    assert any("extra" in e.message for e in errors)


def test_a_rejection_needs_a_reason():
    v = form_validator("review_decision.v1")
    assert not list(v.iter_errors({"decision": "approve"}))
    assert list(v.iter_errors({"decision": "reject"}))
    assert not list(v.iter_errors({"decision": "reject", "reason": "No coverage"}))


def test_unknown_names_are_refused():
    for call in (lambda: form_schema("../etc/passwd"), lambda: agreement_template("nope.v1"),
                 lambda: load_program("nope")):
        with pytest.raises(DefinitionError):
            call()


@pytest.mark.parametrize("typed", ["ACME-EXAMPLE.COM.", "https://www.acme-example.com./about"])
def test_a_website_written_with_the_root_dot_is_accepted_and_its_domain_normalised(typed):
    from domain.screening import normalise_domain
    from tests.conftest import application

    errors = list(form_validator("partner_application.v1").iter_errors(application(website=typed)))
    assert [e.message for e in errors] == []
    assert normalise_domain(typed) == "acme-example.com"
