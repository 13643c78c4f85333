"""What the ops pages ask Temporal: visibility listings, describe() and the history.

Each function takes the shared Client and is run through the app's bridge
(`current_app.extensions["prm.temporal"].run(lambda c: ...)`); none of them holds a client.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timezone

from itsdangerous import BadSignature, Signer
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from domain.dates import format_when
from web.ops.history import failure_text
from workflows.search import PARTNER_NAME, PARTNER_ORG, PROCESS_STAGE

PAGE_SIZE = 25
STATUSES = {s.name.lower(): s for s in WorkflowExecutionStatus}
_VISIBILITY_STATUS = {  # the names visibility queries use
    WorkflowExecutionStatus.RUNNING: "Running", WorkflowExecutionStatus.COMPLETED: "Completed",
    WorkflowExecutionStatus.FAILED: "Failed", WorkflowExecutionStatus.CANCELED: "Canceled",
    WorkflowExecutionStatus.TERMINATED: "Terminated", WorkflowExecutionStatus.TIMED_OUT: "TimedOut",
    WorkflowExecutionStatus.CONTINUED_AS_NEW: "ContinuedAsNew",
}
# The dev server caps visibility near 100 requests/s: the stuck scan describes at most this many.
STUCK_SCAN_LIMIT = 100
STUCK_SCAN_CONCURRENCY = 8


@dataclass
class ExecutionRow:
    workflow_id: str
    run_id: str
    workflow_type: str
    status: str
    start_time: datetime
    close_time: datetime | None
    stage: str
    partner_org: str
    partner_name: str


@dataclass
class ExecutionPage:
    rows: list[ExecutionRow]
    next_token: bytes | None   # Temporal's own: encode_token makes it a URL's


@dataclass
class PendingActivity:
    activity_id: str
    activity_type: str
    state: str
    attempt: int
    maximum_attempts: int
    last_failure: str
    next_attempt: datetime | None
    scheduled: datetime | None


@dataclass
class WorkflowDetails:
    workflow_id: str
    run_id: str
    workflow_type: str
    status: str
    start_time: datetime
    close_time: datetime | None
    task_queue: str
    history_length: int
    static_summary: str | None
    static_details: str | None
    current_details: str | None
    search_attributes: dict[str, str]
    pending_activities: list[PendingActivity]
    workflow_task_attempt: int   # > 1 means workflow tasks keep failing (a wedged workflow)
    history: list[HistoryEvent] = field(default_factory=list)
    history_json: str = ""


# -- listing ----------------------------------------------------------------------------------

def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_query(workflow_type: str = "", status: str = "", partner: str = "",
                partner_orgs: tuple[str, ...] = ()) -> str:
    """A visibility query from the filter form. Values are quoted; names come from fixed lists.

    `partner_orgs`: the organisations whose name holds the partner word, found in the app database
    (web/ops/partners.py), since visibility matches a name only by its beginning. The word itself
    still matches an org id exactly and a name's beginning: a workflow whose organisation the app
    database does not hold (started by hand, never recorded) is found as before."""
    clauses = []
    if workflow_type:
        clauses.append(f"WorkflowType = {_quote(workflow_type)}")
    if status in STATUSES:
        clauses.append(f"ExecutionStatus = {_quote(_VISIBILITY_STATUS[STATUSES[status]])}")
    if partner:
        alternatives = [f"{PARTNER_ORG.name} = {_quote(partner)}",
                        f"{PARTNER_NAME.name} STARTS_WITH {_quote(partner)}"]
        if partner_orgs:
            listed = ", ".join(_quote(org_id) for org_id in partner_orgs)
            alternatives.append(f"{PARTNER_ORG.name} IN ({listed})")
        clauses.append(f"({' OR '.join(alternatives)})")
    return " AND ".join(clauses)


class BadPageToken(ValueError):
    """A page link this list did not hand out, or one handed out for other filters."""


def _page_signer(secret: str, query: str) -> Signer:
    return Signer(secret, salt=f"ops-page-token:{query}")


def encode_token(token: bytes | None, secret: str, query: str) -> str | None:
    """Temporal's next-page token for a URL, signed for this query.

    Temporal answers a token it cannot parse with UNKNOWN ("something went wrong, please retry"),
    which the client retries for about ten seconds before giving up: so a token is sent to
    Temporal only when this app issued it, for these filters, and any other is refused at once.
    """
    if not token:
        return None
    return _page_signer(secret, query).sign(base64.urlsafe_b64encode(token)).decode()


def decode_token(text: str | None, secret: str, query: str) -> bytes | None:
    """The token of a page link from encode_token (None: the first page); BadPageToken otherwise."""
    if not text:
        return None
    try:
        return base64.urlsafe_b64decode(_page_signer(secret, query).unsign(text))
    except (BadSignature, binascii.Error, ValueError) as exc:
        raise BadPageToken(text) from exc


def _row(wf: WorkflowExecution) -> ExecutionRow:
    sa = wf.typed_search_attributes
    return ExecutionRow(
        workflow_id=wf.id, run_id=wf.run_id, workflow_type=wf.workflow_type,
        status=status_name(wf.status), start_time=wf.start_time, close_time=wf.close_time,
        stage=sa.get(PROCESS_STAGE) or "", partner_org=sa.get(PARTNER_ORG) or "",
        partner_name=sa.get(PARTNER_NAME) or "")


def status_name(status: WorkflowExecutionStatus | None) -> str:
    return status.name.lower() if status is not None else "unknown"


async def list_page(client: Client, query: str, token: bytes | None = None,
                    page_size: int | None = None) -> ExecutionPage:
    it = client.list_workflows(query or None, page_size=page_size or PAGE_SIZE, next_page_token=token)
    await it.fetch_next_page()
    return ExecutionPage([_row(wf) for wf in it.current_page or []], it.next_page_token or None)


# -- one workflow -----------------------------------------------------------------------------

async def current_details(client: Client, workflow_id: str, run_id: str | None) -> str | None:
    """`workflow.set_current_details(...)` lives in the worker, not in describe(): the SDK answers it
    through the built-in `__temporal_workflow_metadata` query. None when no worker can answer."""
    from temporalio.api.sdk.v1 import WorkflowMetadata

    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    try:
        meta = await asyncio.wait_for(
            handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata), timeout=3)
    except Exception:  # no worker polling, closed and evicted, old SDK: the page still renders
        return None
    return meta.current_details or None


def _ts(ts) -> datetime | None:
    return ts.ToDatetime().replace(tzinfo=timezone.utc) if ts.seconds or ts.nanos else None


def _pending(p) -> PendingActivity:
    return PendingActivity(
        activity_id=p.activity_id, activity_type=p.activity_type.name,
        state=PendingActivityState.Name(p.state).removeprefix("PENDING_ACTIVITY_STATE_").lower(),
        attempt=p.attempt, maximum_attempts=p.maximum_attempts,
        last_failure=failure_text(p.last_failure) if p.HasField("last_failure") else "",
        next_attempt=_ts(p.next_attempt_schedule_time), scheduled=_ts(p.scheduled_time))


async def describe(client: Client, workflow_id: str, run_id: str | None = None,
                   with_history: bool = True) -> WorkflowDetails:
    handle = client.get_workflow_handle(workflow_id, run_id=run_id)
    desc = await handle.describe()
    raw = desc.raw_description
    details = WorkflowDetails(
        workflow_id=desc.id, run_id=desc.run_id, workflow_type=desc.workflow_type,
        status=status_name(desc.status), start_time=desc.start_time, close_time=desc.close_time,
        task_queue=desc.task_queue, history_length=desc.history_length,
        static_summary=await desc.static_summary(), static_details=await desc.static_details(),
        current_details=None,
        search_attributes={p.key.name: _sa_text(p.value) for p in desc.typed_search_attributes},
        pending_activities=[_pending(p) for p in raw.pending_activities],
        workflow_task_attempt=raw.pending_workflow_task.attempt if raw.HasField("pending_workflow_task") else 0)
    if desc.status == WorkflowExecutionStatus.RUNNING:
        details.current_details = await current_details(client, workflow_id, desc.run_id)
    if with_history:
        history = await client.get_workflow_handle(workflow_id, run_id=desc.run_id).fetch_history()
        details.history = list(history.events)
    return details


def _sa_text(value) -> str:
    if isinstance(value, datetime):
        return format_when(value, style="seconds")  # UTC, named: read off-request too
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


async def history_json(client: Client, workflow_id: str, run_id: str | None = None) -> str:
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    return history.to_json()


# -- stuck work -------------------------------------------------------------------------------

@dataclass
class StuckWorkflow:
    row: ExecutionRow
    failing_activities: list[PendingActivity]
    workflow_task_attempt: int


def is_struggling(p: PendingActivity) -> bool:
    return p.attempt > 1 or bool(p.last_failure)


async def stuck_workflows(client: Client, query: str = "") -> tuple[list[StuckWorkflow], bool]:
    """Running workflows whose activities keep failing or whose workflow task keeps failing.

    Returns the findings and whether the scan stopped at STUCK_SCAN_LIMIT executions.
    """
    running = build_query(status="running")
    full = f"{running} AND ({query})" if query else running
    rows: list[ExecutionRow] = []
    it = client.list_workflows(full, page_size=STUCK_SCAN_LIMIT, limit=STUCK_SCAN_LIMIT + 1)
    async for wf in it:
        rows.append(_row(wf))
    truncated = len(rows) > STUCK_SCAN_LIMIT
    gate = asyncio.Semaphore(STUCK_SCAN_CONCURRENCY)

    async def check(row: ExecutionRow) -> StuckWorkflow | None:
        async with gate:
            try:
                d = await describe(client, row.workflow_id, row.run_id, with_history=False)
            except Exception:
                return None  # closed between the listing and the describe: not stuck
        failing = [p for p in d.pending_activities if is_struggling(p)]
        if failing or d.workflow_task_attempt > 1:
            return StuckWorkflow(row, failing, d.workflow_task_attempt)
        return None

    found = await asyncio.gather(*(check(r) for r in rows[:STUCK_SCAN_LIMIT]))
    return [s for s in found if s is not None], truncated
