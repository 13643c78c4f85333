"""activities/enablement.py: one write per round trip, and a stale retry never overwrites a newer
picture of the plan (enablement_plan.revision), while its keyed lines are still written once."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from activities import build_activities
from activities.enablement import EnablementActivities
from db.models import EnablementItem, EnablementPlan, TimelineEvent
from domain.enablement_writes import EnablementWrite, ItemRow, PlanRow, TimelineLine
from settings import Settings
from tests.web.conftest import make_org

NOON = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def _write(org_id: str, revision: int, stage: str, status: str, line: str) -> EnablementWrite:
    wf = f"enablement-{org_id}"
    return EnablementWrite(
        org_id, wf, revision,
        PlanRow("standard", 1, stage, 2, 1 if status == "done" else 0, 50 if status == "done" else 0,
                0, None, None, "", NOON),
        (ItemRow("profile", "profile", "Complete the organisation profile", 0, "enabled",
                 "partner_admin", True, status, NOON),),
        timeline=(TimelineLine(f"{wf}/e/{line}", "enablement_task_done", "Profile done", "Li"),))


def _activities(sessions, database_url) -> EnablementActivities:
    built = build_activities(Settings(database_url=database_url, mailbox_dir=""), sessions)
    return next(a.__self__ for a in built if getattr(a, "__name__", "") == "enablement_write")


def test_a_stale_retry_leaves_the_newer_picture_and_writes_its_line_once(sessions, database_url):
    org = make_org(sessions, status="active")
    activities = _activities(sessions, database_url)
    newer, older = _write(org.id, 2, "enabled", "done", "2"), _write(org.id, 1, "onboarding", "open", "1")
    for write in (newer, older, older):  # the older one arrives late, and is retried
        with sessions.begin() as s:
            activities._write(s, write)
    with sessions() as s:
        plan = s.get(EnablementPlan, org.id)
        assert (plan.revision, plan.stage, plan.percent_done) == (2, "enabled", 50)
        item = s.scalar(select(EnablementItem).where(EnablementItem.org_id == org.id))
        assert (item.id, item.status) == (f"enablement-{org.id}--profile", "done")
        lines = s.scalar(select(func.count()).select_from(TimelineEvent).where(
            TimelineEvent.org_id == org.id, TimelineEvent.action == "enablement_task_done"))
        assert lines == 2  # each write's own line, once
