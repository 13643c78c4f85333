"""The text the partners directory searches: one lower-cased string per organisation.

Name, reference, domain and the application's contact name and email, joined by spaces, so one
LIKE '%term%' finds a word anywhere in any of them. On PostgreSQL migration 0006 indexes exactly
this expression with a trigram GIN index (pg_trgm), which answers a LIKE with a leading wildcard
from the index instead of decoding every row's JSON. The planner uses that index only for the
identical expression: the SQL below and the migration's must stay the same, key names inlined
(a bound parameter for the JSON key would make it another expression).

SQLite has no such index; it scans, which at its scale is quick.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

POSTGRES_SQL = ("lower(name || ' ' || reference || ' ' || domain || ' ' || "
                "coalesce(application ->> 'contact_name', '') || ' ' || "
                "coalesce(application ->> 'contact_email', ''))")

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
    # Qualified here so the expression reads the same in a join; the index's unqualified form is
    # the same expression to the planner (both resolve to the table's columns).
    return ("lower(organisation.name || ' ' || organisation.reference || ' ' || "
            "organisation.domain || ' ' || "
            "coalesce(organisation.application ->> 'contact_name', '') || ' ' || "
            "coalesce(organisation.application ->> 'contact_email', ''))")


@compiles(OrganisationSearchText)
def _other(_element, _compiler, **_kw) -> str:
    return _SQLITE_SQL
