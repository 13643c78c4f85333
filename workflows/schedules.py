"""Temporal Schedules: periodic work, visible and pausable from the ops pages (DESIGN.md 4, 8).

Each schedule is declared once here; the worker creates or updates them when it starts
(worker.py), so `make run` and the compose setup both have them. Every schedule skips a run while
the last one still runs (overlap SKIP), makes up a run missed while the cluster was down only
within its catch-up window, and names its time zone: "07:00" means the company's morning.

An update keeps the schedule's state: a schedule that ops paused stays paused across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from temporalio.client import (Client, Schedule, ScheduleActionStartWorkflow,
                               ScheduleAlreadyRunningError, ScheduleCalendarSpec,
                               ScheduleOverlapPolicy, SchedulePolicy, ScheduleRange, ScheduleSpec,
                               ScheduleState, ScheduleUpdate, ScheduleUpdateInput)

from domain.notifications import DigestInput
from settings import Settings
from workflows.digest import DigestWorkflow

DIGEST_HOUR, DIGEST_MINUTE = 7, 0
# A digest that could not start by noon waits for the next morning: two in a day are noise.
DIGEST_CATCHUP = timedelta(hours=5)


@dataclass(frozen=True)
class Declared:
    schedule_id: str
    summary: str       # what the ops pages say it does
    schedule: Schedule


def schedule_id(settings: Settings, name: str) -> str:
    """One per task queue: tests on a shared server, or two installs on one cluster, each own theirs."""
    return f"{settings.temporal_task_queue}-{name}"


def declared(settings: Settings) -> list[Declared]:
    try:
        ZoneInfo(settings.digest_time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        # Said at the worker's start, not as a schedule that silently never runs.
        raise ValueError(f"DIGEST_TIME_ZONE={settings.digest_time_zone!r} is not an IANA time "
                         "zone (e.g. Asia/Shanghai, UTC)") from None
    digest_id = schedule_id(settings, "daily-digest")
    summary = (f"Daily digest of staff notifications at {DIGEST_HOUR:02d}:{DIGEST_MINUTE:02d} "
               f"{settings.digest_time_zone}")
    digest = Schedule(
        action=ScheduleActionStartWorkflow(
            DigestWorkflow.run, DigestInput(key=""), id=digest_id,
            task_queue=settings.temporal_task_queue, execution_timeout=timedelta(hours=12),
            static_summary=summary),
        spec=ScheduleSpec(calendars=[ScheduleCalendarSpec(
            hour=[ScheduleRange(DIGEST_HOUR)], minute=[ScheduleRange(DIGEST_MINUTE)])],
            time_zone_name=settings.digest_time_zone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=DIGEST_CATCHUP),
        state=ScheduleState(note="created by the worker"))
    return [Declared(digest_id, summary, digest)]


async def ensure_schedules(client: Client, settings: Settings) -> list[str]:
    """Create the declared schedules, or bring existing ones up to date (keeping paused ones
    paused). Safe for several workers starting at once. Returns their ids."""
    for item in declared(settings):
        try:
            await client.create_schedule(item.schedule_id, item.schedule)
        except ScheduleAlreadyRunningError:
            await client.get_schedule_handle(item.schedule_id).update(_keeping_state(item.schedule))
    return [item.schedule_id for item in declared(settings)]


def _keeping_state(wanted: Schedule):
    def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(Schedule(action=wanted.action, spec=wanted.spec, policy=wanted.policy,
                                       state=current.description.schedule.state))
    return update
