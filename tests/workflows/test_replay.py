"""Determinism: today's workflow code must replay yesterday's histories without a mismatch.

Saved histories live in tests/histories/. After a deliberate change to workflow code (guarded by
workflow.patched), add a new one: PRM_RECORD_HISTORIES=1 pytest tests/workflows/test_replay.py
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from domain.tasks import Actor
from tests.workflows.conftest import MANAGER
from workflows import WORKFLOWS
from workflows.client import DATA_CONVERTER

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
SAVED = sorted(HISTORIES.glob("*.json"))


def replayer() -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)


def test_there_are_saved_histories():
    assert len(SAVED) >= 2, "tests/histories/ must hold saved histories to replay"


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


@pytest.mark.parametrize("scenario", [_more_info_then_activated, _expired_review, _rejected],
                         ids=["more_info_then_activated", "expired_review", "rejected"])
async def test_fresh_history_replays(harness, scenario):
    handle = await scenario(harness)
    history = await handle.fetch_history()
    result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
    if os.environ.get("PRM_RECORD_HISTORIES"):
        name = scenario.__name__.strip("_")
        (HISTORIES / f"partner_onboarding_{name}__{handle.id}.json").write_text(history.to_json())
