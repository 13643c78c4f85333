"""Account mail: what the web app asks the worker to send (welcome, new invitation link, reset).

The web app never talks SMTP: it starts an AccountMailWorkflow with one of these, and the worker
sends it through the outbox. A link in such a mail is HMAC(secret, purpose:link_key)
(domain/tokens.py), recomputed by the activity: the token itself is in no workflow history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

INVITATION_PURPOSE = "invitation"          # /set-password/<token>, single use (invitation table)
PASSWORD_RESET_PURPOSE = "password_reset"  # /reset-password/<token>, single use (password_reset)


@dataclass(frozen=True)
class LinkSpec:
    purpose: str   # the token's HMAC purpose
    key: str       # the row's key (invitation.key, password_reset.key): the token's HMAC key
    path: str      # the page, ending in "/": the link is base_url + path + token


@dataclass(frozen=True)
class AccountMailInput:
    key: str                  # the mail's idempotency key: one mail per key, however often sent
    to: str
    template: str
    locale: str = "en"
    context: dict[str, Any] = field(default_factory=dict)
    link: LinkSpec | None = None  # put into the context as "link" by the sending activity
    time_zone: str | None = None  # the account's, for the mail's dates (None: the default)


def account_mail_workflow_id(mail_key: str) -> str:
    """Keys read like paths ("welcome/user-7"); ids keep to characters safe in a URL path segment
    and a file name (the ops pages link them, saved histories are named by them)."""
    return f"account-mail-{mail_key.replace('/', ':')}"


def welcome_mail_key(user_id: int, created_at: datetime) -> str:
    """One welcome per account, however many times a password is set. The account's creation
    time goes in too: a fresh app database numbers its users from 1 again, and Temporal still
    remembers the old ids' mail for its retention period."""
    return f"welcome/user-{user_id}-{int(created_at.timestamp())}"
