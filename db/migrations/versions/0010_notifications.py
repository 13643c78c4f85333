"""notifications: staff preferences per kind, and what each person was told

Quiet notifications (issue 9): each staff user chooses, per kind of notification, a mail each
time, a daily digest or none (notification_preference, only the choices made: a missing row is the
default). Every staff notification is a row of notification, whatever the choice: the header
counts a user's unseen ones; the daily digest mails the rows waiting for it and stamps them with
its key.

Revision ID: 0010_notifications
Revises: 0009_user_time_zone
Create Date: 2026-12-03 12:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0010_notifications'
down_revision = '0009_user_time_zone'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notification_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('delivery', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('user_id', 'kind'))
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=250), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('delivery', sa.String(length=10), nullable=False),
        sa.Column('template', sa.String(length=60), nullable=False),
        sa.Column('org_id', sa.String(length=36), nullable=True),
        sa.Column('task_id', sa.String(length=160), nullable=True),
        sa.Column('task_type', sa.String(length=40), nullable=False),
        sa.Column('company', sa.String(length=200), nullable=False),
        sa.Column('reference', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('link', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('digest_key', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'))
    op.create_index('ix_notification_user_seen', 'notification', ['user_id', 'seen_at'])
    op.create_index('ix_notification_digest', 'notification', ['delivery', 'digest_key', 'user_id'])


def downgrade() -> None:
    op.drop_index('ix_notification_digest', table_name='notification')
    op.drop_index('ix_notification_user_seen', table_name='notification')
    op.drop_table('notification')
    op.drop_table('notification_preference')
