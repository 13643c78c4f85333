"""mail: an HTML part beside the text, and no link token in any stored mail

Each outbox row gets its HTML part (`body_html`) and `links`: the mark that stands in the bodies
for each link with a token, with the token's purpose and key, so the link is computed again when
the message is sent (activities/outbox.py). The links already stored in plain text are replaced
by such marks: a task link by its task, a set-password link by the invitation whose hash matches.
A set-password link whose invitation is gone opens nothing any more; it is removed.

Downgrade drops both columns; a mark still in a body (a mail not yet sent) says the link was
removed, since the old schema has nowhere to keep what recomputes it.

Revision ID: 0003_mail
Revises: 0002
Create Date: 2026-12-02 19:00:00
"""
import hashlib
import re
import secrets

import sqlalchemy as sa
from alembic import op


revision = '0003_mail'
down_revision = '0002'
branch_labels = None
depends_on = None

TOKEN = r"[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"  # base64url of an HMAC-SHA256, unpadded
TASK_LINK = re.compile(rf"\S*?/t/(?P<task>[^/\s]+)/(?P<token>{TOKEN})")
PASSWORD_LINK = re.compile(rf"\S*?/set-password/(?P<token>{TOKEN})")
MARK = re.compile(r"\[link-[0-9a-f]{24}\]")
REMOVED = "[link removed]"

outbox = sa.table('outbox_mail', sa.column('id', sa.Integer), sa.column('body_text', sa.Text),
                  sa.column('links', sa.JSON))
invitation = sa.table('invitation', sa.column('key', sa.String), sa.column('token_hash', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('links', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.body_text).where(sa.or_(
        outbox.c.body_text.like('%/t/%'), outbox.c.body_text.like('%/set-password/%')))).all()
    for row_id, body in rows:
        links = {}

        def task_mark(found: re.Match) -> str:
            mark = f"[link-{secrets.token_hex(12)}]"
            links[mark] = {"purpose": "task", "key": found["task"],
                           "path": f"/t/{found['task']}/{{token}}"}
            return mark

        def password_mark(found: re.Match) -> str:
            digest = hashlib.sha256(found["token"].encode()).hexdigest()
            key = conn.scalar(sa.select(invitation.c.key).where(invitation.c.token_hash == digest))
            if key is None:
                return REMOVED
            mark = f"[link-{secrets.token_hex(12)}]"
            links[mark] = {"purpose": "invitation", "key": key, "path": "/set-password/{token}"}
            return mark

        new_body = PASSWORD_LINK.sub(password_mark, TASK_LINK.sub(task_mark, body))
        if new_body != body:
            conn.execute(outbox.update().where(outbox.c.id == row_id).values(
                body_text=new_body, links=links))


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.body_text).where(
        outbox.c.body_text.like('%[link-%'))).all()
    for row_id, body in rows:
        conn.execute(outbox.update().where(outbox.c.id == row_id).values(
            body_text=MARK.sub(REMOVED, body)))
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('links')
        batch_op.drop_column('body_html')
