"""password resets; login sessions carry the password epoch they began under

password_reset: a single-use, expiring reset link per request, the token kept as its SHA-256 only
(like invitation). login_session.session_epoch: a session is valid only while it equals its
user's session_epoch, which a password change or reset increments (web/security.py).

Revision ID: 0004_accounts
Revises: 0003_mail
Create Date: 2026-12-02 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_accounts'
down_revision = '0003_mail'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'password_reset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=160), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_password_reset_user_id', 'password_reset', ['user_id'], unique=False)
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False,
                                      server_default='0'))
    # Sessions open at upgrade time stay open: they began under their user's current epoch.
    op.execute("UPDATE login_session SET session_epoch = (SELECT user_account.session_epoch "
               "FROM user_account WHERE user_account.id = login_session.user_id)")


def downgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    op.drop_index('ix_password_reset_user_id', table_name='password_reset')
    op.drop_table('password_reset')
