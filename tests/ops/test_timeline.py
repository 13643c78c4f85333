"""The readable timeline and the describe() summary, from live PartnerOnboardingWorkflow runs on
the dev server (the saved histories: test_saved_histories.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.ops.conftest import MANAGER, REJECTION
from web.ops import temporal as ops_temporal
from web.ops.history import pending_timers, timeline

pytestmark = pytest.mark.slow


def _facts(row) -> dict[str, str]:
    return {str(k): v for k, v in row.facts}


def _row(rows, label: str, **facts):
    return next(r for r in rows if str(r.label) == label
                and all(_facts(r).get(k.replace("_", " ").capitalize()) == v for k, v in facts.items()))


def test_timeline_of_a_rejected_application_reads_like_prose(onboardings):
    decided = onboardings.decided
    rows = timeline(onboardings.run(decided.handle.fetch_history()).events)
    labels = [str(r.label) for r in rows]
    assert labels[0] == "Workflow started" and labels[-1] == "Workflow completed"
    started = _facts(rows[0])
    assert started["Workflow type"] == "PartnerOnboardingWorkflow" and decided.org_id in started["Input"]

    accepted = _row(rows, "Activity scheduled", activity="accept_application")
    assert str(accepted.step) == "Record and screen the application, open its review"
    assert _facts(accepted)["Opens task"] == decided.review_title
    assert _facts(accepted)["Stage"] == "In review"
    screened = _row(rows, "Activity completed", activity="accept_application")
    assert _facts(screened)["Screening"] == "nothing to flag"

    decision = _row(rows, "Update accepted")
    assert (_facts(decision)["Update"], _facts(decision)["Who"], _facts(decision)["Decision"],
            _facts(decision)["Task"]) == ("complete_task", MANAGER.name, "Rejected", decided.review_title)
    assert _facts(decision)["Reason"] == REJECTION
    assert _facts(_row(rows, "Update completed"))["Update"] == "complete_task"

    mail = _row(rows, "Activity scheduled", activity="send_mail")
    assert _facts(mail)["Mail"].startswith("application_rejected → ")
    # In the order it happened: screened, reviewed, decided, the applicant told, done.
    order = [rows.index(r) for r in (accepted, screened, decision, mail)]
    assert order == sorted(order)
    assert '"rejected"' in _facts(rows[-1])["Result"]
    assert not pending_timers(history_events(onboardings, decided))  # the decision ended the wait


def history_events(world, onboarding):
    return world.run(onboarding.handle.fetch_history()).events


def test_routine_workflow_task_events_are_marked(onboardings):
    rows = timeline(history_events(onboardings, onboardings.decided))
    assert any(r.routine for r in rows) and not rows[0].routine


def test_pending_timer_of_a_waiting_review(onboardings):
    (timer,) = pending_timers(history_events(onboardings, onboardings.waiting))
    # The reminder at half the review's two days (computed from the workflow's now: a hair short).
    assert abs(timer.duration - timedelta(days=1)) < timedelta(seconds=5)
    assert timer.fires_at > timer.started


def test_describe_shows_the_failing_activity_and_current_details(onboardings):
    failing = onboardings.failing
    d = onboardings.run(ops_temporal.describe(onboardings.client, failing.handle.id))
    assert d.status == "running" and d.workflow_type == "PartnerOnboardingWorkflow"
    assert d.static_summary == f"Partner application {failing.reference} from {failing.company}"
    assert d.search_attributes["PartnerOrg"] == failing.org_id
    (p,) = d.pending_activities
    assert p.activity_type == "accept_application" and p.attempt > 1
    assert f"port {onboardings.smtp_down_port}" in p.last_failure  # the mail server it could not reach


def test_stuck_scan_finds_the_failing_and_the_wedged_workflow_only(onboardings):
    found, _ = onboardings.run(ops_temporal.stuck_workflows(onboardings.client), timeout=90)
    ids = {s.row.workflow_id for s in found}
    assert onboardings.failing.handle.id in ids and onboardings.wedged.handle.id in ids
    assert onboardings.waiting.handle.id not in ids


def test_partner_filter_matches_org_id_and_name_prefix(onboardings):
    async def ids_for(partner: str) -> set[str]:
        page = await ops_temporal.list_page(onboardings.client, ops_temporal.build_query(partner=partner))
        return {r.workflow_id for r in page.rows}

    wanted = onboardings.waiting.handle.id
    assert onboardings.run(_eventually(lambda: ids_for(onboardings.waiting.org_id), wanted)) == {wanted}
    assert wanted in onboardings.run(_eventually(lambda: ids_for(onboardings.waiting.company[:10]), wanted))


async def _eventually(fetch, wanted: str, timeout: float = 20.0):
    """Visibility is eventually consistent: poll until the write shows up."""
    for _ in range(int(timeout * 5)):
        found = await fetch()
        if wanted in found:
            return found
        await asyncio.sleep(0.2)
    return found
