"""send_digests: each person with notifications waiting for the digest gets one mail listing them.

Run by DigestWorkflow (workflows/digest.py), which a Temporal Schedule starts once a day. The
run's key names its mails (`digest/<run key>/<user id>`) and is stamped on the rows it lists, in
the transaction that writes the outbox rows: a retried activity finds them stamped and only sends
what is still pending, so nobody gets a digest twice, and a row is in exactly one digest.
"""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio import activity

from activities.mail_render import one_line
from activities.outbox import Outbox, Recipient
from db.models import Notification, User
from domain.notifications import Delivery, DigestInput, DigestResult, NotificationKind
from settings import Settings

# The order of the digest's sections: what is mine or urgent first.
SECTION_ORDER = [NotificationKind.MY_TASK, NotificationKind.ESCALATION, NotificationKind.OVERDUE,
                 NotificationKind.REMINDER, NotificationKind.GROUP_TASK,
                 NotificationKind.APPLICATION_CLOSED]


class DigestActivities:
    def __init__(self, outbox: Outbox, settings: Settings) -> None:
        self._outbox = outbox
        self._settings = settings

    @activity.defn(name="send_digests")
    async def send_digests(self, inp: DigestInput) -> DigestResult:
        return await self._outbox.write_and_deliver(lambda s: self._write(s, inp.key))

    def _write(self, session: Session, run_key: str) -> tuple[DigestResult, list[str]]:
        prefix = f"digest/{run_key}/"
        # A retry: this run's mails are written already; the outbox sends those still pending.
        keys = list(session.scalars(select(Notification.digest_key).distinct().where(
            Notification.digest_key.like(f"{prefix}%"))))
        waiting = session.scalars(select(Notification).where(
            Notification.delivery == Delivery.DIGEST, Notification.digest_key.is_(None))
            .order_by(Notification.user_id, Notification.id)).all()
        users = {u.id: u for u in session.scalars(select(User).where(
            User.id.in_({n.user_id for n in waiting})))}
        mails = items = 0
        for user_id, rows in groupby(waiting, key=lambda n: n.user_id):
            rows = list(rows)
            user, key = users[user_id], f"{prefix}{user_id}"
            for row in rows:
                row.digest_key = key  # listed here, so in no later digest
            if not user.active:
                continue  # someone who left is mailed nothing; their rows are done with
            keys += self._outbox.enqueue(session, key, [Recipient(user.email, user.locale, user.time_zone)],
                                         "notification_digest", self._context(user, rows))
            mails, items = mails + 1, items + len(rows)
        session.flush()
        return DigestResult(mails, items), keys

    def _context(self, user: User, rows: list[Notification]) -> dict:
        base = self._settings.base_url
        sections = []
        for kind in SECTION_ORDER:
            listed = [{"template": n.template, "task_type": n.task_type,
                       "company": one_line(n.company), "reference": one_line(n.reference),
                       "title": one_line(n.title), "link": base + n.link if n.link else ""}
                      for n in rows if n.kind == kind]
            if listed:
                sections.append({"kind": str(kind), "items": listed})
        return {"name": user.name, "count": len(rows), "sections": sections,
                "link": f"{base}/notifications"}
