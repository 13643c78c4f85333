"""partners directory: indexes for its sorted pages and its search

The directory (web/directory/) pages through every organisation sorted by name, applied date,
activated date or stage; (column, id) indexes give each order (id breaks ties) without reading
the table's rows. The stage's replaces the index on the stage alone (it answers the same counts).
The country's and the partner type's serve their filters as well.

Its search finds a word anywhere in the name, reference, domain or contact: on PostgreSQL a
trigram GIN index (pg_trgm, a trusted extension since PostgreSQL 13: the database owner may
create it) over the same expression as db/search_text.py, so LIKE '%word%' reads the index.
SQLite has no trigram index and scans.

Revision ID: 0006_directory
Revises: 0005_drop_unread
Create Date: 2026-12-03 10:00:00
"""
from alembic import op

revision = '0006_directory'
down_revision = '0005_drop_unread'
branch_labels = None
depends_on = None

SORTED = {'ix_organisation_status_id': ['status', 'id'],
          'ix_organisation_name_id': ['name', 'id'],
          'ix_organisation_created_at_id': ['created_at', 'id'],
          'ix_organisation_activated_at_id': ['activated_at', 'id'],
          'ix_organisation_country_id': ['country', 'id'],
          'ix_organisation_partner_type_id': ['partner_type', 'id']}

# Must stay the expression db/search_text.py compiles to on PostgreSQL (see there).
SEARCH_TEXT = ("lower(name || ' ' || reference || ' ' || domain || ' ' || "
               "coalesce(application ->> 'contact_name', '') || ' ' || "
               "coalesce(application ->> 'contact_email', ''))")


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_status')
        for name, columns in SORTED.items():
            batch_op.create_index(name, columns, unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(f'CREATE INDEX ix_organisation_search ON organisation '
                   f'USING gin (({SEARCH_TEXT}) gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_organisation_search')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        for name in SORTED:
            batch_op.drop_index(name)
        batch_op.create_index('ix_organisation_status', ['status'], unique=False)
