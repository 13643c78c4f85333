"""The ops pages' view of the Temporal Schedules (workflows/schedules.py): each declared
schedule, paused or not, its next and last run; pause and resume with a note saying who did it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext
from flask_login import current_user
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from settings import Settings
from web.ops import bp
from workflows.schedules import declared


@dataclass(frozen=True)
class ScheduleLine:
    schedule_id: str
    summary: str
    exists: bool = False       # the worker creates it when it starts
    paused: bool = False
    note: str = ""
    next_run: datetime | None = None
    last_run: datetime | None = None
    last_workflow_id: str | None = None


async def schedule_lines(client: Client, settings: Settings) -> list[ScheduleLine]:
    lines = []
    for item in declared(settings):
        try:
            desc = await client.get_schedule_handle(item.schedule_id).describe()
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            lines.append(ScheduleLine(item.schedule_id, item.summary))
            continue
        info, state = desc.info, desc.schedule.state
        last = info.recent_actions[-1] if info.recent_actions else None
        lines.append(ScheduleLine(
            item.schedule_id, item.summary, True, state.paused, state.note or "",
            info.next_action_times[0] if info.next_action_times else None,
            last.started_at if last else None,
            getattr(last.action, "workflow_id", None) if last else None))
    return lines


def lines_or_error(temporal) -> tuple[list[ScheduleLine], str | None]:
    """For the ops index: the lines, or what Temporal said instead (the page still shows)."""
    try:
        return temporal(lambda c: schedule_lines(c, _settings())), None
    except RPCError as exc:
        return [], exc.message


@bp.post("/schedules/<schedule_id>/pause")
def pause_schedule(schedule_id: str):
    return _set_paused(schedule_id, True)


@bp.post("/schedules/<schedule_id>/resume")
def resume_schedule(schedule_id: str):
    return _set_paused(schedule_id, False)


def _set_paused(schedule_id: str, paused: bool):
    if schedule_id not in {item.schedule_id for item in declared(_settings())}:
        abort(404)  # only the product's own schedules are ops' to pause here
    verb = "paused" if paused else "resumed"
    note = f"{verb} by {current_user.name} from the ops pages"

    async def change(client: Client) -> None:
        handle = client.get_schedule_handle(schedule_id)
        await (handle.pause(note=note) if paused else handle.unpause(note=note))

    try:
        current_app.extensions["prm.temporal"].run(change)
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            abort(404)
        raise
    flash(gettext("The schedule is paused: it starts nothing until it is resumed.") if paused
          else gettext("The schedule is running again."), "success")
    return redirect(url_for("ops.index") + "#schedules")


def _settings() -> Settings:
    return current_app.extensions["prm.settings"]
