"""Determinism: today's workflow code must replay yesterday's histories without a mismatch.

Saved histories live in tests/histories/ and are frozen (tests/workflows/test_histories_frozen.py).
After a deliberate change to workflow code (guarded by workflow.patched), save a new one beside the
old, from a scenario below that takes the new path:
  PRM_RECORD_HISTORIES=1 pytest tests/workflows/test_replay.py -k 'test_fresh_history_replays and <id>'
then add its line to tests/histories/MANIFEST.sha256 (`sha256sum <file> >> MANIFEST.sha256` there).
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import os
import pkgutil
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from definitions.plans import load_plan
from domain import ids
from domain.enablement import (AddTaskInput, ItemOwner, MoveDueDateInput, MovePlanInput,
                               WaiveTaskInput)
from domain.tasks import Actor
from tests.conftest import unique_email
from tests.workflows.conftest import (COLLEAGUE, MANAGER, asked_until_the_round_limit,
                                      signed_by_both)
from tests.workflows.enablement_paths import PROFILE, quiz_answers, run_to_certified
import workflows
from workflows import WORKFLOWS
from workflows.client import DATA_CONVERTER

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
SAVED = sorted(HISTORIES.glob("*.json"))


def replayer() -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)


def test_there_are_saved_histories():
    assert len(SAVED) >= 2, "tests/histories/ must hold saved histories to replay"


def _patches_in_code() -> set[str]:
    """Every `workflow.patched` id, by the convention that names them `<WHAT>_PATCH`."""
    found = set()
    for info in pkgutil.iter_modules(workflows.__path__, "workflows."):
        module = importlib.import_module(info.name)
        found |= {value for name, value in vars(module).items()
                  if name.endswith("_PATCH") and isinstance(value, str)}
    return found


def _patches_taken(path: Path) -> set[str]:
    taken = set()
    for event in json.loads(path.read_text())["events"]:
        marker = event.get("markerRecordedEventAttributes", {})
        for payload in marker.get("details", {}).get("patch-data", {}).get("payloads", []):
            taken.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return taken


def test_every_patch_has_a_saved_history_that_takes_it():
    """A patched path without a saved history is one a later change can break unnoticed."""
    patches = _patches_in_code()
    assert len(patches) >= 5
    taken = set().union(*map(_patches_taken, SAVED))
    assert sorted(patches - taken) == [], "save a history of each new path (see the docstring)"


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
async def test_saved_history_replays(path: Path):
    # Files are named <scenario>__<workflow id>: ids derived from the workflow id must match.
    history = WorkflowHistory.from_json(path.stem.split("__", 1)[1], path.read_text())
    result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


async def _more_info_then_activated(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER, {"decision": "more_info", "reason": "Cities?"})
    edit = await harness.open_task(handle, "edit_application")
    partner = Actor(name="Li Wei", org_id=org_id, ip="198.51.100.4", user_agent="Chromium")
    await harness.decide(handle, edit, partner, {**app, "message": "Shanghai and Suzhou"})
    await harness.env.sleep(timedelta(days=2, hours=1))  # the second review escalates first
    review2 = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review2, MANAGER, {"decision": "approve"})
    sign = await harness.open_task(handle, "sign_agreement")
    await harness.env.sleep(timedelta(days=24))  # one signature reminder fires
    await harness.decide(handle, sign, partner, {"full_name": "Li Wei", "accept": True})
    countersign = await harness.open_task(handle, "countersign")
    await harness.decide(handle, countersign, MANAGER, {"full_name": "Mia Manager", "accept": True})
    await handle.result()
    return handle


async def _expired_review(harness):
    handle, _, _ = await harness.start()
    await harness.open_task(handle, "review_application")
    await handle.result()
    return handle


async def _rejected(harness):
    handle, _, _ = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER, {"decision": "reject", "reason": "No coverage"})
    await handle.result()
    return handle


async def _contact_taken_then_activated(harness):
    """Issue 8's patched paths: the countersignature reminds, escalates and is overdue before it
    is decided; the contact's email belongs to another partner's user, so a manager names another
    contact (invite_contact), and activation clears the assignment."""
    first, first_org, first_app = await harness.start()
    await signed_by_both(harness, first, first_org, first_app)
    await first.result()
    handle, org_id, app = await harness.start(contact_email=first_app["contact_email"])
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    partner = Actor(name="Li Wei", org_id=org_id, ip="198.51.100.4", user_agent="Chromium")
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"), partner,
                         {"full_name": "Li Wei", "accept": True})
    countersign = await harness.open_task(handle, "countersign")
    await harness.env.sleep(timedelta(days=3, hours=1))  # reminder, escalation, overdue notice
    await harness.decide(handle, countersign, MANAGER, {"full_name": "Mia Manager", "accept": True})
    contact = await harness.open_task(handle, "invite_contact")
    await harness.decide(handle, contact, MANAGER,
                         {"contact_name": "Wang Fang", "contact_email": unique_email("wang.fang")})
    await handle.result()
    return handle


async def _round_limit(harness):
    handle, _, _, _ = await asked_until_the_round_limit(harness)
    await handle.result()
    return handle


async def _owned_later_steps(harness):
    """Issue 9's patched path: the second review opens held by the manager who asked for more
    information, who hands it on; the colleague approves and owns the countersignature, which
    escalates to the group; another manager countersigns."""
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER, {"decision": "more_info", "reason": "Cities?"})
    partner = Actor(name="Li Wei", org_id=org_id, ip="198.51.100.4", user_agent="Chromium")
    await harness.decide(handle, await harness.open_task(handle, "edit_application"), partner,
                         {**app, "message": "Shanghai and Suzhou"})
    second = ids.task_id(handle.id, "review", 2)
    while harness.task(second) is None:
        await asyncio.sleep(0.05)
    await harness.hand_on(handle, harness.task(second), MANAGER, COLLEAGUE)
    await harness.decide(handle, harness.task(second), COLLEAGUE, {"decision": "approve"})
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"), partner,
                         {"full_name": "Li Wei", "accept": True})
    countersign = await harness.open_task(handle, "countersign")
    await harness.env.sleep(timedelta(days=2, hours=1))  # escalated: the group's now
    await harness.decide(handle, countersign, MANAGER, {"full_name": "Mia Manager", "accept": True})
    await handle.result()
    return handle


# -- issue 10: enablement ----------------------------------------------------------------------

async def _enablement_certified(harness):
    """Profile, logo, addendum, training assigned and accepted, kickoff, exam, first deal."""
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    await run_to_certified(harness, handle, partner)
    await harness.stop(handle)
    return handle


async def _enablement_rounds_and_changes(harness):
    """A failed quiz, a returned review, an overdue escalation, a waiver, a moved due date, an
    added task and a move to version 2."""
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    manager = harness.staff(MANAGER)
    training = await harness.step(handle, "sales_training")
    await harness.assign(handle, training, partner.user, partner.user)
    await harness.decide(handle, training, partner.user, quiz_answers("sales_training", wrong=True))
    second = await harness.step(handle, "sales_training", round=2)
    await harness.decide(handle, second, partner.user, quiz_answers("sales_training"))
    review = await harness.step(handle, "sales_training", 2, "review")
    await harness.decide(handle, review, MANAGER, {"decision": "return", "comment": "Blurred"})
    await harness.step(handle, "sales_training", round=3)
    now = await harness.env.get_current_time()
    await handle.execute_update("waive_task", WaiveTaskInput("w", manager, "logo", "On file"),
                                id="w")
    await handle.execute_update("move_due_date", MoveDueDateInput(
        "m", manager, "profile", now + timedelta(days=9), "Holidays"), id="m")
    await handle.execute_update("add_task", AddTaskInput(
        "a", manager, "Reference customers", ItemOwner.PARTNER_ADMIN, now + timedelta(days=5),
        "enabled"), id="a")
    await harness.env.sleep(timedelta(days=9, hours=1))  # the added task escalates twice
    await handle.execute_update("move_to_plan_version", MovePlanInput(
        "p", manager, load_plan("standard", 2)), id="p")
    await harness.item(partner.org_id, "product_overview", "removed")
    await harness.stop(handle)
    return handle


async def _enablement_lapsed(harness):
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1))
    await run_to_certified(harness, handle, partner)
    await harness.env.sleep(timedelta(days=366))
    await harness.item(partner.org_id, "sales_certification", "lapsed")
    await harness.stop(handle)
    return handle


async def _enablement_continued(harness):
    """The history of a continued-as-new run: its open steps reopened, one decided after."""
    partner = harness.partner()
    handle = await harness.start_enablement(partner, load_plan("standard", 1), max_events=10)
    first = (await handle.describe()).run_id
    await harness.decide(handle, await harness.step(handle, "profile"), partner.admin, PROFILE)
    while (await handle.describe()).run_id == first:
        await asyncio.sleep(0.05)
    await harness.decide(handle, await harness.step(handle, "logo"), partner.admin,
                         {"logo": harness.stored_file(partner.org_id, "logo"),
                          "usage_consent": True})
    await harness.item(partner.org_id, "logo", "done")
    await harness.stop(handle)
    return handle


SCENARIOS = {"more_info_then_activated": _more_info_then_activated,
             "expired_review": _expired_review, "rejected": _rejected,
             # issue 8, saved beside the first release's
             "contact_taken_then_activated": _contact_taken_then_activated,
             "round_limit": _round_limit,
             # issue 9
             "owned_later_steps": _owned_later_steps,
             # issue 10
             "enablement_certified": _enablement_certified,
             "enablement_rounds_and_changes": _enablement_rounds_and_changes,
             "enablement_lapsed": _enablement_lapsed,
             "enablement_continued": _enablement_continued}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
async def test_fresh_history_replays(harness, scenario):
    handle = await scenario(harness)
    history = await handle.fetch_history()
    result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
    if os.environ.get("PRM_RECORD_HISTORIES"):
        name = scenario.__name__.strip("_")
        prefix = "" if name.startswith("enablement_") else "partner_onboarding_"
        (HISTORIES / f"{prefix}{name}__{handle.id}.json").write_text(history.to_json())
