"""Closing a task row: written by the web app the moment Temporal confirms a decision, and again
(as a no-op) by the workflow's next activity, so the inbox never shows a decided task as open."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import Task, utcnow
from domain.tasks import CloseTaskInput, TaskStatus


def write_close(session: Session, inp: CloseTaskInput) -> None:
    """Idempotent: a row already closed keeps its first outcome."""
    task = session.get(Task, inp.task_id)
    if task is None or task.status in (TaskStatus.DONE, TaskStatus.EXPIRED):
        return
    task.status = inp.status
    task.completed_at = utcnow()
    if inp.outcome is not None:
        task.completed_by = inp.outcome.decided_by
        task.completed_request_id = inp.outcome.request_id
        task.decision = inp.outcome.decision
        task.completed_at = inp.outcome.decided_at or task.completed_at
