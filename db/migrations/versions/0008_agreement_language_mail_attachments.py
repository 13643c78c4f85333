"""agreements in the partner's language; mail attachments

agreement.locale says which language the stored body (and so its SHA-256) is in; agreements
written before it are English. outbox_mail.attachments lists a mail's files (name, type, size)
and outbox_attachment holds their bytes, one row per file, written with the mail's row.

Revision ID: 0008_agreement_pdf
Revises: 0007_task_decided
Create Date: 2026-12-03 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_agreement_pdf'
down_revision = '0007_task_decided'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), server_default='en',
                                      nullable=False))
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), server_default='[]',
                                      nullable=False))
    op.create_table(
        'outbox_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mail_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['mail_id'], ['outbox_mail.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('mail_id', 'position'),
    )


def downgrade() -> None:
    op.drop_table('outbox_attachment')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('locale')
