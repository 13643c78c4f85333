"""What the staff home counts: a fixed handful of queries, each served by an index.

- partners by stage: one GROUP BY over organisation.status (ix_organisation_status_id);
- overdue and mine: the inbox's own conditions (web/manage/queries.py inbox_preview), so the
  number on the home is the number the linked inbox shows (ix_task_inbox);
- the last week's decisions: staff tasks closed as done since a week ago, newest first
  (ix_task_decided), with their partner joined in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Organisation, Task
from domain.onboarding import Stage
from web.manage.queries import DECISIONS_SINCE, decided_since

DECISIONS_SHOWN = 10
# The lifecycle's order: the home reads top to bottom as an application moves.
STAGES = tuple(s.value for s in Stage)


def stage_counts(session: Session) -> dict[str, int]:
    """Organisations per stage, every stage present (a stage nobody is in counts 0)."""
    found = {status: count for status, count in
             session.execute(select(Organisation.status, func.count()).group_by(Organisation.status))}
    return {stage: int(found.get(stage, 0)) for stage in STAGES}


@dataclass(frozen=True, slots=True)
class Decision:
    task_id: str
    task_type: str
    assignee_role: str
    decision: str
    decided_by: str
    decided_at: datetime
    org_id: str
    org_name: str
    org_reference: str


def recent_decisions(session: Session, now: datetime | None = None,
                     limit: int = DECISIONS_SHOWN) -> tuple[int, list[Decision]]:
    """(how many staff tasks were decided in the last week, the newest `limit` of them)."""
    since = (now or datetime.now(timezone.utc)) - DECISIONS_SINCE
    where = decided_since(since)
    total = session.scalar(select(func.count()).select_from(Task).where(*where)) or 0
    rows = session.execute(
        select(Task.id, Task.task_type, Task.assignee_role, Task.decision, Task.completed_by,
               Task.completed_at, Organisation.id.label("org_id"),
               Organisation.name.label("org_name"), Organisation.reference.label("org_reference"))
        .join(Organisation, Organisation.id == Task.org_id)
        .where(*where).order_by(Task.completed_at.desc(), Task.id.desc()).limit(limit))
    return total, [Decision(task_id=r.id, task_type=r.task_type, assignee_role=r.assignee_role,
                            decision=r.decision or "completed", decided_by=r.completed_by or "",
                            decided_at=r.completed_at, org_id=r.org_id, org_name=r.org_name,
                            org_reference=r.org_reference)
                   for r in rows]
