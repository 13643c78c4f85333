"""Business records. Temporal owns where each process stands; these tables own the facts."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, TypeDecorator, UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware in and out on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


# Indexes a migration creates that the models cannot declare, all PostgreSQL's: the directory's
# trigram index over its stored search text (migrations 0006 and 0011, db/search_text.py), the
# partial indexes of the open staff tasks in the inbox's order, by group and by holder, and the
# index of each organisation's flag count (migration 0011). Schema comparisons (Alembic's
# autogenerate, tests/db) leave them out instead of proposing to drop them.
UNDECLARED_INDEXES = frozenset({"ix_organisation_search", "ix_task_open_staff",
                                "ix_task_open_claimed", "ix_organisation_flag_count"})


# Columns the database writes itself: the directory's stored search text on PostgreSQL
# (migration 0011, db/search_text.py), never set by the app.
UNDECLARED_COLUMNS = frozenset({("organisation", "search_text")})


def declared_in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name hook."""
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in UNDECLARED_COLUMNS
    return not (type_ == "index" and name in UNDECLARED_INDEXES)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    __tablename__ = "organisation"
    # The partners directory's orders (id breaks ties), which also serve its filters and counts
    # by stage. On PostgreSQL its search has a trigram index too, over a stored column the models
    # leave out (migration 0011, db/search_text.py).
    __table_args__ = (Index("ix_organisation_status_id", "status", "id"),
                      Index("ix_organisation_name_id", "name", "id"),
                      Index("ix_organisation_created_at_id", "created_at", "id"),
                      Index("ix_organisation_activated_at_id", "activated_at", "id"),
                      Index("ix_organisation_country_id", "country", "id"),
                      Index("ix_organisation_partner_type_id", "partner_type", "id"),
                      Index("ix_organisation_channel_manager_id", "channel_manager_user_id", "id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    normalised_name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100), default="")
    partner_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="in_review")
    workflow_id: Mapped[str] = mapped_column(String(100), unique=True)
    application: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    # The manager who owns this partner's steps: whoever decided its last staff step, holds one
    # opened for them, or was handed one (workflows/human_steps.py, db/task_rows.py).
    channel_manager_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", name="fk_organisation_channel_manager", use_alter=True),
        default=None)

    # The profile the partner keeps (the enablement plan's "complete your profile" task), and
    # its logo in the file store, kept for co-branding.
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    logo_file_id: Mapped[str | None] = mapped_column(
        ForeignKey("stored_file.id", name="fk_organisation_logo", use_alter=True), default=None)

    users: Mapped[list["User"]] = relationship(back_populates="organisation",
                                               foreign_keys="User.org_id")
    channel_manager: Mapped["User | None"] = relationship(foreign_keys=[channel_manager_user_id])


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), default=None, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(10), default="en")
    # Staff pages follow the browser's language until the person picks one (web/i18n.py).
    locale_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # IANA name ("Asia/Shanghai") dates are shown in; None until the browser first tells it.
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    # Changes whenever the password does: a LoginSession begun under another epoch is dead.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users",
                                                             foreign_keys=[org_id])


class Task(Base):
    """The human-task projection. The workflow owns the truth; this row is what inboxes read."""

    __tablename__ = "task"
    # The inbox's: its filter (status, group) and its order (due, created, id) lead, and the type
    # and holder ride along, so its counts and the ids of a page are read from the index alone;
    # so do the owner and the escalation, which decide whether the group sees a task (issue 9).
    # The staff home's "last week's decisions": closed tasks by when they closed, newest first,
    # the group riding along so staff tasks are told from partner tasks in the index.
    __table_args__ = (Index("ix_task_inbox", "status", "assignee_role", "due_at", "created_at", "id",
                            "task_type", "claimed_by_id", "assignee_user_id", "escalated"),
                      Index("ix_task_decided", "status", "completed_at", "assignee_role"))

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(100), index=True)
    task_type: Mapped[str] = mapped_column(String(40))
    form: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    assignee_role: Mapped[str | None] = mapped_column(String(30), default=None)
    assignee_org_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    assignee_email: Mapped[str | None] = mapped_column(String(254), default=None)
    # Partner tasks only their organisation's admins may do (an enablement plan's admin items);
    # None: any of its users. A partner task held by one person has assignee_user_id too.
    assignee_partner_role: Mapped[str | None] = mapped_column(String(30), default=None)
    # Staff tasks opened for their owner (domain/tasks.py TaskSpec): held by them at first, seen
    # by the group (assignee_role) only once escalated or given back.
    assignee_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", name="fk_task_assignee_user"), default=None)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime] = mapped_column()
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    completed_request_id: Mapped[str | None] = mapped_column(String(200), default=None)
    decision: Mapped[str | None] = mapped_column(String(40), default=None)

    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    organisation: Mapped[Organisation] = relationship()


class Agreement(Base):
    __tablename__ = "agreement"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    workflow_id: Mapped[str] = mapped_column(String(100))
    template: Mapped[str] = mapped_column(String(60))
    # The language the body is written in (the partner's, when the template has it): the PDF's
    # fonts follow it. The SHA-256 covers the body as written, in this language.
    locale: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="sent")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    signatures: Mapped[list["Signature"]] = relationship(order_by="Signature.signed_at")


class Signature(Base):
    __tablename__ = "signature"
    __table_args__ = (UniqueConstraint("agreement_id", "party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreement.id"))
    party: Mapped[str] = mapped_column(String(10))
    full_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column()
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    sha256: Mapped[str] = mapped_column(String(64))


class Invitation(Base):
    """A single-use, expiring set-password link. Only the token's hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    # A partner admin took it back before it was used (web/portal/team.py): the link says so.
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Who sent it: the activation (None) or a partner admin inviting a colleague.
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", name="fk_invitation_invited_by"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PasswordReset(Base):
    """A single-use, expiring reset link asked for on the forgot-password page. Only the token's
    hash is stored; the token is HMAC(secret, password_reset:key) (domain/tokens.py)."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class OutboxMail(Base):
    """Every mail passes through here first, keyed by the sending activity's idempotency key.

    A link with a token is not stored: the bodies hold a mark in its place, and `links` maps each
    mark to the token's purpose and key and the link's path (activities/outbox.py)."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(250))
    org_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What is attached: [{"filename", "content_type", "size"}], in order; the bytes are in
    # OutboxAttachment, read only for a mail that has some (most have none).
    attachments: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

    files: Mapped[list["OutboxAttachment"]] = relationship(order_by="OutboxAttachment.position")


class OutboxAttachment(Base):
    """A file a mail carries, written with its mail row: a retry sends the same bytes."""

    __tablename__ = "outbox_attachment"
    __table_args__ = (UniqueConstraint("mail_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("outbox_mail.id"))
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class TimelineEvent(Base):
    """The audit trail and the application's timeline: what happened, who did it, when."""

    __tablename__ = "timeline_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    org_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    workflow_id: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(1000), default="")
    actor: Mapped[str] = mapped_column(String(200), default="system")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    """Server-side record of a signed-in browser: logout deletes it, so a copied cookie dies too."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")


class NotificationPreference(Base):
    """A staff user's choice for one kind of notification (domain/notifications.py); a kind with
    no row takes the default, so a new kind needs no data migration."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(10))


class Notification(Base):
    """What a staff user was told about, whatever their mail preference: the header's count and
    list read it, and a row with delivery "digest" and no digest_key yet waits for the next digest.

    Keyed by the sending activity's idempotency key and the user, so a retry writes it once; the
    delivery chosen the first time is kept, so a retry sends (or not) exactly what it sent first."""

    __tablename__ = "notification"
    # The header's count (a user's unseen) on every page; the digest's pending rows.
    __table_args__ = (Index("ix_notification_user_seen", "user_id", "seen_at"),
                      Index("ix_notification_digest", "delivery", "digest_key", "user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(250), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))
    delivery: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(60))
    org_id: Mapped[str | None] = mapped_column(String(36), default=None)
    task_id: Mapped[str | None] = mapped_column(String(160), default=None)
    task_type: Mapped[str] = mapped_column(String(40), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(300), default="")   # a path under the base URL
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None] = mapped_column(default=None)
    digest_key: Mapped[str | None] = mapped_column(String(200), default=None)


class StoredFile(Base):
    """An upload's metadata (activities/files.py, web/files.py). The bytes live once per content,
    under the file store's directory by SHA-256; the name the uploader gave is kept only here, for
    the download's Content-Disposition, and never reaches the filesystem."""

    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)   # a UUID: links name it
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The organisation it belongs to (a partner's evidence, its logo); None for staff files.
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), default=None,
                                               index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    purpose: Mapped[str] = mapped_column(String(40))                # evidence, logo, ...
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))         # sniffed, never the browser's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EnablementPlan(Base):
    """One partner's enablement, as its workflow last wrote it: the board reads this row alone
    (joined to its organisation), so a page of 10,000 partners costs one indexed query."""

    __tablename__ = "enablement_plan"
    __table_args__ = (Index("ix_enablement_plan_stage_org", "stage", "org_id"),
                      Index("ix_enablement_plan_overdue_org", "overdue_count", "org_id"),
                      Index("ix_enablement_plan_next_due_org", "next_due_at", "org_id"),
                      Index("ix_enablement_plan_percent_org", "percent_done", "org_id"))

    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(100), unique=True)
    plan_id: Mapped[str] = mapped_column(String(40))
    plan_version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))                 # a stage key of the plan
    required_total: Mapped[int] = mapped_column(Integer, default=0)
    required_done: Mapped[int] = mapped_column(Integer, default=0)
    percent_done: Mapped[int] = mapped_column(Integer, default=0)  # of the required items, 0-100
    overdue_count: Mapped[int] = mapped_column(Integer, default=0)
    next_due_at: Mapped[datetime | None] = mapped_column(default=None)
    next_item_key: Mapped[str | None] = mapped_column(String(60), default=None)
    next_owner: Mapped[str] = mapped_column(String(200), default="")  # a person's name or a role
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped by every write: the workflow sends its own count, and a stale retry (a lower one)
    # never overwrites a newer picture.
    revision: Mapped[int] = mapped_column(Integer, default=0)

    organisation: Mapped[Organisation] = relationship()


class EnablementItem(Base):
    """One task of one partner's plan (locked, open, done, waived...), for the plan pages. The
    actionable step itself is a Task row, like every human step; this row outlives it."""

    __tablename__ = "enablement_item"
    __table_args__ = (UniqueConstraint("org_id", "item_key"),)

    id: Mapped[str] = mapped_column(String(160), primary_key=True)  # <workflow id>--<item key>
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    workflow_id: Mapped[str] = mapped_column(String(100))
    item_key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))
    # Plan items take their words from the plan definition, in the reader's language; an ad-hoc
    # item (a manager's) has only the title it was given.
    title: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(30))
    owner: Mapped[str] = mapped_column(String(30))                 # partner_admin, partner_user, channel_manager
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20))                # domain/enablement.py ItemStatus
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"),
                                                         default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    task_id: Mapped[str | None] = mapped_column(String(160), default=None)  # its open step
    round: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_by: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")    # a waiver's or return's reason
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the accepted submission
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignee: Mapped[User | None] = relationship()


class Certification(Base):
    """A certification held by one person of a partner. A renewal is a new row; the old one
    reads renewed. Eligibility (domain/eligibility.py) reads the valid ones."""

    __tablename__ = "certification"
    __table_args__ = (UniqueConstraint("user_id", "cert_key", "issued_at"),
                      Index("ix_certification_org_status", "org_id", "status", "expires_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    cert_key: Mapped[str] = mapped_column(String(60))              # from the plan definition
    name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="valid")  # valid, renewed, lapsed
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    workflow_id: Mapped[str] = mapped_column(String(100))

    holder: Mapped[User] = relationship()
