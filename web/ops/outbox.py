"""The outbox list: every mail the app sent or is trying to send (db.models.OutboxMail), in the
list convention of web/listing.py, filtered by recipient, subject and status.

The recipients are a JSON list; they are matched as the JSON text the database holds. That text
escapes what is not ASCII (an address at a Chinese domain is stored as \\uXXXX), so the recipient
filter compares both the words as typed and their JSON-escaped form.
"""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, defer

from db.models import OutboxMail
from web.labels import MAIL_STATUS_LABELS, label
from web.listing import (Column, Filter, ListQuery, ListSpec, Page, TextFilter, contains_pattern,
                         count_rows, page_window)


def _status_choices() -> list[tuple[str, str]]:
    return [(code, label(MAIL_STATUS_LABELS, code)) for code in MAIL_STATUS_LABELS]


OUTBOX = ListSpec(
    endpoint="ops.outbox",
    columns=(
        Column("created", _l("Created"), OutboxMail.created_at, first_desc=True),
        Column("subject", _l("Subject"), OutboxMail.subject),
        Column("to", _l("To")),
        Column("status", _l("Status"), OutboxMail.status),
        Column("attempts", _l("Attempts"), OutboxMail.attempts, first_desc=True),
        Column("error", _l("Last error")),
    ),
    default_sort="created",
    default_desc=True,
    filters=(Filter("status", _l("Status"), _status_choices, _l("Any status")),),
    text_filters=(TextFilter("recipient", _l("Recipient"), _l("Address or part of it")),
                  TextFilter("subject", _l("Subject"), _l("A word of the subject"))),
    tiebreak=OutboxMail.id,
)


def _recipient_condition(words: str):
    stored = func.lower(cast(OutboxMail.recipients, String))
    as_json = json.dumps(words.lower())[1:-1]  # the JSON string's inside, escapes and all
    patterns = dict.fromkeys([contains_pattern(words), contains_pattern(as_json)])
    return or_(*(stored.like(p, escape="\\") for p in patterns))


def conditions(query: ListQuery) -> list:
    found = []
    if "recipient" in query.texts:
        found.append(_recipient_condition(query.texts["recipient"]))
    if "subject" in query.texts:
        found.append(func.lower(OutboxMail.subject).like(contains_pattern(query.texts["subject"]),
                                                         escape="\\"))
    if "status" in query.filters:
        found.append(OutboxMail.status == query.filters["status"])
    return found


def outbox_page(session: Session, query: ListQuery) -> Page:
    where = conditions(query)
    total, exact = count_rows(session, select(OutboxMail.id).where(*where), query)
    number, offset = page_window(query, total)
    size = query.spec.page_size
    rows = session.scalars(select(OutboxMail).where(*where).order_by(*query.order_by())
                           .options(defer(OutboxMail.body_text), defer(OutboxMail.body_html))
                           .limit(size).offset(offset)).all()
    return Page(list(rows), number, total, size, exact)


def status_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(OutboxMail.status, func.count())
                                .group_by(OutboxMail.status)).all())
