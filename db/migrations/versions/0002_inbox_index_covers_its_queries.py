"""inbox index covers the inbox's queries

The inbox counts its tabs per task type and picks a page of task ids on every view; with the type,
holder, creation time and id in the index, SQLite and PostgreSQL answer both from the index alone
instead of reading every open task's row (JSON context included).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:40:00
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OLD = ['status', 'assignee_role', 'due_at']
NEW = ['status', 'assignee_role', 'due_at', 'created_at', 'id', 'task_type', 'claimed_by_id']


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_inbox')
        batch_op.create_index('ix_task_inbox', NEW, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_inbox')
        batch_op.create_index('ix_task_inbox', OLD, unique=False)
