"""The readable timeline and the describe() summary, from real histories on the dev server."""

from __future__ import annotations

import json

import pytest

from tests.ops.probe import FAILURE_MESSAGE
from web.ops import temporal as ops_temporal
from web.ops.history import pending_timers, timeline

pytestmark = pytest.mark.slow


def _facts(row) -> dict[str, str]:
    return {str(k): v for k, v in row.facts}


def test_timeline_reads_like_prose(probes):
    history = probes.run(probes.decided.handle.fetch_history())
    rows = timeline(history.events)
    labels = [str(r.label) for r in rows]
    assert labels[0] == "Workflow started" and labels[-1] == "Workflow completed"
    assert probes.decided.org_id in _facts(rows[0])["Input"]

    scheduled = next(r for r in rows if str(r.label) == "Activity scheduled")
    assert _facts(scheduled)["Activity"] == "prepare_probe"
    completed = next(r for r in rows if str(r.label) == "Activity completed")
    assert _facts(completed)["Result"] == json.dumps(f"prepared {probes.decided.company}", ensure_ascii=False)

    timer = next(r for r in rows if str(r.label) == "Timer started")
    assert _facts(timer)["Duration"] == "1d 12h"

    update = next(r for r in rows if str(r.label) == "Update accepted")
    facts = _facts(update)
    assert (facts["Update"], facts["Who"], facts["Decision"]) == ("decide", "Mia Manager", "approve")
    done = next(r for r in rows if str(r.label) == "Update completed")
    assert _facts(done)["Update"] == "decide" and _facts(done)["Result"] == '"approve"'

    stages = [_facts(r).get("ProcessStage") for r in rows if str(r.label) == "Search attributes set"]
    assert stages == ['"in_review"', '"approved"']
    assert not pending_timers(history.events)  # the decision cancelled the timer


def test_routine_workflow_task_events_are_marked(probes):
    history = probes.run(probes.decided.handle.fetch_history())
    rows = timeline(history.events)
    assert any(r.routine for r in rows) and not rows[0].routine


def test_pending_timer_of_a_waiting_workflow(probes):
    history = probes.run(probes.waiting.handle.fetch_history())
    (timer,) = pending_timers(history.events)
    assert timer.duration.total_seconds() == 36 * 3600
    assert timer.fires_at > timer.started


def test_describe_shows_failing_activity_and_current_details(probes):
    d = probes.run(ops_temporal.describe(probes.client, probes.failing.handle.id))
    assert d.status == "running"
    assert d.static_summary == f"Partner application from {probes.failing.company}"
    assert d.static_details == "Submitted through the ops probe"
    assert d.current_details == "in_review: Awaiting review by a channel manager"
    assert d.search_attributes["PartnerOrg"] == probes.failing.org_id
    (p,) = d.pending_activities
    assert p.activity_type == "send_probe_mail" and p.attempt > 1 and FAILURE_MESSAGE in p.last_failure


def test_stuck_scan_finds_the_failing_workflow_only(probes):
    found, _ = probes.run(ops_temporal.stuck_workflows(probes.client), timeout=90)
    ids = {s.row.workflow_id for s in found}
    assert probes.failing.handle.id in ids
    assert probes.waiting.handle.id not in ids


def test_partner_filter_matches_org_id_and_name_prefix(probes):
    async def ids_for(partner: str) -> set[str]:
        page = await ops_temporal.list_page(probes.client, ops_temporal.build_query(partner=partner))
        return {r.workflow_id for r in page.rows}

    wanted = probes.waiting.handle.id
    assert probes.run(_eventually(lambda: ids_for(probes.waiting.org_id), wanted)) == {wanted}
    assert wanted in probes.run(_eventually(lambda: ids_for(probes.waiting.company[:10]), wanted))


async def _eventually(fetch, wanted: str, timeout: float = 20.0):
    """Visibility is eventually consistent: poll until the write shows up."""
    import asyncio

    for _ in range(int(timeout * 5)):
        found = await fetch()
        if wanted in found:
            return found
        await asyncio.sleep(0.2)
    return found
