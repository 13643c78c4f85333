"""the reader's time zone, and whether the language is the person's own choice

user_account.time_zone: the IANA zone dates are shown in (pages and mail), first taken from the
browser, changeable on the account's settings page; empty until then (the program's default
zone, UTC otherwise).

user_account.locale_chosen: staff pages follow the browser's language until the person picks one
(the switcher or the settings page). `locale` alone cannot tell a choice of English from the
default, so existing accounts count as having chosen only where the language is not the default.

Revision ID: 0009_user_time_zone
Revises: 0008_agreement_pdf
Create Date: 2026-12-03 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_user_time_zone'
down_revision = '0008_agreement_pdf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('locale_chosen', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE user_account SET locale_chosen = (locale <> 'en')")


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('locale_chosen')
        batch_op.drop_column('time_zone')
