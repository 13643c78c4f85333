"""The inbox reads task rows from the app database only: never a fan-out to Temporal.

Managers land on the inbox after every decision, so a view costs a fixed handful of queries
whatever the queue's length: one for the page's rows (with their partner and holder joined in, as
plain columns: no ORM objects, no JSON context to decode), one for every tab's and task type's
count, and one more only when a partner filter needs its own total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from db.models import Organisation, Task, User
from domain.tasks import ACTIVE_STATUSES, TaskStatus
from web.listing import page_numbers
from web.security import CurrentUser

TABS = ("mine", "groups", "unassigned")
PAGE_SIZE = 50
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


@dataclass(frozen=True)
class InboxFilter:
    tab: str = "groups"
    task_type: str = ""
    partner: str = ""
    # Only tasks past their due date (the staff home's "Overdue" links here).
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox: what the table shows, nothing more."""

    id: str
    task_type: str
    status: str
    due_at: datetime
    overdue: bool
    escalated: bool
    org_name: str
    org_reference: str
    claimed_by_id: int | None
    holder_name: str


def pages_for(total: int) -> int:
    """Pages needed for `total` rows; an empty list still has its one (empty) page."""
    return max(1, -(-total // PAGE_SIZE))


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    number: int
    total: int

    @property
    def page_count(self) -> int:
        return pages_for(self.total)

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when there is none)."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)

    def numbers(self, around: int = 2) -> list[int | None]:
        return page_numbers(self.number, self.page_count, around)


@dataclass(frozen=True)
class InboxCounts:
    """How many tasks each tab holds, in all and per task type (the type filter's totals)."""

    by_type: dict[str, dict[str, int]]

    def tab(self, tab: str, task_type: str = "") -> int:
        if task_type:
            return self.by_type.get(task_type, {}).get(tab, 0)
        return sum(counts[tab] for counts in self.by_type.values())

    @property
    def tabs(self) -> dict[str, int]:
        return {tab: self.tab(tab) for tab in TABS}

    @property
    def task_types(self) -> list[str]:
        """The type filter's choices: types with a task in my groups."""
        return sorted(t for t, counts in self.by_type.items() if counts["groups"])


def _shown_to_the_group():
    """Not a step opened for its owner (issue 9) that they still hold before its escalation:
    the group sees that one once it is escalated, or once the owner gives it back. (Said
    without NOT: a NULL holder must not make the whole condition NULL.)"""
    return or_(Task.assignee_user_id.is_(None), Task.claimed_by_id.is_(None),
               Task.claimed_by_id != Task.assignee_user_id, Task.escalated.is_(True))


def _tab_conditions(user: CurrentUser) -> dict:
    """Each tab on top of the open staff tasks: my groups' tasks, claimed by me, or by nobody."""
    in_my_groups = and_(Task.assignee_role.in_(sorted(user.effective_roles)),
                        or_(_shown_to_the_group(), Task.claimed_by_id == user.id))
    return {"mine": Task.claimed_by_id == user.id,
            "groups": in_my_groups,
            "unassigned": and_(in_my_groups, Task.claimed_by_id.is_(None))}


def _open_staff_tasks():
    return [Task.status.in_(_ACTIVE), Task.assignee_role.is_not(None)]


def _visible(user: CurrentUser, tab: str):
    return [*_open_staff_tasks(), _tab_conditions(user)[tab]]


def overdue_condition(now: datetime):
    """Overdue as the rows' badge says it (task_views.is_overdue): open and due before now."""
    return Task.due_at < now


def inbox_counts(session: Session, user: CurrentUser) -> InboxCounts:
    """Every tab's count per task type in one GROUP BY, instead of a query per tab and filter."""
    tabs = _tab_conditions(user)
    counted = [func.sum(case((condition, 1), else_=0)).label(tab) for tab, condition in tabs.items()]
    query = (select(Task.task_type, *counted)
             .where(*_open_staff_tasks(), or_(tabs["mine"], tabs["groups"]))
             .group_by(Task.task_type))
    return InboxCounts({row.task_type: {tab: int(getattr(row, tab) or 0) for tab in TABS}
                        for row in session.execute(query)})


# Only the columns the table shows. Escalated as the task page decides it (task_views.is_escalated):
# the flag, or an escalation recorded in the context, read by the database rather than by decoding
# every row's JSON here.
_ESCALATED = or_(Task.escalated.is_(True),
                 func.coalesce(Task.context["escalated_to"].as_string(), "") != "")
_ROW_COLUMNS = (Task.id, Task.task_type, Task.status, Task.due_at, _ESCALATED.label("escalated"),
                Organisation.name.label("org_name"), Organisation.reference.label("org_reference"),
                Task.claimed_by_id, User.name.label("holder_name"))


def _partner_condition(partner: str):
    escaped = partner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(Organisation.name.ilike(f"%{escaped}%", escape="\\"),
               Organisation.reference == partner.strip().upper())


def inbox_page(session: Session, user: CurrentUser, flt: InboxFilter, number: int,
               counts: InboxCounts) -> InboxPage:
    """One page of the tab's tasks, overdue first, then by due date. A page past the end shows the
    last one (tasks are decided while someone pages through them)."""
    now = datetime.now(timezone.utc)
    conditions = _filter_conditions(user, flt, now)
    if flt.partner or flt.overdue:
        total = _count(session, conditions, flt)
    else:
        total = counts.tab(flt.tab, flt.task_type)
    number = min(max(number, 1), pages_for(total))
    rows = _rows(session, conditions, flt, now, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return InboxPage(rows, number, total)


def inbox_preview(session: Session, user: CurrentUser, flt: InboxFilter,
                  limit: int) -> tuple[int, list[InboxRow]]:
    """How many tasks the inbox shows for `flt`, and its first `limit` rows in the inbox's
    order: what the staff home shows before linking to the inbox itself."""
    now = datetime.now(timezone.utc)
    conditions = _filter_conditions(user, flt, now)
    return (_count(session, conditions, flt),
            _rows(session, conditions, flt, now, limit=limit, offset=0))


def _filter_conditions(user: CurrentUser, flt: InboxFilter, now: datetime) -> list:
    conditions = _visible(user, flt.tab)
    if flt.task_type:
        conditions.append(Task.task_type == flt.task_type)
    if flt.partner:
        conditions.append(_partner_condition(flt.partner))
    if flt.overdue:
        conditions.append(overdue_condition(now))
    return conditions


def _count(session: Session, conditions: list, flt: InboxFilter) -> int:
    counted = select(func.count()).select_from(Task)
    if flt.partner:
        counted = counted.join(Organisation, Organisation.id == Task.org_id)
    return session.scalar(counted.where(*conditions)) or 0


def _rows(session: Session, conditions: list, flt: InboxFilter, now: datetime, *, limit: int,
          offset: int) -> list[InboxRow]:
    page_ids = select(Task.id)
    if flt.partner:
        page_ids = page_ids.join(Organisation, Organisation.id == Task.org_id)
    # Ordering by due date alone already puts the overdue first (overdue means due before now);
    # the creation time and the id make the order total, so pages neither repeat nor skip a task.
    order = (Task.due_at, Task.created_at, Task.id)
    # The page's ids first, from the task table alone; only those rows are joined and read.
    page_ids = (page_ids.where(*conditions).order_by(*order)
                .limit(limit).offset(offset).subquery())
    query = (select(*_ROW_COLUMNS)
             .join(page_ids, page_ids.c.id == Task.id)
             .join(Organisation, Organisation.id == Task.org_id)
             .outerjoin(User, User.id == Task.claimed_by_id)
             .order_by(*order))
    return [InboxRow(id=r.id, task_type=r.task_type, status=r.status, due_at=r.due_at,
                     overdue=r.due_at < now, escalated=bool(r.escalated), org_name=r.org_name,
                     org_reference=r.org_reference, claimed_by_id=r.claimed_by_id,
                     holder_name=r.holder_name or "")
            for r in session.execute(query)]


def claim(session: Session, task_id: str, user: CurrentUser) -> bool:
    """Atomic: only an open, unclaimed task of my groups becomes mine. False if someone was first."""
    result = session.execute(update(Task).where(
        Task.id == task_id, Task.status == TaskStatus.OPEN.value, Task.claimed_by_id.is_(None),
        Task.assignee_role.in_(sorted(user.effective_roles)),
    ).values(status=TaskStatus.CLAIMED.value, claimed_by_id=user.id))
    session.commit()
    return result.rowcount == 1


def unassign(session: Session, task_id: str, user: CurrentUser) -> bool:
    """The holder may give a task back; a program lead may take it back from anyone."""
    condition = [Task.id == task_id, Task.status == TaskStatus.CLAIMED.value]
    if not user.has_role("program_lead"):
        condition.append(Task.claimed_by_id == user.id)
    result = session.execute(update(Task).where(*condition)
                             .values(status=TaskStatus.OPEN.value, claimed_by_id=None))
    session.commit()
    return result.rowcount == 1


def holder_name(session: Session, task: Task) -> str:
    user = session.get(User, task.claimed_by_id) if task.claimed_by_id else None
    return user.name if user else ""
