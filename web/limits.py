"""Abuse limits (Flask-Limiter), counted where every web process sees the same numbers.

Each app gets its own Limiter on RATELIMIT_STORAGE_URI: memory:// counts in one process only
(right for `make run`, which starts one web process); compose points every web process at Redis.
All limits are here, in one table, keyed by endpoint, so a reader sees what is limited and how:

- sign-in: failed attempts per account and per client address (a correct password counts
  nothing; once over, every attempt waits, and the page says how long and offers a reset);
- applications: submitted ones per client address and per contact address (each mails the
  contact and every channel manager);
- account mail (password reset, a new invitation link): requests per client address and per
  recipient;
- a partner admin's invitations of colleagues (web/portal/team.py): sent ones per organisation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, Response, current_app, g, request
from flask_babel import format_timedelta, gettext
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user


def _form_value(name: str) -> Callable[[], str]:
    """The form field, normalised as the view does (an address in any case is one address)."""
    return lambda: (request.form.get(name) or "").strip().lower()


def _link_token() -> str:
    return (request.view_args or {}).get("token", "")


def _organisation() -> str:
    """The signed-in partner's organisation: its admins share one allowance."""
    return f"org:{current_user.org_id}"


def _sign_in_failed(_response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


def _submitted(response: Response) -> bool:
    return response.status_code < 400


@dataclass(frozen=True)
class Rule:
    limit: str
    key: Callable[[], str] = get_remote_address
    counts: Callable[[Response], bool] | None = None  # None: every POST counts


RULES: dict[str, tuple[Rule, ...]] = {
    "auth.login": (Rule("5 per 15 minutes", _form_value("email"), _sign_in_failed),
                   Rule("20 per 15 minutes", counts=_sign_in_failed)),
    "public.apply": (Rule("10 per hour", counts=_submitted),
                     Rule("3 per day", _form_value("contact_email"), _submitted)),
    "auth.forgot_password": (Rule("10 per hour"), Rule("3 per hour", _form_value("email"))),
    # Per link: an expired link names its one recipient.
    "auth.renew_invitation": (Rule("10 per hour"), Rule("3 per hour", _link_token)),
    # Each mails a link to an address the admin typed: enough for a team, not for a mail cannon.
    "portal.team_invite": (Rule("20 per hour", _organisation, _submitted),),
    "portal.team_resend": (Rule("20 per hour", _organisation, _submitted),),
}

# endpoint -> view(wait) that answers a request over its limit with its own page.
_breach_pages: dict[str, Callable[[str], object]] = {}


def breach_page(endpoint: str):
    def register(render: Callable[[str], object]):
        _breach_pages[endpoint] = render
        return render
    return register


def init_limits(app: Flask) -> Limiter:
    """After the blueprints: each rule wraps its endpoint's view in this app only."""
    settings = app.extensions["prm.settings"]
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_uri)
    app.config.setdefault("RATELIMIT_ENABLED", not settings.ratelimit_disabled)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "prm")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis away: count per process for a while instead of failing every sign-in.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app)
    for endpoint, rules in RULES.items():
        view = app.view_functions[endpoint]
        for rule in rules:
            view = limiter.limit(rule.limit, key_func=rule.key, deduct_when=rule.counts,
                                 methods=["POST"])(view)
        app.view_functions[endpoint] = view
    app.extensions["prm.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _over_the_limit)
    return limiter


def wait_text() -> str:
    """How long until the breached limit lets a request through, in whole minutes, in the page's
    language ("14 minutes")."""
    current = current_app.extensions["prm.limiter"].current_limit
    # reset_at is rounded up a second past the moment the window frees a request.
    seconds = max(0.0, current.reset_at - 1 - time.time()) if current is not None else 60.0
    minutes = max(1, math.ceil(seconds / 60))
    return format_timedelta(timedelta(minutes=minutes), granularity="minute", threshold=10_000)


def _over_the_limit(_exc: RateLimitExceeded):
    from web.errors import error_page

    wait = wait_text()
    render = _breach_pages.get(request.endpoint or "")
    if render is not None:
        return render(wait)
    return error_page(429, gettext("Too many requests came from here. Please wait %(wait)s and "
                                   "try again.", wait=wait), gettext("Please wait a moment"))
