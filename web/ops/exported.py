"""A workflow's page from an exported history alone: one downloaded from another environment's
ops page (or the Temporal UI), or one saved under tests/histories/.

What describe() tells of a live run is read from the events instead. Two things are not in a
history and so not on this page: the pending activities' attempts (the server keeps them beside the
history until the activity ends) and the current details (a worker answers them).
"""

from __future__ import annotations

import re
from datetime import timezone

from google.protobuf.json_format import ParseError
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHistory

from web.ops.history import payload_plain_text
from web.ops.temporal import WorkflowDetails, status_name

_CLOSED_BY = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: WorkflowExecutionStatus.COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: WorkflowExecutionStatus.FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: WorkflowExecutionStatus.TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: WorkflowExecutionStatus.TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: WorkflowExecutionStatus.CANCELED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: WorkflowExecutionStatus.CONTINUED_AS_NEW,
}


class NotAHistory(ValueError):
    """The file is not a Temporal history in JSON (the ops page's export, or the Temporal UI's)."""


def workflow_id_from_filename(filename: str) -> str:
    """A history's JSON does not name its workflow: its file name does. The ops export names it
    `<workflow id>.history.json`, tests/histories/ `<scenario>__<workflow id>.json`."""
    stem = re.sub(r"(\.history)?\.json$", "", filename or "")
    return stem.split("__", 1)[-1] or "-"


def load(text: str, workflow_id: str) -> WorkflowHistory:
    try:
        history = WorkflowHistory.from_json(workflow_id, text)
    except (ParseError, ValueError, TypeError, AttributeError) as exc:
        raise NotAHistory(str(exc)) from exc
    if not history.events or not history.events[0].HasField(
            "workflow_execution_started_event_attributes"):
        raise NotAHistory("the first event is not the workflow's start")
    return history


def details_from_history(history: WorkflowHistory) -> WorkflowDetails:
    events = list(history.events)
    first, last = events[0], events[-1]
    started = first.workflow_execution_started_event_attributes
    closed = _CLOSED_BY.get(last.event_type)
    attributes = dict(started.search_attributes.indexed_fields)
    for ev in events:
        if ev.HasField("upsert_workflow_search_attributes_event_attributes"):
            attributes.update(
                ev.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
    return WorkflowDetails(
        workflow_id=history.workflow_id, run_id=started.original_execution_run_id,
        workflow_type=started.workflow_type.name,
        status=status_name(closed or WorkflowExecutionStatus.RUNNING),
        start_time=_time(first), close_time=_time(last) if closed else None,
        task_queue=started.task_queue.name, history_length=len(events),
        static_summary=_metadata(first, "summary"), static_details=_metadata(first, "details"),
        current_details=None,
        # A search attribute an upsert removed is an empty payload: not shown, as describe() does.
        search_attributes={k: payload_plain_text(v) for k, v in sorted(attributes.items()) if v.data},
        pending_activities=[], workflow_task_attempt=0, history=events)


def _time(ev):
    return ev.event_time.ToDatetime().replace(tzinfo=timezone.utc)


def _metadata(ev, name: str) -> str | None:
    return payload_plain_text(getattr(ev.user_metadata, name)) if ev.user_metadata.HasField(name) else None
