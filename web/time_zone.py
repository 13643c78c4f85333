"""Whose clock a page's dates follow: the signed-in person's zone, else the browser's, else the
program's default (settings.py DEFAULT_TIME_ZONE, UTC unless set).

The browser tells its zone through a cookie that web/static/time_zone.js sets on every page
(Intl.DateTimeFormat().resolvedOptions().timeZone): a server cannot learn it any other way. The
first signed-in request that carries it stores it on the account, so mail, which no browser
reads first, goes out in that zone too; after that the account's zone wins, and the person
changes it on the settings page (web/account_settings.py). A page seen before the cookie exists
(the very first one in a new browser) shows the default zone, named, so it is never misread.
"""

from __future__ import annotations

from urllib.parse import unquote

from flask import current_app, g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import update

from db.models import User
from domain.dates import zone
from web.database import db

COOKIE = "prm_tz"


def browser_zone() -> str | None:
    """The zone the browser's script reported, when it is a real IANA zone."""
    name = unquote(request.cookies.get(COOKIE, ""))[:64]
    return name if zone(name) else None


def reader_zone() -> str:
    """The IANA name of the zone this request's dates are shown in (kept for the request)."""
    if not has_request_context():  # a history read for a test, say: the program's zone
        return current_app.extensions["prm.settings"].default_time_zone if has_app_context() else "UTC"
    found = g.get("reader_zone")
    if found is None:
        found = g.reader_zone = _reader_zone()
    return found


def _reader_zone() -> str:
    if current_user.is_authenticated and zone(current_user.time_zone):
        return current_user.time_zone
    return browser_zone() or current_app.extensions["prm.settings"].default_time_zone


def _remember_browser_zone() -> None:
    """The account's zone, the first time a signed-in request brings the browser's. Only where
    none is stored (the UPDATE says so too: two tabs at once write it once)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    if current_user.time_zone:
        return
    found = browser_zone()
    if found is None:
        return
    session = db()
    session.execute(update(User).where(User.id == current_user.id, User.time_zone.is_(None))
                    .values(time_zone=found))
    session.commit()


def init_time_zone(app) -> None:
    app.before_request(_remember_browser_zone)
