"""ownership: a staff task's owner, and the organisation's channel manager

task.assignee_user_id: a staff step opened for the manager who owns the application (the one who
decided its step before, or was handed it); its group (assignee_role) sees it once escalated.
organisation.channel_manager_user_id: that manager, written with the task rows, so the partners
directory names and sorts by the channel manager with one join instead of a lookup per row.

The inbox's index (ix_task_inbox) gains both columns its group view now reads (the owner, the
escalation), so its counts and page ids are still read from the index alone.

The upgrade names the manager of existing organisations as the directory did until now: the
person on the latest review task, the one holding it or, when only a name was kept (a decision
without a claim), the one active staff user of that name, if exactly one has it.

Revision ID: 0012_channel_manager
Revises: 0011_list_indexes
Create Date: 2026-12-03 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_channel_manager'
down_revision = '0011_list_indexes'
branch_labels = None
depends_on = None

_LATEST_REVIEW = ("SELECT {what} FROM task r WHERE r.org_id = organisation.id "
                  "AND r.task_type = 'review_application' "
                  "AND (r.completed_by IS NOT NULL OR r.claimed_by_id IS NOT NULL) "
                  "ORDER BY r.created_at DESC, r.id DESC LIMIT 1")
_ONLY_STAFF_NAMED = ("SELECT MIN(u.id) FROM user_account u WHERE u.org_id IS NULL "
                     "AND u.active = :yes AND u.name = ({name}) HAVING COUNT(*) = 1")


INBOX_BEFORE = ['status', 'assignee_role', 'due_at', 'created_at', 'id', 'task_type',
                'claimed_by_id']
INBOX_AFTER = INBOX_BEFORE + ['assignee_user_id', 'escalated']


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_task_assignee_user', 'user_account',
                                    ['assignee_user_id'], ['id'])
        batch_op.drop_index('ix_task_inbox')
        batch_op.create_index('ix_task_inbox', INBOX_AFTER, unique=False)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_manager_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_organisation_channel_manager', 'user_account',
                                    ['channel_manager_user_id'], ['id'])
        batch_op.create_index('ix_organisation_channel_manager_id',
                              ['channel_manager_user_id', 'id'], unique=False)
    held = _LATEST_REVIEW.format(what="r.claimed_by_id")
    named = _ONLY_STAFF_NAMED.format(name=_LATEST_REVIEW.format(what="r.completed_by"))
    op.get_bind().execute(sa.text(
        f"UPDATE organisation SET channel_manager_user_id = COALESCE(({held}), ({named}))"
    ), {"yes": True})


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_organisation_channel_manager_id')
        batch_op.drop_constraint('fk_organisation_channel_manager', type_='foreignkey')
        batch_op.drop_column('channel_manager_user_id')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_inbox')
        batch_op.create_index('ix_task_inbox', INBOX_BEFORE, unique=False)
        batch_op.drop_constraint('fk_task_assignee_user', type_='foreignkey')
        batch_op.drop_column('assignee_user_id')
