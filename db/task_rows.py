"""Task-row writes the web app makes the moment Temporal confirms a person's action, and that the
workflow's next activity makes again (a no-op then), so the inbox never lags the workflow.

Closing: a decided task is never shown as open. Handing on: the step is held by the colleague.
Either way the organisation's channel manager follows the step's owner (issue 9): the manager
who decided its last staff step, or holds the one opened for them.
"""

from __future__ import annotations

from sqlalchemy import exists, update
from sqlalchemy.orm import Session

from db.models import EnablementItem, Organisation, Task, User, utcnow
from domain.tasks import ACTIVE_STATUSES, CloseTaskInput, TaskStatus


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
        if task.assignee_role and inp.outcome.decided_by_id is not None:
            note_channel_manager(session, task.org_id, inp.outcome.decided_by_id)


def write_hand_on(session: Session, task_id: str, user_id: int) -> bool:
    """The open staff task is the colleague's: its owner, held by them. A partner task (issue
    10) is the person's it was assigned to, or who claimed it. False if it closed."""
    task = session.get(Task, task_id)
    partner = bool(task is not None and task.assignee_org_id and not task.assignee_role)
    if task is None or not (task.assignee_role or partner) or task.status not in ACTIVE_STATUSES:
        return False
    task.assignee_user_id = user_id
    task.claimed_by_id = user_id
    task.status = TaskStatus.CLAIMED
    if partner:
        _note_item_assignee(session, task, user_id)
    else:
        note_channel_manager(session, task.org_id, user_id)
    return True


def _note_item_assignee(session: Session, task: Task, user_id: int) -> None:
    """The plan item whose step this is shows who holds it (the plan pages read the item)."""
    item_key = (task.context or {}).get("item_key")
    if item_key:
        session.execute(update(EnablementItem)
                        .where(EnablementItem.org_id == task.org_id,
                               EnablementItem.item_key == item_key,
                               EnablementItem.task_id == task.id)
                        .values(assignee_user_id=user_id))


def note_channel_manager(session: Session, org_id: str, user_id: int) -> None:
    """Only a user the database knows: an actor's id is the web app's word, and a close that
    failed on a foreign key would be retried for ever, holding up the process behind it."""
    session.execute(update(Organisation)
                    .where(Organisation.id == org_id, exists().where(User.id == user_id))
                    .values(channel_manager_user_id=user_id))
