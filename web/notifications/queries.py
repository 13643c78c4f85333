"""The notification rows a staff user reads and marks seen, and their saved preferences."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from db.models import Notification, NotificationPreference, utcnow
from domain.notifications import DEFAULT_DELIVERY, NotificationKind

LIST_LIMIT = 50  # the newest; older ones are in the digests and the mail that went out


def unseen_count(session: Session, user_id: int) -> int:
    # Every page of a staff user asks this: it is read from ix_notification_user_seen alone.
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.seen_at.is_(None))) or 0


def latest(session: Session, user_id: int) -> list[Notification]:
    """Unseen first, then the newest seen ones."""
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id)
                                .order_by(Notification.seen_at.is_not(None), Notification.id.desc())
                                .limit(LIST_LIMIT)))


def mark_seen(session: Session, user_id: int, notification_id: int | None = None) -> None:
    """One of the user's notifications, or all of them; another person's id changes nothing."""
    condition = [Notification.user_id == user_id, Notification.seen_at.is_(None)]
    if notification_id is not None:
        condition.append(Notification.id == notification_id)
    session.execute(update(Notification).where(*condition).values(seen_at=utcnow()))


def mark_seen_about(session: Session, user_id: int, task_id: str) -> None:
    """The user's unseen notifications about one task. Committed at once: the page that follows
    may fail or roll back for reasons of its own."""
    result = session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.task_id == task_id,
        Notification.seen_at.is_(None)).values(seen_at=utcnow()))
    if result.rowcount:
        session.commit()


def chosen(session: Session, user_id: int) -> dict[str, str]:
    return dict(session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                .where(NotificationPreference.user_id == user_id)).all())


def save_choices(session: Session, user_id: int, choices: dict[str, str]) -> None:
    """Only choices that differ from the default are stored: a default changed later applies to
    everyone who never chose otherwise."""
    session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user_id))
    for kind in NotificationKind:
        if choices[kind] != DEFAULT_DELIVERY[kind]:
            session.add(NotificationPreference(user_id=user_id, kind=kind.value,
                                               delivery=choices[kind]))
