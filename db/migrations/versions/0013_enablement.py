"""enablement: the file store, plans and their items, certifications, partner teams

stored_file: an upload's metadata; its bytes live once per SHA-256 under the file store's
directory (activities/files.py). enablement_plan: one row per partner, what the board reads;
enablement_item: the tasks of each partner's plan; certification: who holds which, until when.
invitation gains revoked_at and invited_by_id (a partner admin invites a colleague), and task
gains assignee_partner_role (a partner task only the organisation's admins may do).

Revision ID: 0013_enablement
Revises: 0012_channel_manager
Create Date: 2026-12-03 15:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0013_enablement'
down_revision = '0012_channel_manager'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enablement_plan',
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('workflow_id', sa.String(length=100), nullable=False),
    sa.Column('plan_id', sa.String(length=40), nullable=False),
    sa.Column('plan_version', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('required_total', sa.Integer(), nullable=False),
    sa.Column('required_done', sa.Integer(), nullable=False),
    sa.Column('percent_done', sa.Integer(), nullable=False),
    sa.Column('overdue_count', sa.Integer(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_item_key', sa.String(length=60), nullable=True),
    sa.Column('next_owner', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('org_id'),
    sa.UniqueConstraint('workflow_id')
    )
    with op.batch_alter_table('enablement_plan', schema=None) as batch_op:
        batch_op.create_index('ix_enablement_plan_next_due_org', ['next_due_at', 'org_id'], unique=False)
        batch_op.create_index('ix_enablement_plan_overdue_org', ['overdue_count', 'org_id'], unique=False)
        batch_op.create_index('ix_enablement_plan_percent_org', ['percent_done', 'org_id'], unique=False)
        batch_op.create_index('ix_enablement_plan_stage_org', ['stage', 'org_id'], unique=False)

    op.create_table('certification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cert_key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('workflow_id', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'cert_key', 'issued_at')
    )
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.create_index('ix_certification_org_status', ['org_id', 'status', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_user_id'), ['user_id'], unique=False)

    op.create_table('enablement_item',
    sa.Column('id', sa.String(length=160), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('workflow_id', sa.String(length=100), nullable=False),
    sa.Column('item_key', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('owner', sa.String(length=30), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignee_user_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('task_id', sa.String(length=160), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'item_key')
    )
    with op.batch_alter_table('enablement_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enablement_item_org_id'), ['org_id'], unique=False)

    op.create_table('stored_file',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_file_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_invitation_invited_by', 'user_account', ['invited_by_id'], ['id'])

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_partner_role', sa.String(length=30), nullable=True))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('logo_file_id', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key('fk_organisation_logo', 'stored_file', ['logo_file_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_organisation_logo', type_='foreignkey')
        batch_op.drop_column('logo_file_id')
        batch_op.drop_column('profile')

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('assignee_partner_role')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_invitation_invited_by', type_='foreignkey')
        batch_op.drop_column('invited_by_id')
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_stored_file_org_id'))

    op.drop_table('stored_file')
    with op.batch_alter_table('enablement_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enablement_item_org_id'))

    op.drop_table('enablement_item')
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_user_id'))
        batch_op.drop_index('ix_certification_org_status')

    op.drop_table('certification')
    with op.batch_alter_table('enablement_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_enablement_plan_stage_org')
        batch_op.drop_index('ix_enablement_plan_percent_org')
        batch_op.drop_index('ix_enablement_plan_overdue_org')
        batch_op.drop_index('ix_enablement_plan_next_due_org')

    op.drop_table('enablement_plan')
