"""The workflow list's partner filter: a word anywhere in an organisation's name, found in the
app database, then asked of Temporal by organisation id.

Temporal's visibility store matches Keyword and Text attributes only by their beginning
(STARTS_WITH), so "Globex" can find "Globex Ltd" there but never "Shanghai Globex Ltd". The app
database can: the word is matched (any case, LIKE wildcards taken literally) against names and
references, and the list asks Temporal for the workflows whose PartnerOrg is one of the
organisations found. At most MAX_ORGS of them (the query is sent in full with every page): when
more match, the first MAX_ORGS by name are used and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Organisation
from web.listing import clean_search, contains_pattern

MAX_ORGS = 100


@dataclass(frozen=True)
class PartnerMatch:
    org_ids: tuple[str, ...]
    more: bool  # more organisations match than the MAX_ORGS in org_ids


def organisations_matching(session: Session, word: str, limit: int | None = None) -> PartnerMatch:
    limit = MAX_ORGS if limit is None else limit
    word = clean_search(word)
    if not word:
        return PartnerMatch((), False)
    pattern = contains_pattern(word)
    found = session.scalars(
        select(Organisation.id)
        .where(or_(Organisation.id == word,
                   func.lower(Organisation.name).like(pattern, escape="\\"),
                   func.lower(Organisation.reference).like(pattern, escape="\\")))
        .order_by(Organisation.name, Organisation.id).limit(limit + 1)).all()
    return PartnerMatch(tuple(found[:limit]), len(found) > limit)
