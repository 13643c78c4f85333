"""Eligibility (domain/eligibility.py): whether a partner may use a program today, and why not."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from definitions.plans import load_plan
from domain.eligibility import (CERTIFICATION_LAPSED, REASONS, HeldCertification, OrgStanding,
                                eligibility)
from domain.enablement import CertificationStatus, ProgramRequirement
from domain.phrases import translated

PLAN = load_plan("standard", 1)
DEALS = PLAN.requirements[0]
TODAY = date(2026, 11, 20)


def _cert(expires: date, status=CertificationStatus.VALID) -> HeldCertification:
    return HeldCertification("sales_associate", "Sales Associate", "Li Wei",
                             datetime(expires.year, expires.month, expires.day, 8, tzinfo=timezone.utc),
                             status)


def _standing(status="active", stage="enabled", *certs) -> OrgStanding:
    return OrgStanding("org-1", status, stage, "standard", 1, tuple(certs))


def test_an_active_enabled_partner_with_a_valid_certification_is_eligible():
    answer = eligibility(PLAN, DEALS, _standing("active", "enabled", _cert(TODAY + timedelta(days=90))), TODAY)
    assert answer.eligible and answer.reasons == () and answer.program == "deal_registration"
    certified = _standing("active", "certified", _cert(TODAY + timedelta(days=1)))
    assert eligibility(PLAN, DEALS, certified, TODAY).eligible


def test_every_reason_is_named_at_once():
    answer = eligibility(PLAN, DEALS, _standing("suspended", "onboarding"), TODAY)
    assert not answer.eligible
    assert answer.texts == ("Partner is not active", "Enablement stage Enabled not reached",
                            "Nobody holds the certification Sales Associate")


def test_a_lapsed_certification_says_when_it_lapsed():
    held = (_cert(date(2026, 11, 2), CertificationStatus.LAPSED), _cert(date(2025, 11, 2), CertificationStatus.RENEWED))
    answer = eligibility(PLAN, DEALS, _standing("active", "enabled", *held), TODAY)
    assert answer.texts == ("Certification Sales Associate lapsed on 2026-11-02",)


def test_a_certification_past_its_expiry_counts_as_lapsed_before_the_lapse_is_written():
    answer = eligibility(PLAN, DEALS, _standing("active", "enabled", _cert(TODAY)), TODAY)
    assert answer.texts == (f"Certification Sales Associate lapsed on {TODAY.isoformat()}",)


def test_before_enablement_starts_the_stage_is_not_reached():
    standing = OrgStanding("org-1", "active", None, None, None, ())
    answer = eligibility(PLAN, ProgramRequirement("deal_registration", "enabled"), standing, TODAY)
    assert answer.texts == ("Enablement has not started",)


def test_a_program_without_requirements_asks_only_for_an_active_partner():
    assert eligibility(PLAN, ProgramRequirement("mdf"), _standing("active", "onboarding"), TODAY).eligible
    assert not eligibility(None, ProgramRequirement("mdf"), _standing("in_review", None), TODAY).eligible


def test_reasons_read_in_chinese_with_the_plans_own_words():
    answer = eligibility(PLAN, DEALS, _standing("active", "onboarding"), TODAY)
    catalog = {"Enablement stage %(stage)s not reached": "尚未达到赋能阶段“%(stage)s”",
               "Nobody holds the certification %(name)s": "尚无人持有“%(name)s”认证"}
    shown = [r.in_language("zh_Hans", lambda m: catalog.get(m, m)) for r in answer.reasons]
    assert shown == ["尚未达到赋能阶段“已赋能”", "尚无人持有“销售专员”认证"]


def test_a_stored_reason_is_recognised_by_its_phrase_for_translation():
    text = CERTIFICATION_LAPSED.format(name="Sales Associate", date="2026-11-02")
    assert translated(text, REASONS, lambda m: "认证 %(name)s 已于 %(date)s 到期"
                      if m == CERTIFICATION_LAPSED.msgid else m) == "认证 Sales Associate 已于 2026-11-02 到期"


STAGES = [s.key for s in PLAN.stages]


@given(st.sampled_from(["active", "in_review", "suspended"]), st.sampled_from(STAGES),
       st.lists(st.tuples(st.integers(-400, 400), st.sampled_from(list(CertificationStatus))), max_size=3))
def test_eligible_exactly_when_active_far_enough_and_certified(status, stage, certs):
    held = [_cert(TODAY + timedelta(days=d), s) for d, s in certs]
    answer = eligibility(PLAN, DEALS, _standing(status, stage, *held), TODAY)
    valid = any(s is CertificationStatus.VALID and d > 0 for d, s in certs)
    expected = status == "active" and STAGES.index(stage) >= 1 and valid
    assert answer.eligible == expected == (answer.reasons == ())
