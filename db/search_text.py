"""The text the partners directory searches: one lower-cased string per organisation.

Name, reference, domain and the application's contact name and email, joined by spaces, so one
LIKE '%term%' finds a word anywhere in any of them. On PostgreSQL it is a stored generated column,
organisation.search_text (migration 0011), with a trigram GIN index (pg_trgm) that answers a LIKE
with a leading wildcard; stored, so that a scan, when the planner prefers one, reads plain text
instead of decoding every row's JSON (python -m bench lists: 4 ms, not 28 to 45). The column is
written by the database, so the models do not declare it (db/models.py UNDECLARED_COLUMNS).

SQLite has no such column or index; it computes the expression and scans, which at its scale is
quick.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

_SQLITE_SQL = ("lower(organisation.name || ' ' || organisation.reference || ' ' || "
               "organisation.domain || ' ' || "
               "coalesce(json_extract(organisation.application, '$.contact_name'), '') || ' ' || "
               "coalesce(json_extract(organisation.application, '$.contact_email'), ''))")


class OrganisationSearchText(ColumnElement):
    """Use on queries over the `organisation` table itself (not an alias of it)."""

    type = String()
    inherit_cache = True


@compiles(OrganisationSearchText, "postgresql")
def _postgres(_element, _compiler, **_kw) -> str:
    return "organisation.search_text"


@compiles(OrganisationSearchText)
def _other(_element, _compiler, **_kw) -> str:
    return _SQLITE_SQL
