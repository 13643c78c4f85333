"""drop two columns nothing reads

organisation.stage_details held the last stage note, which the timeline already keeps in full
(timeline_entry). task.access_token_hash held a hash of the task link's token, but a task link is
checked by computing its HMAC again (domain/tokens.py), so the hash was written and never read.

Downgrade adds both back empty: the notes are still on the timeline, and task links never
needed the hash.

Revision ID: 0005_drop_unread
Revises: 0004_accounts
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_drop_unread'
down_revision = '0004_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('stage_details')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('access_token_hash')


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_token_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_details', sa.String(length=300), nullable=False,
                                      server_default=''))
