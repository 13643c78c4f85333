"""An organisation's standing, read from the rows the enablement workflow writes, and the
eligibility rule (domain/eligibility.py) applied to it: what deal registration calls.

Reads three small things: the organisation's status, its enablement_plan row (stage, plan
version) and its certification rows that are not superseded. The stage is the workflow's; the
certifications are checked against `today` here as well, so a certification that expired this
morning counts as lapsed even before the workflow's timer has written the lapse.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Certification, EnablementPlan, Organisation
from definitions.loader import DefinitionError
from definitions.plans import load_plan, plan_for_partner_type
from domain.enablement import CertificationStatus, EnablementPlan as Plan, ProgramRequirement
from domain.eligibility import Eligibility, HeldCertification, OrgStanding, eligibility


def standing_of(session: Session, org_id: str, today: date | None = None) -> OrgStanding | None:
    """None for an organisation that does not exist. `today` is accepted for symmetry with
    is_eligible: the rows are read as they are, the date is applied by the rule."""
    org = session.get(Organisation, org_id)
    if org is None:
        return None
    row = session.get(EnablementPlan, org_id)
    certs = session.scalars(
        select(Certification).where(Certification.org_id == org_id,
                                    Certification.status != CertificationStatus.RENEWED.value)
        .options(selectinload(Certification.holder)).order_by(Certification.expires_at)).all()
    return OrgStanding(
        org_id=org_id, status=org.status,
        stage=row.stage if row else None,
        plan_id=row.plan_id if row else None,
        plan_version=row.plan_version if row else None,
        certifications=tuple(
            HeldCertification(c.cert_key, c.name, c.holder.name if c.holder else "", c.expires_at,
                              CertificationStatus(c.status)) for c in certs))


def plan_of(session: Session, standing: OrgStanding) -> Plan | None:
    """The partner's own plan version; the plan's newest if that version's file is gone (a
    definition withdrawn must not make a program's requirements disappear with it); before
    enablement starts, the plan the partner will start on."""
    attempts = []
    if standing.plan_id is not None:
        attempts += [lambda: load_plan(standing.plan_id, standing.plan_version),
                     lambda: load_plan(standing.plan_id)]
    org = session.get(Organisation, standing.org_id)
    if org is not None:
        attempts.append(lambda: plan_for_partner_type(org.partner_type))
    for attempt in attempts:
        try:
            return attempt()
        except DefinitionError:
            continue
    return None


def is_eligible(session: Session, org_id: str, program: str, today: date) -> Eligibility | None:
    """None for an unknown organisation. A program the partner's plan sets no requirement for
    asks only that the partner is active."""
    standing = standing_of(session, org_id, today)
    if standing is None:
        return None
    plan = plan_of(session, standing)
    requirement = next((r for r in (plan.requirements if plan else ()) if r.program == program),
                       ProgramRequirement(program))
    return eligibility(plan, requirement, standing, today)
