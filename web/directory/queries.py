"""What the directory and the partner page read: app database rows only, never Temporal.

A directory page costs two queries whatever the number of organisations: the count (bounded
for a search, web/listing.py count_rows), and the page's rows (its ids picked in the chosen
order, then only those rows read, with their channel manager's name). The CSV export reads the
same rows, unpaged, in batches.

The channel manager is the organisation's own column (issue 9, migration 0008): the manager who
owns its steps, written with the task rows (db/task_rows.py), so naming and sorting by them is
one join. Nobody is named before a manager decides or is handed one of its steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from db.models import Agreement, Organisation, Task, TimelineEvent, User
from db.search_text import OrganisationSearchText
from definitions.loader import form_schema
from domain.onboarding import Stage
from domain.tasks import ACTIVE_STATUSES
from forms.choices import choice_label, country_name, current_locale_name, enum_choices
from web.labels import STAGE_LABELS, label
from web.listing import (Column, Filter, ListQuery, ListSpec, Page, contains_pattern, count_rows,
                         page_window)

APPLICATION_FORM = "partner_application.v1"
# The lifecycle's order, for the stage filter and for sorting by stage.
STAGES = tuple(s.value for s in Stage)
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


def _application_property(name: str) -> dict:
    return form_schema(APPLICATION_FORM)["properties"][name]


def country_label(code: str) -> str:
    return country_name(code)


def partner_type_label(code: str) -> str:
    return choice_label(_application_property("partner_type"), code)


def _stage_choices() -> list[tuple[str, str]]:
    return [(code, label(STAGE_LABELS, code)) for code in STAGES]


def _pairs(prop: dict) -> list[tuple[str, str]]:
    """The form's options (WTForms SelectChoice) as the list's (value, label) pairs."""
    return [(c.value, c.label) for c in enum_choices(prop, current_locale_name())]


def _country_choices() -> list[tuple[str, str]]:
    return _pairs(_application_property("country"))


def _type_choices() -> list[tuple[str, str]]:
    return _pairs(_application_property("partner_type"))


def _flagged_choices() -> list[tuple[str, str]]:
    return [("yes", str(_l("With screening flags"))), ("no", str(_l("Without screening flags")))]


CHANNEL_MANAGER = aliased(User, name="channel_manager")

_STAGE_RANK = case({code: rank for rank, code in enumerate(STAGES)}, value=Organisation.status,
                   else_=len(STAGES))

DIRECTORY = ListSpec(
    endpoint="directory.index",
    columns=(
        Column("name", _l("Partner"), Organisation.name),
        Column("reference", _l("Reference"), Organisation.reference),
        Column("stage", _l("Stage"), _STAGE_RANK),
        # Codes, not the names shown: a database cannot sort by a name it does not hold.
        Column("country", _l("Country"), Organisation.country),
        Column("type", _l("Partner type"), Organisation.partner_type),
        Column("manager", _l("Channel manager"), CHANNEL_MANAGER.name, may_be_empty=True),
        Column("applied", _l("Applied"), Organisation.created_at, first_desc=True),
        Column("activated", _l("Activated"), Organisation.activated_at, first_desc=True,
               may_be_empty=True),
        Column("flags", _l("Screening flags")),
    ),
    default_sort="name",
    filters=(
        Filter("stage", _l("Stage"), _stage_choices, _l("All stages")),
        Filter("country", _l("Country"), _country_choices, _l("All countries")),
        Filter("type", _l("Partner type"), _type_choices, _l("All partner types")),
        Filter("flagged", _l("Screening flags"), _flagged_choices, _l("With or without")),
    ),
    tiebreak=Organisation.id,
)

_FILTER_COLUMNS = {"stage": Organisation.status, "country": Organisation.country,
                   "type": Organisation.partner_type}


def partner_search(term: str):
    """The one partner search, the directory's and the inbox's: `term` a substring of the
    organisation's name, reference, domain, contact name or email, any case, wildcards taken
    literally. For a query over the organisation table (joined in, not aliased); on PostgreSQL the
    trigram index of migration 0006 answers it (db/search_text.py)."""
    return OrganisationSearchText().like(contains_pattern(term), escape="\\")


def conditions(query: ListQuery) -> list:
    """The WHERE of the list: the search (partner_search) and each chosen filter."""
    found = []
    if query.search:
        found.append(partner_search(query.search))
    for key, value in query.filters.items():
        if key in _FILTER_COLUMNS:
            found.append(_FILTER_COLUMNS[key] == value)
    flagged = query.filters.get("flagged")
    if flagged:
        count = flag_count()
        found.append(count > 0 if flagged == "yes" else count == 0)
    return found


def flag_count():
    """How many screening flags a row has. On PostgreSQL an index over this very expression
    (migration 0011) serves the filter: the 0 is inlined, since a bound parameter would make it
    another expression to the planner."""
    return func.coalesce(func.json_array_length(Organisation.flags), literal_column("0"))


def _with_manager(query):
    """The channel manager joined in (at most one row each: the join keeps the row count, and a
    database drops it where nothing reads it)."""
    return query.outerjoin(CHANNEL_MANAGER,
                           CHANNEL_MANAGER.id == Organisation.channel_manager_user_id)


_ROW_COLUMNS = (Organisation.id, Organisation.name, Organisation.reference, Organisation.status,
                Organisation.country, Organisation.partner_type, Organisation.domain,
                Organisation.created_at, Organisation.activated_at, Organisation.flags,
                Organisation.application["contact_name"].as_string().label("contact_name"),
                Organisation.application["contact_email"].as_string().label("contact_email"),
                CHANNEL_MANAGER.name.label("manager"))


@dataclass(frozen=True, slots=True)
class DirectoryRow:
    id: str
    name: str
    reference: str
    stage: str
    country: str
    partner_type: str
    domain: str
    contact_name: str
    contact_email: str
    manager: str
    applied_at: datetime
    activated_at: datetime | None
    flag_codes: tuple[str, ...]


def _row(r: Any) -> DirectoryRow:
    return DirectoryRow(id=r.id, name=r.name, reference=r.reference, stage=r.status,
                        country=r.country, partner_type=r.partner_type, domain=r.domain,
                        contact_name=r.contact_name or "", contact_email=r.contact_email or "",
                        manager=r.manager or "", applied_at=r.created_at,
                        activated_at=r.activated_at,
                        flag_codes=tuple(f.get("code", "") for f in (r.flags or [])))


def directory_page(session: Session, query: ListQuery) -> Page:
    where = conditions(query)
    total, exact = count_rows(session, select(Organisation.id).where(*where), query)
    number, offset = page_window(query, total)
    size = query.spec.page_size
    page_ids = (_with_manager(select(Organisation.id)).where(*where).order_by(*query.order_by())
                .limit(size).offset(offset).subquery())
    rows = session.execute(_with_manager(select(*_ROW_COLUMNS)
                                         .join(page_ids, page_ids.c.id == Organisation.id))
                           .order_by(*query.order_by()))
    return Page([_row(r) for r in rows], number, total, size, exact)


def directory_rows(session: Session, query: ListQuery) -> Iterator[DirectoryRow]:
    """Every row the list's search and filters select, in its order: the CSV export."""
    select_all = (_with_manager(select(*_ROW_COLUMNS))
                  .where(*conditions(query)).order_by(*query.order_by())
                  .execution_options(yield_per=500))
    for r in session.execute(select_all):
        yield _row(r)


# -- the partner page ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RelatedOrganisation:
    id: str
    name: str
    reference: str


@dataclass(frozen=True)
class PartnerPage:
    org: Organisation
    manager: str
    users: list[User]
    agreements: list[Agreement]
    open_tasks: list[Task]
    closed_tasks: list[Task]
    timeline: list[TimelineEvent]
    # Organisations the screening flags point at (a likely duplicate), by id; a flag whose
    # organisation is gone, or that names none, has no entry.
    related: dict[str, RelatedOrganisation]


def partner_page(session: Session, org_id: str) -> PartnerPage | None:
    org = session.get(Organisation, org_id)
    if org is None:
        return None
    manager = org.channel_manager.name if org.channel_manager is not None else ""
    users = list(session.scalars(select(User).where(User.org_id == org.id).order_by(User.name, User.id)))
    agreements = list(session.scalars(select(Agreement).where(Agreement.org_id == org.id)
                                      .order_by(Agreement.created_at, Agreement.id)))
    tasks = list(session.scalars(select(Task).where(Task.org_id == org.id)
                                 .order_by(Task.created_at, Task.id)))
    open_tasks = sorted((t for t in tasks if t.status in _ACTIVE), key=lambda t: (t.due_at, t.id))
    closed_tasks = sorted((t for t in tasks if t.status not in _ACTIVE),
                          key=lambda t: (t.completed_at or t.created_at, t.id), reverse=True)
    timeline = list(session.scalars(select(TimelineEvent).where(TimelineEvent.org_id == org.id)
                                    .order_by(TimelineEvent.at, TimelineEvent.id)))
    return PartnerPage(org, manager, users, agreements, open_tasks, closed_tasks, timeline,
                       related_organisations(session, org.flags or []))


def related_organisations(session: Session, flags: list) -> dict[str, RelatedOrganisation]:
    """The organisations flags point at. Flags have carried the matched organisation's id since
    screening began (domain/screening.py, related_org_id); one stored without it links nowhere."""
    ids = {f.get("related_org_id") for f in flags if isinstance(f, dict) and f.get("related_org_id")}
    if not ids:
        return {}
    found = session.execute(select(Organisation.id, Organisation.name, Organisation.reference)
                            .where(Organisation.id.in_(sorted(ids))))
    return {r.id: RelatedOrganisation(r.id, r.name, r.reference) for r in found}
