"""The enablement board: every partner with a plan, for channel managers (web/manage/enablement_board.py).

What it reads is the enablement_plan row the workflow keeps current for each partner (stage,
required tasks done, overdue count, the next item due and its owner), joined to its
organisation (name, country, type, activation, channel manager). A page is ONE statement: the
page's rows in the chosen order, with the list's bounded count as an uncorrelated scalar
subquery (evaluated once, PostgreSQL's InitPlan), so the database is asked once however the
board is filtered or sorted. Only a page asked for past the end (partners left the filter while
someone paged) costs a second statement, for the last page. The next item's stored title comes
from its enablement_item row (a unique (org_id, item_key) lookup): an ad-hoc item has no title
in the plan definition; plan items take theirs from the definition in the reader's language
(web/enablement/texts.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from db.models import EnablementItem, EnablementPlan, Organisation, User
from definitions.loader import form_schema
from domain.enablement import in_language
from domain.roles import STAFF_ROLES, may_act_as
from web.database import db
from web.directory.queries import (APPLICATION_FORM, CHANNEL_MANAGER, partner_search,
                                   _country_choices, _type_choices)
from web.enablement.texts import locale, stage_order
from web.listing import COUNT_AHEAD_PAGES, COUNT_CAP, Column, Filter, ListQuery, ListSpec, Page

NEXT_ITEM = aliased(EnablementItem, name="next_item")
NO_MANAGER = "none"


def partner_types() -> tuple[str, ...]:
    return tuple(form_schema(APPLICATION_FORM)["properties"]["partner_type"]["enum"])


def stage_keys() -> list[str]:
    return [key for key, _title in stage_order(partner_types())]


def _stage_choices() -> list[tuple[str, str]]:
    here = locale()
    return [(key, in_language(title, here)) for key, title in stage_order(partner_types())]


def _overdue_choices() -> list[tuple[str, str]]:
    return [("1", str(_l("Overdue only")))]


def channel_managers(session: Session) -> list[tuple[int, str]]:
    """Active staff who may look after a partner, by name (staff are few; their roles are a
    JSON list, read here rather than matched in SQL). Read once per request: the filter's
    choices are asked for by the parser and again by the form."""
    cached = g.get("_board_managers")
    if cached is None:
        staff = session.execute(select(User.id, User.name, User.roles)
                                .where(User.org_id.is_(None), User.active.is_(True))
                                .order_by(User.name, User.id))
        cached = [(r.id, r.name) for r in staff if may_act_as(r.roles or [], "channel_manager")
                  and set(r.roles or []) & STAFF_ROLES]
        g._board_managers = cached
    return cached


def _manager_choices() -> list[tuple[str, str]]:
    return [(NO_MANAGER, str(_l("Nobody yet")))] + [(str(i), name) for i, name in
                                                     channel_managers(db())]


def _stage_rank():
    """The plans' stage order (a key no current plan has sorts last)."""
    keys = stage_keys()
    return case({key: rank for rank, key in enumerate(keys)}, value=EnablementPlan.stage,
                else_=len(keys)) if keys else EnablementPlan.stage


BOARD = ListSpec(
    endpoint="manage.enablement_board",
    columns=(
        Column("partner", _l("Partner"), Organisation.name),
        Column("stage", _l("Stage"), EnablementPlan.stage),
        Column("percent", _l("Required tasks done"), EnablementPlan.percent_done),
        Column("overdue", _l("Overdue"), EnablementPlan.overdue_count, first_desc=True),
        Column("next", _l("Next due"), EnablementPlan.next_due_at, may_be_empty=True),
        Column("activated", _l("Activated"), Organisation.activated_at, first_desc=True,
               may_be_empty=True),
        Column("manager", _l("Channel manager"), CHANNEL_MANAGER.name, may_be_empty=True),
    ),
    # The most urgent first: the next due date, soonest (overdue ones are in the past).
    default_sort="next",
    filters=(
        Filter("stage", _l("Stage"), _stage_choices, _l("All stages")),
        Filter("manager", _l("Channel manager"), _manager_choices, _l("All channel managers")),
        Filter("country", _l("Country"), _country_choices, _l("All countries")),
        Filter("type", _l("Partner type"), _type_choices, _l("All partner types")),
        Filter("overdue", _l("Overdue"), _overdue_choices, control="checkbox"),
    ),
    tiebreak=EnablementPlan.org_id,
)


def order_by(query: ListQuery) -> list:
    """The list's order, with the stage column sorted in the plans' order rather than by key."""
    if query.sort != "stage":
        return query.order_by()
    rank = _stage_rank()
    return [rank.desc() if query.descending else rank.asc(),
            EnablementPlan.org_id.desc() if query.descending else EnablementPlan.org_id.asc()]


def conditions(query: ListQuery) -> list:
    found = []
    if query.search:
        found.append(partner_search(query.search))
    flt = query.filters
    if "stage" in flt:
        found.append(EnablementPlan.stage == flt["stage"])
    if "country" in flt:
        found.append(Organisation.country == flt["country"])
    if "type" in flt:
        found.append(Organisation.partner_type == flt["type"])
    if flt.get("overdue") == "1":
        found.append(EnablementPlan.overdue_count > 0)
    if "manager" in flt:
        found.append(Organisation.channel_manager_user_id.is_(None) if flt["manager"] == NO_MANAGER
                     else Organisation.channel_manager_user_id == int(flt["manager"]))
    return found


_ROW_COLUMNS = (EnablementPlan.org_id, Organisation.name, Organisation.reference,
                Organisation.country, Organisation.partner_type, Organisation.activated_at,
                EnablementPlan.plan_id, EnablementPlan.plan_version, EnablementPlan.stage,
                EnablementPlan.required_total, EnablementPlan.required_done,
                EnablementPlan.percent_done, EnablementPlan.overdue_count,
                EnablementPlan.next_due_at, EnablementPlan.next_item_key,
                EnablementPlan.next_owner, EnablementPlan.started_at,
                NEXT_ITEM.title.label("next_title"), CHANNEL_MANAGER.name.label("manager"))


@dataclass(frozen=True, slots=True)
class BoardRow:
    org_id: str
    name: str
    reference: str
    country: str
    partner_type: str
    activated_at: datetime | None
    plan_id: str
    plan_version: int
    stage: str
    required_total: int
    required_done: int
    percent: int
    overdue: int
    next_due_at: datetime | None
    next_item_key: str | None
    next_title: str      # the item row's stored title (an ad-hoc item's only one)
    next_owner: str      # a person's name or a role code
    manager: str

    def days_active(self, now: datetime) -> int | None:
        since = _aware(self.activated_at)
        return None if since is None else max(0, (now - since).days)

    def next_overdue(self, now: datetime) -> bool:
        due = _aware(self.next_due_at)
        return due is not None and due < now


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive (they are UTC)."""
    return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment


def _row(r: Any) -> BoardRow:
    return BoardRow(org_id=r.org_id, name=r.name, reference=r.reference, country=r.country,
                    partner_type=r.partner_type, activated_at=r.activated_at or r.started_at,
                    plan_id=r.plan_id, plan_version=r.plan_version, stage=r.stage,
                    required_total=r.required_total, required_done=r.required_done,
                    percent=r.percent_done, overdue=r.overdue_count, next_due_at=r.next_due_at,
                    next_item_key=r.next_item_key, next_title=r.next_title or "",
                    next_owner=r.next_owner or "", manager=r.manager or "")


def _joined(columns) -> Any:
    return (select(*columns).select_from(EnablementPlan)
            .join(Organisation, Organisation.id == EnablementPlan.org_id)
            .outerjoin(CHANNEL_MANAGER, CHANNEL_MANAGER.id == Organisation.channel_manager_user_id))


def _with_next_item(query) -> Any:
    return query.outerjoin(NEXT_ITEM, and_(NEXT_ITEM.org_id == EnablementPlan.org_id,
                                           NEXT_ITEM.item_key == EnablementPlan.next_item_key))


def _horizon(query: ListQuery) -> int:
    """How far the count reads (web/listing.py count_rows says why it is bounded)."""
    horizon = (query.page + COUNT_AHEAD_PAGES) * query.spec.page_size
    return horizon if query.searching else max(horizon, COUNT_CAP)


# What reads the organisation's row (or its manager's): the ids' query joins them only then, so
# the plan's own filters and sorts are read from enablement_plan's indexes alone, however deep
# the page (page 100 of 10,000 partners: 58 ms with every join made before the offset).
_ORGANISATION_FILTERS = {"country", "type", "manager"}
_ORGANISATION_SORTS = {"partner", "activated", "manager"}


def _ids(query: ListQuery, *, sorting: bool):
    ids = select(EnablementPlan.org_id).select_from(EnablementPlan)
    if (query.search or _ORGANISATION_FILTERS & set(query.filters)
            or (sorting and query.sort in _ORGANISATION_SORTS)):
        ids = ids.join(Organisation, Organisation.id == EnablementPlan.org_id)
    if sorting and query.sort == "manager":
        ids = ids.outerjoin(CHANNEL_MANAGER,
                            CHANNEL_MANAGER.id == Organisation.channel_manager_user_id)
    return ids


def _count(query: ListQuery, where: list, horizon: int):
    found = _ids(query, sorting=False).where(*where).limit(horizon + 1).subquery()
    return select(func.count()).select_from(found)


def board_page(session: Session, query: ListQuery) -> Page:
    where, size, horizon = conditions(query), query.spec.page_size, _horizon(query)
    number = query.page
    rows = _page_rows(session, where, query, horizon, number)
    if not rows and number > 1:  # past the end: the last page there is
        found = session.scalar(_count(query, where, horizon)) or 0
        number = max(1, -(-min(found, horizon) // size))
        rows = _page_rows(session, where, query, horizon, number)
    found = rows[0].total if rows else 0
    return Page([_row(r) for r in rows], number, min(found, horizon), size, found <= horizon)


def _page_rows(session: Session, where: list, query: ListQuery, horizon: int, number: int):
    """The page's ids picked in order first (only the joins they need), then only those rows
    joined and read, with the count beside them: one statement."""
    size, order = query.spec.page_size, order_by(query)
    page_ids = (_ids(query, sorting=True).where(*where).order_by(*order)
                .limit(size).offset((number - 1) * size).subquery())
    total = _count(query, where, horizon).scalar_subquery().label("total")
    statement = (_with_next_item(_joined((*_ROW_COLUMNS, total)))
                 .join(page_ids, page_ids.c.org_id == EnablementPlan.org_id).order_by(*order))
    return list(session.execute(statement))


def board_rows(session: Session, query: ListQuery) -> Iterator[BoardRow]:
    """Every row the board's search and filters select, in its order: the CSV export."""
    statement = (_with_next_item(_joined(_ROW_COLUMNS)).where(*conditions(query))
                 .order_by(*order_by(query)).execution_options(yield_per=500))
    for r in session.execute(statement):
        yield _row(r)
