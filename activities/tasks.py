"""The human-task projection: open, close, notify, remind, escalate (DESIGN.md section 3)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity

from activities.base import hold
from activities.notifications import notify_role, notify_users
from activities.partner_people import managers_of, partner_user, partner_users, recipients
from activities.outbox import Outbox, Recipient, SecretLink
from db.models import Organisation, Task, User
from db.task_rows import note_channel_manager
from domain.deadlines import OVERDUE, CheckpointKind
from domain.roles import Role, may_act_as
from domain.tasks import TaskCheckpointInput, TaskSpec, TaskStatus
from settings import Settings


class TaskActivities:
    def __init__(self, outbox: Outbox, settings: Settings) -> None:
        self._outbox = outbox
        self._settings = settings

    # -- the task-row writes; activities/steps.py groups them with a stage change and mail ------

    def write_open(self, session: Session, spec: TaskSpec) -> bool:
        """False when the row exists already (a retry). A step for its owner opens held by them
        (and names them the organisation's channel manager), unless they can no longer take it
        (deactivated, or without the role now): then it opens to its group, as any other."""
        if session.get(Task, spec.task_id) is not None:
            return False
        owner = _able_owner(session, spec)
        if _is_partner(spec):  # assigned within the organisation (a returned round, say)
            person = partner_user(session, spec.assignee_org_id, spec.assignee_user_id)
            owner = person.id if person is not None else None
        session.add(hold(session, Task(  # held: the notice reads it again
            id=spec.task_id, workflow_id=spec.workflow_id, task_type=spec.task_type,
            form=spec.form, title=spec.title, org_id=spec.org_id,
            status=TaskStatus.CLAIMED if owner else TaskStatus.OPEN,
            assignee_role=spec.assignee_role, assignee_org_id=spec.assignee_org_id,
            assignee_email=spec.assignee_email, assignee_partner_role=spec.assignee_partner_role,
            assignee_user_id=owner, claimed_by_id=owner,
            context=spec.context, due_at=spec.due_at)))
        if owner is not None and not _is_partner(spec):
            note_channel_manager(session, spec.org_id, owner)
        session.flush()  # the notice, maybe in this same transaction, reads the row
        return True

    def enqueue_notice(self, session: Session, spec: TaskSpec) -> list[str]:
        """The mail telling whoever must act that the task is open (outbox rows; keys back)."""
        return self._enqueue_about(session, spec.task_id, "opened", self._template_for(spec), {})

    @activity.defn(name="task_checkpoint")
    async def task_checkpoint(self, inp: TaskCheckpointInput) -> int:
        """The row's reminder count or escalation and the mail saying so: one transaction."""
        def write(session: Session) -> list[str]:
            task = session.get(Task, inp.task_id)
            if inp.kind == CheckpointKind.ESCALATE:
                task.escalated = True
                task.context = {**task.context, "escalated_to": inp.escalate_to_role}
                if inp.new_due_at is not None:
                    task.due_at = inp.new_due_at  # the mail below states the new due time
                if (task.assignee_role and task.assignee_user_id is not None
                        and task.claimed_by_id == task.assignee_user_id):
                    # The owner let it pass: the group may take it now (its owner still may).
                    task.claimed_by_id, task.status = None, TaskStatus.OPEN
                # Recruitment's steps go up to the leads; a partner's overdue step to its admins,
                # then to its channel manager (issue 10), which a different mail says.
                template = ("task_escalated" if inp.escalate_to_role == Role.PROGRAM_LEAD
                            else "task_overdue")
                return self._enqueue_about(session, inp.task_id, f"escalated-{inp.label}-{inp.number}"
                                           if template == "task_overdue" else "escalated",
                                           template, {"escalated_to": inp.escalate_to_role},
                                           to_role=inp.escalate_to_role)
            task.reminders_sent = max(task.reminders_sent, inp.number)
            return self._enqueue_about(session, inp.task_id, f"reminder-{inp.number}",
                                       "task_reminder",
                                       {"label": inp.label, "days_left": _days_left(inp.label),
                                        "overdue": inp.label == OVERDUE})

        return await self._outbox.enqueue_and_deliver(write)

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _template_for(spec: TaskSpec) -> str:
        if spec.assignee_email:
            return f"task_{spec.task_type}"
        return "task_assigned"

    def _enqueue_about(self, session: Session, task_id: str, purpose: str, template: str,
                       extra: dict, to_role: str | None = None) -> list[str]:
        task = session.get(Task, task_id)
        org = session.get(Organisation, task.org_id)
        context = {
            "title": task.title, "task_type": task.task_type, "due": task.due_at, "link": self._link(task),
            "company": org.name, "reference": org.reference,
            "contact_name": org.application.get("contact_name", ""),
            "question": task.context.get("question", ""),
            # A plan item's title in every language its plan has (the reader's is picked).
            "titles": task.context.get("titles") or {}, **extra}
        key = f"{task_id}/{purpose}"
        if task.assignee_email and to_role is None:
            # The partner's own zone once they have an account (their dates read as the portal
            # shows them); before that, the program's default.
            zone = session.scalar(select(User.time_zone).where(
                User.email == task.assignee_email.strip().lower()))
            return self._outbox.enqueue(session, key, [Recipient(task.assignee_email, org.locale, zone)],
                                        template, context, org.id)
        if task.assignee_org_id and not task.assignee_role:
            return self._tell_partner(session, task, key, template, context, to_role)
        if _held_by_its_owner(task) and to_role is None:  # the owner's, not the group's yet
            return notify_users(self._outbox, session, key, _owner(session, task.assignee_user_id),
                                template, context, task=task)
        # Staff: each member as they chose (activities/notifications.py).
        return notify_role(self._outbox, session, key, to_role or task.assignee_role or "",
                           template, context, task=task)

    def _tell_partner(self, session: Session, task: Task, key: str, template: str,
                      context: dict, to_role: str | None) -> list[str]:
        """A partner's step (issue 10): the person it is assigned to, else whoever of the
        organisation may do it; an escalation to its admins, or to its channel manager (who
        is sent to the partner's page: the step is the partner's to do)."""
        if to_role == Role.CHANNEL_MANAGER:
            link = f"{self._settings.base_url}/manage/partners/{task.org_id}"
            return notify_users(self._outbox, session, key, managers_of(session, task.org_id),
                                template, {**context, "link": link}, org_id=task.org_id)
        if to_role is not None and to_role != Role.PARTNER_ADMIN:
            return notify_role(self._outbox, session, key, to_role, template, context, task=task)
        person = None if to_role else partner_user(session, task.org_id, task.assignee_user_id)
        people = [person] if person is not None else partner_users(
            session, task.org_id, to_role or task.assignee_partner_role)
        # One key per person, however many are told: a step reopened by a continued-as-new run,
        # assigned by then, finds the notice its assignee already had.
        return [k for r in recipients(people) for k in self._outbox.enqueue(
            session, f"{key}/{r.address.lower()}", [r], template, context, task.org_id)]

    def _link(self, task: Task) -> str | SecretLink:
        if task.assignee_email:
            return SecretLink("task", task.id, f"/t/{task.id}/{{token}}")
        if task.assignee_org_id and not task.assignee_role:
            return f"{self._settings.base_url}/portal/tasks/{task.id}"
        return f"{self._settings.base_url}/manage/tasks/{task.id}"


def _is_partner(spec: TaskSpec) -> bool:
    return bool(spec.assignee_org_id) and not spec.assignee_role and not spec.assignee_email


def _able_owner(session: Session, spec: TaskSpec) -> int | None:
    """The step's owner, if they may still take it; None opens it to the group."""
    if spec.assignee_user_id is None or not spec.assignee_role:
        return None
    user = session.get(User, spec.assignee_user_id)
    if user is None or not user.active or user.org_id is not None:
        return None
    return user.id if may_act_as(user.roles, spec.assignee_role) else None


def _held_by_its_owner(task: Task) -> bool:
    """Opened for its owner, who still holds it, and not escalated: their task, not the group's
    (the inbox's group view says the same, web/manage/queries.py)."""
    return (task.assignee_user_id is not None and task.claimed_by_id == task.assignee_user_id
            and not task.escalated)


def _owner(session: Session, user_id: int) -> list[User]:
    user = session.get(User, user_id)
    return [user] if user is not None and user.active else []


def _days_left(label: str) -> int | None:
    """'7 days left' -> 7, so the mail can say it in the reader's language (with plurals)."""
    found = re.match(r"^(\d+) days? left$", label)
    return int(found[1]) if found else None

