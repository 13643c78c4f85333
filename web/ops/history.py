"""A workflow's event history as a timeline people can read (the ops workflow page).

Pure functions over the history protos: no client, no Flask request. Payloads are summarised from
their JSON text rather than decoded into Python types, so a history from an older code version (or
one whose dataclasses no longer import) still reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent

from web.i18n import when
from web.ops import steps

SUMMARY_CHARS = 160
# The worker's bookkeeping: three events per workflow task, noise unless something failed.
ROUTINE = frozenset({EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
                     EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED})
LOCAL_ACTIVITY_MARKER = "core_local_activity"

LABELS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: _l("Workflow started"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: _l("Workflow completed"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: _l("Workflow failed"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: _l("Workflow timed out"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: _l("Workflow terminated"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: _l("Workflow cancelled"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED: _l("Cancellation requested"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: _l("Continued as new"),
    EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: _l("Workflow task scheduled"),
    EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: _l("Workflow task started"),
    EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: _l("Workflow task completed"),
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: _l("Workflow task failed"),
    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: _l("Workflow task timed out"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: _l("Activity scheduled"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: _l("Activity started"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: _l("Activity completed"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: _l("Activity failed"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: _l("Activity timed out"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: _l("Activity cancellation requested"),
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: _l("Activity cancelled"),
    EventType.EVENT_TYPE_TIMER_STARTED: _l("Timer started"),
    EventType.EVENT_TYPE_TIMER_FIRED: _l("Timer fired"),
    EventType.EVENT_TYPE_TIMER_CANCELED: _l("Timer cancelled"),
    EventType.EVENT_TYPE_MARKER_RECORDED: _l("Marker recorded"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: _l("Signal received"),
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: _l("Search attributes set"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED: _l("Update admitted"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: _l("Update accepted"),
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: _l("Update completed"),
    EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED: _l("Workflow properties modified"),
}


@dataclass
class TimelineRow:
    event_id: int
    time: datetime
    label: str
    facts: list[tuple[Any, str]] = field(default_factory=list)  # (label, value), label may be lazy
    step: Any = ""           # what the activity is for, in an operator's words (web/ops/steps.py)
    failed: bool = False
    routine: bool = False


@dataclass
class PendingTimer:
    timer_id: str
    started: datetime
    fires_at: datetime
    duration: timedelta


# -- payloads and failures -------------------------------------------------------------------

def payload_text(payload: Payload, limit: int = SUMMARY_CHARS) -> str:
    """A short, stable rendering of one payload: compact JSON where it is JSON."""
    encoding = payload.metadata.get("encoding", b"").decode(errors="replace")
    if encoding == "binary/null":
        return "null"
    if not encoding.startswith("json/"):
        return f"<{encoding or 'unknown'}, {len(payload.data)} bytes>"
    try:
        text = json.dumps(json.loads(payload.data), ensure_ascii=False, separators=(", ", ": "))
    except ValueError:
        text = payload.data.decode(errors="replace")
    return shorten(text, limit)


def payload_plain_text(payload: Payload) -> str:
    """A payload that holds text (a summary, a search attribute) as that text, without quotes."""
    value = payload_json(payload)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return payload_text(payload)


def payloads_text(payloads: Payloads | Iterable[Payload], limit: int = SUMMARY_CHARS) -> str:
    items = list(payloads.payloads if isinstance(payloads, Payloads) else payloads)
    return shorten(", ".join(payload_text(p, limit) for p in items), limit)


def payload_json(payload: Payload) -> Any:
    try:
        if payload.metadata.get("encoding", b"").startswith(b"json/"):
            return json.loads(payload.data)
    except ValueError:
        pass
    return None


def _first(payloads: Payloads) -> Any:
    """The first argument (or the result) as JSON: what the step's facts are read from."""
    return payload_json(payloads.payloads[0]) if payloads.payloads else None


def failure_text(failure: Failure) -> str:
    """The message people need, with the root cause when the top is only a wrapper."""
    parts = []
    while failure is not None and failure.ByteSize():
        if failure.message and failure.message not in parts:
            parts.append(failure.message)
        failure = failure.cause if failure.HasField("cause") else None
    return ": ".join(parts) or "(no message)"


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duration_text(d: timedelta) -> str:
    seconds = round(d.total_seconds())
    if seconds >= 3600:
        # A deadline's timer is computed from the workflow's "now", after the activity that opened
        # its step: a day's timer comes out a second or two short, to the minute it is a day.
        seconds = round(seconds / 60) * 60
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return " ".join(parts) or "0s"


def event_label(event_type: int) -> Any:
    if event_type in LABELS:
        return LABELS[event_type]
    name = EventType.Name(event_type).removeprefix("EVENT_TYPE_").replace("_", " ")
    return name.capitalize()


# -- the timeline -----------------------------------------------------------------------------

@dataclass
class _Seen:
    """What later events refer back to: each names an earlier one by id only."""
    activity_types: dict[int, str] = field(default_factory=dict)  # scheduled event id -> type
    updates: dict[str, str] = field(default_factory=dict)         # update id -> update name
    task_titles: dict[str, str] = field(default_factory=dict)     # task id -> its title


def timeline(events: Iterable[HistoryEvent]) -> list[TimelineRow]:
    rows: list[TimelineRow] = []
    seen = _Seen()
    for ev in events:
        row = TimelineRow(ev.event_id, ev.event_time.ToDatetime().replace(tzinfo=timezone.utc),
                          event_label(ev.event_type), routine=ev.event_type in ROUTINE)
        if ev.user_metadata.HasField("summary"):
            row.facts.append((_l("Summary"), payload_plain_text(ev.user_metadata.summary)))
        _facts(ev, row, seen)
        rows.append(row)
    return rows


def _facts(ev: HistoryEvent, row: TimelineRow, seen: _Seen) -> None:
    activity_types = seen.activity_types
    kind = ev.WhichOneof("attributes")
    a = getattr(ev, kind) if kind else None
    t = ev.event_type
    if t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        row.facts += [(_l("Workflow type"), a.workflow_type.name), (_l("Task queue"), a.task_queue.name),
                      (_l("Input"), payloads_text(a.input))]
    elif t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        row.facts.append((_l("Result"), payloads_text(a.result)))
    elif t in (EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
               EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT):
        row.failed = True
        row.facts.append((_l("Failure"), failure_text(a.failure)))
        if hasattr(a, "scheduled_event_id") and a.scheduled_event_id in activity_types:
            row.facts.insert(0, (_l("Activity"), activity_types[a.scheduled_event_id]))
            row.step = steps.step_text(activity_types[a.scheduled_event_id])
    elif t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        row.failed = True
        row.facts += [(_l("Reason"), a.reason or "-"), (_l("By"), a.identity or "-")]
    elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        activity_types[ev.event_id] = a.activity_type.name
        row.step = steps.step_text(a.activity_type.name)
        row.facts += [(_l("Activity"), a.activity_type.name),
                      *steps.input_facts(_first(a.input), seen.task_titles),
                      (_l("Input"), payloads_text(a.input))]
    elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        row.step = steps.step_text(activity_types.get(a.scheduled_event_id, ""))
        row.facts += [(_l("Activity"), activity_types.get(a.scheduled_event_id, "?")),
                      (_l("Attempt"), str(a.attempt))]
        if a.HasField("last_failure"):
            row.facts.append((_l("Last failure"), failure_text(a.last_failure)))
    elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        row.step = steps.step_text(activity_types.get(a.scheduled_event_id, ""))
        row.facts += [(_l("Activity"), activity_types.get(a.scheduled_event_id, "?")),
                      *steps.result_facts(_first(a.result)), (_l("Result"), payloads_text(a.result))]
    elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        row.failed = True
        row.step = steps.step_text(activity_types.get(a.scheduled_event_id, ""))
        row.facts += [(_l("Activity"), activity_types.get(a.scheduled_event_id, "?")),
                      (_l("Failure"), failure_text(a.failure))]
    elif t == EventType.EVENT_TYPE_TIMER_STARTED:
        duration = a.start_to_fire_timeout.ToTimedelta()
        row.facts += [(_l("Timer"), a.timer_id), (_l("Duration"), duration_text(duration)),
                      (_l("Fires at"), when(row.time + duration, "seconds"))]
    elif t in (EventType.EVENT_TYPE_TIMER_FIRED, EventType.EVENT_TYPE_TIMER_CANCELED):
        row.facts.append((_l("Timer"), a.timer_id))
    elif t == EventType.EVENT_TYPE_MARKER_RECORDED:
        _marker_facts(a, row)
    elif t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        row.facts += [(_l("Signal"), a.signal_name), (_l("Input"), payloads_text(a.input)),
                      (_l("By"), a.identity or "-")]
    elif t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        inp = a.accepted_request.input
        seen.updates[a.accepted_request.meta.update_id] = inp.name
        row.facts += [(_l("Update"), inp.name), *steps.decision_facts(_first(inp.args), seen.task_titles),
                      (_l("Input"), payloads_text(inp.args)),
                      (_l("Client"), a.accepted_request.meta.identity or "-")]
    elif t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        # By update id: the time-skipping test server leaves accepted_event_id at 0.
        row.facts.append((_l("Update"), seen.updates.get(a.meta.update_id, a.meta.update_id)))
        if a.outcome.HasField("failure"):
            row.failed = True
            row.facts.append((_l("Failure"), failure_text(a.outcome.failure)))
        else:
            row.facts.append((_l("Result"), payloads_text(a.outcome.success)))
    elif t == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        for name, value in sorted(a.search_attributes.indexed_fields.items()):
            row.facts.append((name, payload_text(value)))


def _marker_facts(a, row: TimelineRow) -> None:
    if a.marker_name != LOCAL_ACTIVITY_MARKER:
        row.facts.append((_l("Marker"), a.marker_name))
        return
    row.label = str(_l("Local activity failed")) if a.HasField("failure") else str(_l("Local activity completed"))
    data = payload_json(a.details["data"].payloads[0]) if "data" in a.details else None
    if isinstance(data, dict):
        row.step = steps.step_text(str(data.get("activity_type", "")))
        row.facts += [(_l("Activity"), str(data.get("activity_type", "?"))),
                      (_l("Attempt"), str(data.get("attempt", "?")))]
    if a.HasField("failure"):
        row.failed = True
        row.facts.append((_l("Failure"), failure_text(a.failure)))
    elif "result" in a.details:
        row.facts += [*steps.result_facts(_first(a.details["result"])),
                      (_l("Result"), payloads_text(a.details["result"]))]


def pending_timers(events: Iterable[HistoryEvent]) -> list[PendingTimer]:
    """Timers started and neither fired nor cancelled (describe() does not list them)."""
    open_timers: dict[str, PendingTimer] = {}
    for ev in events:
        if ev.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            a = ev.timer_started_event_attributes
            started = ev.event_time.ToDatetime().replace(tzinfo=timezone.utc)
            duration = a.start_to_fire_timeout.ToTimedelta()
            open_timers[a.timer_id] = PendingTimer(a.timer_id, started, started + duration, duration)
        elif ev.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            open_timers.pop(ev.timer_fired_event_attributes.timer_id, None)
        elif ev.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            open_timers.pop(ev.timer_canceled_event_attributes.timer_id, None)
    return sorted(open_timers.values(), key=lambda t: t.fires_at)
