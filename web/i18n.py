"""Locale choice and locale-aware formatting for pages.

Order: an explicit ?lang= (remembered in the session), then the signed-in user's locale, then the
browser's Accept-Language. Chinese in any regional form maps to zh_Hans, the one Chinese catalog.

A GET only chooses what this browser shows. The language switcher is a small POST form (CSRF
protected, POST /language): only that stores a signed-in person's choice on their account.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from flask import abort, g, redirect, request, session
from flask_babel import Babel, format_timedelta, get_locale, get_translations
from flask_login import current_user

from db.models import User
from web.database import db

SUPPORTED = ("en", "zh_Hans")
LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文"}


def normalise(tag: str | None) -> str | None:
    """'zh-CN', 'zh_hans', 'ZH' -> 'zh_Hans'; 'en-GB' -> 'en'; anything else -> None."""
    if not tag:
        return None
    base = tag.replace("-", "_").split("_", 1)[0].lower()
    if base == "zh":
        return "zh_Hans"
    return "en" if base == "en" else None


def select_locale() -> str:
    chosen = normalise(request.args.get("lang"))
    if chosen:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in SUPPORTED:
        return session["lang"]
    if current_user and current_user.is_authenticated and normalise(current_user.locale):
        return normalise(current_user.locale)
    for tag, _quality in request.accept_languages:  # already sorted by quality
        if normalise(tag):
            return normalise(tag)
    return "en"


def language_choices() -> list[tuple[str, str]]:
    """(code, name) for the language switcher's buttons."""
    return [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED]


def this_page() -> str:
    """Where the switcher returns to: this page, without a ?lang= that would override the choice."""
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
    return f"{request.path}?{query}" if query else request.path


def choose_language():
    """POST /language: this browser shows the language from now on, and a signed-in person keeps
    it on every device and in their mail."""
    from web.auth import safe_next

    chosen = normalise(request.form.get("lang"))
    if chosen is None:
        abort(400)
    session["lang"] = chosen
    if current_user.is_authenticated and current_user.locale != chosen:
        session_ = db()
        user = session_.get(User, current_user.id)
        if user is not None:
            user.locale = chosen
            session_.commit()
    return redirect(safe_next(request.form.get("next")) or "/")


def date_locale() -> Locale:
    """The page's language in the reader's regional form, for dates and times: an en-GB browser
    reads "27 Nov 2026, 03:56:40", not the US "Nov 27, 2026, 3:56:40 AM". English only: the one
    Chinese catalog is Simplified, and a zh-TW browser's dates would come out in Traditional."""
    page = get_locale()
    if page is None or page.language != "en":
        return page
    found = g.get("date_locale")
    if found is None:
        found = g.date_locale = _regional_english(page)
    return found


def _regional_english(page: Locale) -> Locale:
    for tag, _quality in request.accept_languages:
        if normalise(tag) != "en":
            continue
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            return page
    return page


def when(value: datetime | None, style: str = "medium") -> str:
    """Shown in UTC and labelled so: partners and managers sit in different time zones."""
    if not value:
        return "—"
    return f"{babel_dates.format_datetime(value, style, tzinfo=timezone.utc, locale=date_locale())} UTC"


def relative(value: datetime | None) -> str:
    """'in 2 days' / '3 hours ago' in the page's language."""
    if value is None:
        return ""
    delta = value - datetime.now(timezone.utc)
    return format_timedelta(delta, add_direction=True, granularity="minute")


def page_translations():
    """The catalog for templates' _(): Flask-Babel looks it up again on every call (context
    lookups and a locale-to-string conversion, about 6 µs) and a page makes dozens, so it is kept
    for the request, with the locale it belongs to (a force_locale block still gets its own)."""
    locale = get_locale()
    kept = g.get("page_translations")
    if kept is None or kept[0] is not locale:
        kept = g.page_translations = (locale, get_translations())
    return kept[1]


def init_i18n(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # Flask-Babel's own, with the catalog looked up once
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.add_url_rule("/language", "language", choose_language, methods=["POST"])
    app.add_template_filter(when, "when")
    app.add_template_filter(relative, "relative")
    app.add_template_global(language_choices, "language_choices")
    app.add_template_global(this_page, "this_page")
    app.context_processor(lambda: {"current_locale": str(get_locale() or "en")})
