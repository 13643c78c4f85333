"""The inbox reads task rows from the app database only: never a fan-out to Temporal.

It is a list of the one list convention (web/listing.py): two specs, the open tasks (views "mine",
"groups", "unassigned") and the tasks decided in the last week ("decided"), chosen by the `tab`
parameter. Managers land on the inbox after every decision, so a view costs a fixed handful of
queries whatever the queue's length: one for every open view's and task type's count, one for the
decided count, one for the page's rows (the ids picked from the task table, with the partner or
the holder joined in only when the search or the sort needs them; then only those rows read, as
plain columns), and one more for a total the counts do not hold (a search, overdue only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from db.models import Organisation, Task, User
from domain.tasks import ACTIVE_STATUSES, TaskStatus
from web.directory.queries import partner_search
from web.labels import TASK_TYPE_LABELS
from web.listing import Column, Filter, ListQuery, ListSpec, Page, count_rows, page_window
from web.security import CurrentUser

TABS = ("mine", "groups", "unassigned")  # the open tasks' views
DECIDED = "decided"
VIEWS = (*TABS, DECIDED)
DEFAULT_VIEW = "groups"
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


def _view_choices() -> list[tuple[str, str]]:
    return [(view, view) for view in VIEWS]  # drawn as tabs by the page, with its own names


# The task types a staff group holds; partner tasks (signing, adding information) never reach the
# inbox, so the type filter does not offer them. A lifecycle with staff tasks adds its types here.
STAFF_TASK_TYPES = ("review_application", "countersign", "evidence_review", "enablement_kickoff")


def _type_choices() -> list[tuple[str, str]]:
    return [(code, str(TASK_TYPE_LABELS[code])) for code in STAFF_TASK_TYPES]


def _overdue_choices() -> list[tuple[str, str]]:
    return [("1", str(_l("Overdue only")))]


_VIEW = Filter("tab", _l("View"), _view_choices, control="links")
_TYPE = Filter("type", _l("Task type"), _type_choices, _l("All task types"))
_OVERDUE = Filter("overdue", _l("Due"), _overdue_choices, control="checkbox")

# What both views show of the task and its partner. The partner's cell also says its country and
# partner type (columns of their own would push the row past a laptop's width; the directory
# sorts and filters by them).
_ABOUT = (Column("task", _l("Task"), Task.task_type),
          Column("partner", _l("Partner"), Organisation.name),
          Column("submitted", _l("Submitted on"), Organisation.created_at, first_desc=True),
          Column("flags", _l("Screening flags")))

OPEN_TASKS = ListSpec(
    endpoint="manage.inbox",
    columns=(*_ABOUT,
             Column("due", _l("Due"), Task.due_at),
             Column("assignee", _l("Held by"), User.name, may_be_empty=True),
             Column("status", _l("Status"), Task.status)),
    # By due date: the overdue come first (overdue means due before now).
    default_sort="due",
    filters=(_VIEW, _TYPE, _OVERDUE),
    tiebreak=Task.id,
)

RECENTLY_DECIDED = ListSpec(
    endpoint="manage.inbox",
    columns=(*_ABOUT,
             Column("decided", _l("Decided"), Task.completed_at, first_desc=True),
             Column("decided_by", _l("Decided by"), Task.completed_by),
             Column("decision", _l("Decision"), Task.decision)),
    default_sort="decided",
    default_desc=True,
    filters=(_VIEW, _TYPE),
    tiebreak=Task.id,
)

# Sorts that read the partner's or the holder's row: the page's ids then need that join.
_ORGANISATION_SORTS = {"partner", "submitted"}
_HOLDER_SORTS = {"assignee"}


def parse_inbox(args) -> ListQuery:
    """The request's view and its list query (the view chooses the spec: its columns and sorts)."""
    spec = RECENTLY_DECIDED if args.get("tab") == DECIDED else OPEN_TASKS
    return spec.parse(args)


def view_of(query: ListQuery) -> str:
    return query.filters.get("tab", DEFAULT_VIEW)


@dataclass(frozen=True)
class InboxFilter:
    """What narrows the inbox, apart from its order and page (the staff home asks for these too)."""

    tab: str = DEFAULT_VIEW
    task_type: str = ""
    search: str = ""
    # Only tasks past their due date (the staff home's "Overdue" links here).
    overdue: bool = False

    @classmethod
    def of(cls, query: ListQuery) -> "InboxFilter":
        return cls(tab=view_of(query), task_type=query.filters.get("type", ""),
                   search=query.search, overdue=query.filters.get("overdue") == "1")


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox: what the table shows, nothing more."""

    id: str
    task_type: str
    status: str
    assignee_role: str
    due_at: datetime
    overdue: bool
    escalated: bool
    org_id: str
    org_name: str
    org_reference: str
    country: str
    partner_type: str
    submitted_at: datetime
    flag_codes: tuple[str, ...]
    claimed_by_id: int | None
    holder_name: str
    decided_at: datetime | None
    decided_by: str
    decision: str


@dataclass(frozen=True)
class InboxCounts:
    """How many tasks each open view holds, in all and per task type; and the decided view's."""

    by_type: dict[str, dict[str, int]]
    decided: int = 0

    def tab(self, tab: str, task_type: str = "") -> int:
        if task_type:
            return self.by_type.get(task_type, {}).get(tab, 0)
        return sum(counts[tab] for counts in self.by_type.values())

    @property
    def tabs(self) -> dict[str, int]:
        return {**{tab: self.tab(tab) for tab in TABS}, DECIDED: self.decided}


def _shown_to_the_group():
    """Not a step opened for its owner (issue 9) that they still hold before its escalation:
    the group sees that one once it is escalated, or once the owner gives it back. (Said
    without NOT: a NULL holder must not make the whole condition NULL.)"""
    return or_(Task.assignee_user_id.is_(None), Task.claimed_by_id.is_(None),
               Task.claimed_by_id != Task.assignee_user_id, Task.escalated.is_(True))


def _tab_conditions(user: CurrentUser) -> dict:
    """Each open view on top of the open staff tasks: my groups' tasks, mine, or nobody's."""
    in_my_groups = and_(_in_my_groups(user),
                        or_(_shown_to_the_group(), Task.claimed_by_id == user.id))
    return {"mine": Task.claimed_by_id == user.id,
            "groups": in_my_groups,
            "unassigned": and_(in_my_groups, Task.claimed_by_id.is_(None))}


def _in_my_groups(user: CurrentUser):
    return Task.assignee_role.in_(sorted(user.effective_roles))


def _open_staff_tasks():
    return [Task.status.in_(_ACTIVE), Task.assignee_role.is_not(None)]


# "Recently decided": the inbox's view and the staff home's last week of decisions.
DECISIONS_SINCE = timedelta(days=7)


def decided_since(since: datetime) -> list:
    """Staff tasks decided since `since` (ix_task_decided reads exactly this range)."""
    return [Task.status == TaskStatus.DONE.value, Task.completed_at >= since,
            Task.assignee_role.is_not(None)]


def _decided_in_my_groups(user: CurrentUser, now: datetime) -> list:
    """Decided in the last week (the staff home's rule, ix_task_decided), in my groups."""
    return [*decided_since(now - DECISIONS_SINCE), _in_my_groups(user)]


def overdue_condition(now: datetime):
    """Overdue as the rows' badge says it (task_views.is_overdue): open and due before now."""
    return Task.due_at < now


def inbox_counts(session: Session, user: CurrentUser) -> InboxCounts:
    """Every open view's count per task type in one GROUP BY, and the decided view's count."""
    tabs = _tab_conditions(user)
    counted = [func.sum(case((condition, 1), else_=0)).label(tab) for tab, condition in tabs.items()]
    query = (select(Task.task_type, *counted)
             .where(*_open_staff_tasks(), or_(tabs["mine"], tabs["groups"]))
             .group_by(Task.task_type))
    decided = session.scalar(select(func.count()).select_from(Task).where(
        *_decided_in_my_groups(user, datetime.now(timezone.utc)))) or 0
    return InboxCounts({row.task_type: {tab: int(getattr(row, tab) or 0) for tab in TABS}
                        for row in session.execute(query)}, decided)


def _filter_conditions(user: CurrentUser, flt: InboxFilter, now: datetime) -> list:
    if flt.tab == DECIDED:
        conditions = _decided_in_my_groups(user, now)
    else:
        conditions = [*_open_staff_tasks(), _tab_conditions(user)[flt.tab]]
    if flt.task_type:
        conditions.append(Task.task_type == flt.task_type)
    if flt.search:
        conditions.append(partner_search(flt.search))
    if flt.overdue and flt.tab != DECIDED:
        conditions.append(overdue_condition(now))
    return conditions


def _task_ids(flt: InboxFilter, sort: str = "") -> Select:
    """The ids' query, from the task table, with only the joins the search or the sort reads."""
    ids = select(Task.id)
    if flt.search or sort in _ORGANISATION_SORTS:
        ids = ids.join(Organisation, Organisation.id == Task.org_id)
    if sort in _HOLDER_SORTS:
        ids = ids.outerjoin(User, User.id == Task.claimed_by_id)
    return ids


def inbox_page(session: Session, user: CurrentUser, query: ListQuery, counts: InboxCounts) -> Page:
    """One page of the view's tasks in the chosen order. A page past the end shows the last one
    (tasks are decided while someone pages through them)."""
    now = datetime.now(timezone.utc)
    flt = InboxFilter.of(query)
    conditions = _filter_conditions(user, flt, now)
    if flt.search or flt.overdue or flt.tab == DECIDED:
        total, exact = count_rows(session, _task_ids(flt).where(*conditions), query)
    else:
        total, exact = counts.tab(flt.tab, flt.task_type), True
    number, offset = page_window(query, total)
    size = query.spec.page_size
    rows = _rows(session, _task_ids(flt, query.sort).where(*conditions), query.order_by(), now,
                 limit=size, offset=offset)
    return Page(rows, number, total, size, exact)


def inbox_preview(session: Session, user: CurrentUser, flt: InboxFilter,
                  limit: int) -> tuple[int, list[InboxRow]]:
    """How many tasks the inbox shows for `flt`, and its first `limit` rows in the inbox's
    default order: what the staff home shows before linking to the inbox itself."""
    now = datetime.now(timezone.utc)
    conditions = _filter_conditions(user, flt, now)
    spec = RECENTLY_DECIDED if flt.tab == DECIDED else OPEN_TASKS
    order = spec.parse({}).order_by()
    total = session.scalar(select(func.count()).select_from(_task_ids(flt).where(*conditions)
                                                            .subquery())) or 0
    return total, _rows(session, _task_ids(flt).where(*conditions), order, now, limit=limit, offset=0)


# Only the columns the table shows. Escalated as the task page decides it (task_views.is_escalated):
# the flag, or an escalation recorded in the context, read by the database rather than by decoding
# every row's JSON here.
_ESCALATED = or_(Task.escalated.is_(True),
                 func.coalesce(Task.context["escalated_to"].as_string(), "") != "")
_ROW_COLUMNS = (Task.id, Task.task_type, Task.status, Task.assignee_role, Task.due_at,
                _ESCALATED.label("escalated"), Task.claimed_by_id, Task.completed_at,
                Task.completed_by, Task.decision, Organisation.id.label("org_id"),
                Organisation.name.label("org_name"), Organisation.reference.label("org_reference"),
                Organisation.country, Organisation.partner_type, Organisation.created_at,
                Organisation.flags, User.name.label("holder_name"))


def _rows(session: Session, ids: Select, order: list, now: datetime, *, limit: int,
          offset: int) -> list[InboxRow]:
    # The page's ids first; only those rows are joined and read.
    page_ids = ids.order_by(*order).limit(limit).offset(offset).subquery()
    query = (select(*_ROW_COLUMNS)
             .join(page_ids, page_ids.c.id == Task.id)
             .join(Organisation, Organisation.id == Task.org_id)
             .outerjoin(User, User.id == Task.claimed_by_id)
             .order_by(*order))
    return [InboxRow(id=r.id, task_type=r.task_type, status=r.status,
                     assignee_role=r.assignee_role or "", due_at=r.due_at,
                     overdue=r.status in _ACTIVE and r.due_at < now, escalated=bool(r.escalated),
                     org_id=r.org_id, org_name=r.org_name, org_reference=r.org_reference,
                     country=r.country, partner_type=r.partner_type, submitted_at=r.created_at,
                     flag_codes=tuple(f.get("code", "") for f in (r.flags or [])),
                     claimed_by_id=r.claimed_by_id, holder_name=r.holder_name or "",
                     decided_at=r.completed_at, decided_by=r.completed_by or "",
                     decision=r.decision or "completed")
            for r in session.execute(query)]
