"""staff home: an index for the last week's decisions

The staff home (web/home/) lists the staff tasks decided in the last seven days, newest first,
and counts them. (status, completed_at) reads exactly that range of the task table's index, in
that order, instead of every closed task; assignee_role rides along, so partner tasks (signing,
editing) are left out from the index alone.

Revision ID: 0007_task_decided
Revises: 0006_directory
Create Date: 2026-12-03 10:00:00
"""
from alembic import op

revision = '0007_task_decided'
down_revision = '0006_directory'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_decided', ['status', 'completed_at', 'assignee_role'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_decided')
