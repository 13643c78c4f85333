"""db/eligibility.py reads the rows the enablement workflow writes: organisation status, the
enablement_plan row's stage and the certification rows of the partner's people."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from db.eligibility import is_eligible, standing_of
from db.models import Certification, EnablementPlan, Organisation
from domain import ids
from domain.onboarding import Stage
from tests.web.conftest import make_org, make_user

TODAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def _enabled(sessions, stage="enabled", partner_type="reseller", version=1):
    org = make_org(sessions, status="active", partner_type=partner_type)
    with sessions.begin() as s:
        s.add(EnablementPlan(org_id=org.id, workflow_id=f"enablement-{org.id}",
                             plan_id="standard" if partner_type == "reseller" else "referral",
                             plan_version=version, stage=stage))
    return org


def _certify(sessions, org, expires_at, status="valid", issued_days=365):
    person = make_user(sessions, "partner_user", org_id=org.id, name="Li Wei")
    with sessions.begin() as s:
        s.add(Certification(org_id=org.id, user_id=person.id, cert_key="sales_associate",
                            name="Sales Associate", issued_at=expires_at - timedelta(days=issued_days),
                            expires_at=expires_at, status=status, workflow_id=f"enablement-{org.id}"))
    return person


def test_an_enabled_reseller_with_a_certified_person_may_register_deals(sessions):
    org = _enabled(sessions)
    _certify(sessions, org, NOON + timedelta(days=200))
    with sessions() as s:
        standing = standing_of(s, org.id, TODAY)
        assert (standing.status, standing.stage, standing.plan_id, standing.plan_version) == (
            "active", "enabled", "standard", 1)
        assert [(c.cert_key, c.holder_name) for c in standing.certifications] == [
            ("sales_associate", "Li Wei")]
        answer = is_eligible(s, org.id, "deal_registration", TODAY)
    assert answer.eligible and answer.reasons == ()


def test_a_lapse_and_an_unreached_stage_are_the_reasons_given(sessions):
    org = _enabled(sessions, stage="onboarding")
    _certify(sessions, org, datetime(2026, 11, 2, 9, tzinfo=timezone.utc), status="lapsed")
    _certify(sessions, org, datetime(2025, 11, 2, 9, tzinfo=timezone.utc), status="renewed")
    with sessions() as s:
        answer = is_eligible(s, org.id, "deal_registration", TODAY)
    assert answer.texts == ("Enablement stage Enabled not reached",
                            "Certification Sales Associate lapsed on 2026-11-02")


def test_a_partner_no_longer_active_is_refused_and_a_referral_partner_needs_no_certification(
        sessions):
    org = _enabled(sessions, partner_type="referral")
    with sessions() as s:
        assert is_eligible(s, org.id, "deal_registration", TODAY).eligible
    with sessions.begin() as s:
        # A stage the product has (the session's database is shared: the staff home counts
        # organisations by stage, and one in a stage it does not know would be lost to it).
        s.get(Organisation, org.id).status = Stage.EXPIRED
    with sessions() as s:
        assert is_eligible(s, org.id, "deal_registration", TODAY).texts == ("Partner is not active",)


def test_before_enablement_starts_the_plan_the_partner_will_start_on_decides(sessions):
    org = make_org(sessions, status="active", partner_type="distributor")
    with sessions() as s:
        assert standing_of(s, org.id, TODAY).stage is None
        assert is_eligible(s, org.id, "deal_registration", TODAY).texts == (
            "Enablement has not started", "Nobody holds the certification Sales Associate")
        # A program the plan sets no requirement for asks only for an active partner.
        assert is_eligible(s, org.id, "lead_offers", TODAY).eligible


def test_an_unknown_organisation_has_no_standing(sessions):
    with sessions() as s:
        assert standing_of(s, ids.new_org_id(), TODAY) is None
        assert is_eligible(s, ids.new_org_id(), "deal_registration", TODAY) is None


def test_a_withdrawn_plan_version_still_holds_the_partner_to_its_plans_requirements(sessions):
    org = _enabled(sessions, stage="enabled", version=99)
    with sessions() as s:
        assert is_eligible(s, org.id, "deal_registration", TODAY).texts == (
            "Nobody holds the certification Sales Associate",)
