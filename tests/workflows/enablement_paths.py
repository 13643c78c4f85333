"""What partners and managers do in an enablement plan, shared by the workflow tests and the
replay scenarios (tests/workflows/test_replay.py)."""

from __future__ import annotations

from datetime import date

from definitions.plans import load_plan
from domain.enablement import FirstDealApproved
from tests.workflows.conftest import MANAGER

PROFILE = {"website": "https://www.acme.example", "description": "Industrial automation",
           "street_address": "1 Century Avenue", "city": "Shanghai", "country": "CN",
           "phone": "+86 21 5555 0100", "employees": 40, "products": ["platform"],
           "regions_served": ["CN"]}
KICKOFF = {"held_on": date(2026, 12, 10).isoformat(), "attendees": "Li Wei, Mia Manager",
           "notes": "Plan agreed"}


def quiz_answers(key: str, plan_id: str = "standard", wrong: bool = False) -> dict:
    """The plan's own answers (the web app never sends them: this is the test knowing them)."""
    quiz = load_plan(plan_id, 1).item(key).quiz
    return {q.key: ("nonsense" if wrong else q.answer) for q in quiz.questions}


async def do_profile_logo_addendum(harness, handle, partner) -> None:
    await harness.decide(handle, await harness.step(handle, "profile"), partner.admin, PROFILE)
    logo = harness.stored_file(partner.org_id, "logo")
    await harness.decide(handle, await harness.step(handle, "logo"), partner.admin,
                         {"logo": logo, "usage_consent": True})
    addendum = await harness.step(handle, "addendum")
    await harness.decide(handle, addendum, partner.admin,
                         {"full_name": partner.admin.name, "accept": True})


async def do_training(harness, handle, partner) -> None:
    """The admin assigns the training to their colleague, who passes; the manager accepts."""
    training = await harness.step(handle, "sales_training")
    await harness.assign(handle, training, partner.admin, partner.user)
    await harness.decide(handle, training, partner.user,
                         {"certificate": harness.stored_file(partner.org_id),
                          **quiz_answers("sales_training")})
    review = await harness.step(handle, "sales_training", kind="review")
    await harness.decide(handle, review, MANAGER, {"decision": "accept"})


async def run_to_certified(harness, handle, partner) -> None:
    await do_profile_logo_addendum(harness, handle, partner)
    await do_training(harness, handle, partner)
    await harness.decide(handle, await harness.step(handle, "kickoff"), MANAGER, KICKOFF)
    await harness.board(partner.org_id, "enabled")
    exam = await harness.step(handle, "sales_certification")
    await harness.decide(handle, exam, partner.user, quiz_answers("sales_certification"))
    await harness.item(partner.org_id, "first_deal", "open")
    await handle.signal("first_deal_approved", FirstDealApproved("deal-1", await harness.env.get_current_time()))
    await harness.board(partner.org_id, "certified")
