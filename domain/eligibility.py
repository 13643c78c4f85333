"""Is this organisation eligible for a program today, and if not, why: the rule deal
registration, lead offers and MDF call (DESIGN.md section 8).

A program's requirement (ProgramRequirement, from the partner's enablement plan) asks for an
active partner, an enablement stage reached and certifications someone of the partner holds. The
answer names every reason it falls short, as Phrases (domain/phrases.py): English as the program
stores it, and the reader's language on a page (`Reason.in_language`). The definitions' words a
reason quotes (a stage's or a certification's name) come from the plan in each language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.enablement import (CertificationStatus, EnablementPlan, LocalText, ProgramRequirement,
                               in_language)
from domain.enablement_rules import stage_index
from domain.phrases import N_, Phrase

NOT_ACTIVE = Phrase(N_("Partner is not active"))
NO_PLAN = Phrase(N_("Enablement has not started"))
STAGE_NOT_REACHED = Phrase(N_("Enablement stage %(stage)s not reached"))
CERTIFICATION_MISSING = Phrase(N_("Nobody holds the certification %(name)s"))
CERTIFICATION_LAPSED = Phrase(N_("Certification %(name)s lapsed on %(date)s"),
                              date="[0-9]{4}-[0-9]{2}-[0-9]{2}")

REASONS = (NOT_ACTIVE, NO_PLAN, STAGE_NOT_REACHED, CERTIFICATION_MISSING, CERTIFICATION_LAPSED)


@dataclass(frozen=True)
class HeldCertification:
    cert_key: str
    name: str                                  # as the certification row names it (English)
    holder_name: str
    expires_at: datetime
    status: CertificationStatus = CertificationStatus.VALID

    def valid_on(self, today: date) -> bool:
        """Valid through the day before it expires: one expiring today no longer covers a
        registration made today (the day is the unit a program's rules speak in)."""
        return self.status is CertificationStatus.VALID and self.expires_at.date() > today


@dataclass(frozen=True)
class OrgStanding:
    """What eligibility reads of one organisation (db/eligibility.py gathers it)."""
    org_id: str
    status: str                                # organisation.status: "active" once activated
    stage: str | None = None                   # the enablement stage; None before enablement
    plan_id: str | None = None
    plan_version: int | None = None
    certifications: tuple[HeldCertification, ...] = ()


@dataclass(frozen=True)
class Reason:
    phrase: Phrase
    fields: dict[str, str] = field(default_factory=dict)      # English values
    localised: dict[str, LocalText] = field(default_factory=dict)  # a field's words per language

    @property
    def text(self) -> str:
        return self.phrase.format(**self.fields)

    def in_language(self, locale: str, gettext: Callable[[str], str]) -> str:
        """`gettext`: the reader's catalog's (the page's, or the mail's)."""
        values = {k: in_language(self.localised[k], locale) if k in self.localised else v
                  for k, v in self.fields.items()}
        return gettext(self.phrase.msgid) % values


@dataclass(frozen=True)
class Eligibility:
    program: str
    eligible: bool
    reasons: tuple[Reason, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(r.text for r in self.reasons)


def eligibility(plan: EnablementPlan | None, requirement: ProgramRequirement,
                standing: OrgStanding, today: date) -> Eligibility:
    """Every reason `standing` falls short of `requirement` on `today` (none: eligible). `plan`
    is the partner's own plan (its pinned version), which names its stages and certifications."""
    reasons: list[Reason] = []
    if standing.status != "active":
        reasons.append(Reason(NOT_ACTIVE))
    if requirement.min_stage is not None:
        if standing.stage is None or plan is None:
            reasons.append(Reason(NO_PLAN))
        elif stage_index(plan, standing.stage) < stage_index(plan, requirement.min_stage):
            title = next((s.title for s in plan.stages if s.key == requirement.min_stage),
                         {"en": requirement.min_stage})
            reasons.append(Reason(STAGE_NOT_REACHED, {"stage": in_language(title, "en")},
                                  {"stage": title}))
    for cert_key in requirement.certifications:
        reason = _certification_reason(plan, cert_key, standing.certifications, today)
        if reason is not None:
            reasons.append(reason)
    return Eligibility(requirement.program, not reasons, tuple(reasons))


def _certification_reason(plan: EnablementPlan | None, cert_key: str,
                          held: tuple[HeldCertification, ...], today: date) -> Reason | None:
    of_kind = [c for c in held if c.cert_key == cert_key]
    if any(c.valid_on(today) for c in of_kind):
        return None
    name = certification_name(plan, cert_key) or (
        {"en": of_kind[0].name} if of_kind else {"en": cert_key})
    fields = {"name": in_language(name, "en")}
    expired = [c for c in of_kind if c.status is not CertificationStatus.RENEWED]
    if not expired:
        return Reason(CERTIFICATION_MISSING, fields, {"name": name})
    last = max(c.expires_at for c in expired)
    return Reason(CERTIFICATION_LAPSED, {**fields, "date": last.date().isoformat()}, {"name": name})


def certification_name(plan: EnablementPlan | None, cert_key: str) -> LocalText | None:
    for item in plan.items if plan else ():
        if item.certification and item.certification.cert_key == cert_key:
            return item.certification.name
    return None
