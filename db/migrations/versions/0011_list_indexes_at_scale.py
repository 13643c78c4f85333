"""lists at scale: the inbox's open tasks in its order, mine too, flags, a stored search text

Read from `python -m bench lists` (100,000 organisations, 1,000,000 tasks; EXPLAIN ANALYZE in
var/bench-lists-plans.txt). PostgreSQL only, as migration 0006's search index: SQLite cannot use
a partial index when the query's values are bound parameters, as SQLAlchemy's are, and at its
scale the older indexes are enough.

ix_task_open_staff. The inbox read its page from ix_task_inbox, whose leading status column has
two values for an open task (open, claimed): the index cannot give the rows in due order across
both, so every open task of the group was read and sorted to return 50 (17,579 rows top-N
sorted, for page 1 as for page 50: 14 to 17 ms). This partial index holds only the open staff
tasks (tens of thousands of rows, not a million), group first and then the inbox's order, so a
page reads its own rows and those before it, in order, and stops (page 1: 0.05 ms; page 50:
3.7 ms); type, status and holder ride along for the tab counts.

ix_task_open_claimed. "My tasks" (the inbox's tab and the staff home's list) then walked that
index in due order, every open task of the group, to find a manager's 35 (16 to 55 ms); the
same partial index led by the holder reads just those (0.1 ms).

ix_organisation_flag_count. The directory's "with / without screening flags" filter counts each
row's flags (coalesce(json_array_length(flags), 0), which web/directory/queries.py flag_count()
must spell the same, the 0 inlined). Without an index the planner guessed a third of the rows had
flags (a tenth do) and, for DE with flags, walked the name index decoding 7,335 rows' JSON to
find 50 (55 ms) and counted by reading all 7,894 DE rows (46 ms). Indexed, the expression has
its own statistics and a bitmap of its own to AND with the country's: 10 to 12 ms each.

organisation.search_text. The directory's search (db/search_text.py) matched LIKE '%word%'
against an expression that decodes the application's JSON for each row. The planner costs that
as a few operators, so for a common word it chose between the trigram index (5 ms to count 301
matches) and a sequential scan (28 to 45 ms) by a hair (estimated 548.0 against 548.4): the
search was fast or slow by the luck of ANALYZE's sample. The same text is now a stored
generated column, computed when a row is written, and the trigram index is over that column:
a scan reads it as plain text (4.4 ms), the index is as fast as before (6.7 ms), either plan
is quick.

Revision ID: 0011_list_indexes
Revises: 0010_notifications
Create Date: 2026-12-03 12:00:00
"""
from alembic import op

revision = '0011_list_indexes'
down_revision = '0010_notifications'
branch_labels = None
depends_on = None

# The inbox's conditions for an open staff task (web/manage/queries.py _open_staff_tasks): the
# planner uses the index only when the query's WHERE implies this one.
OPEN_STAFF = "status IN ('open', 'claimed') AND assignee_role IS NOT NULL"
# Must stay the expression web/directory/queries.py flag_count() compiles to.
FLAG_COUNT = "coalesce(json_array_length(flags), 0)"
# Migration 0006's expression, now stored (db/search_text.py reads the column on PostgreSQL).
SEARCH_TEXT = ("lower(name || ' ' || reference || ' ' || domain || ' ' || "
               "coalesce(application ->> 'contact_name', '') || ' ' || "
               "coalesce(application ->> 'contact_email', ''))")


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_task_open_staff ON task '
                   '(assignee_role, due_at, created_at, id) '
                   f'INCLUDE (task_type, status, claimed_by_id) WHERE {OPEN_STAFF}')
        op.execute('CREATE INDEX ix_task_open_claimed ON task '
                   '(claimed_by_id, due_at, created_at, id) '
                   f'INCLUDE (task_type, status, assignee_role) WHERE {OPEN_STAFF}')
        op.execute(f'CREATE INDEX ix_organisation_flag_count ON organisation (({FLAG_COUNT}))')
        op.execute('DROP INDEX ix_organisation_search')
        op.execute(f'ALTER TABLE organisation ADD COLUMN search_text text '
                   f'GENERATED ALWAYS AS ({SEARCH_TEXT}) STORED')
        op.execute('CREATE INDEX ix_organisation_search ON organisation '
                   'USING gin (search_text gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_organisation_search')
        op.execute('ALTER TABLE organisation DROP COLUMN search_text')
        op.execute(f'CREATE INDEX ix_organisation_search ON organisation '
                   f'USING gin (({SEARCH_TEXT}) gin_trgm_ops)')
        op.execute('DROP INDEX IF EXISTS ix_organisation_flag_count')
        op.execute('DROP INDEX IF EXISTS ix_task_open_claimed')
        op.execute('DROP INDEX IF EXISTS ix_task_open_staff')
