"""Locale choice and locale-aware formatting for pages.

Order: an explicit ?lang= (remembered in the session), then the language the signed-in person
chose (a partner's account language counts as chosen: it is the one they applied in), then the
browser's Accept-Language, then the account's language. So staff pages follow the browser until
the person picks a language. Chinese in any regional form maps to zh_Hans, the one Chinese catalog.

Dates: the `when` and `relative` filters, domain/dates.py's formats in the reader's zone
(web/time_zone.py), the same helper the mail uses.

A GET only chooses what this browser shows. The language switcher is a small POST form (CSRF
protected, POST /language): only that stores a signed-in person's choice on their account.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import abort, g, redirect, request, session
from flask_babel import Babel, get_locale, get_translations, gettext
from flask_login import current_user

from db.models import User
from domain.dates import format_relative, format_when
from web.database import db
from web.time_zone import init_time_zone, reader_zone

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
    signed_in = current_user and current_user.is_authenticated
    stored = normalise(current_user.locale) if signed_in else None
    if stored and (current_user.locale_chosen or current_user.is_partner):
        return stored
    return browser_language() or stored or "en"


def browser_language() -> str | None:
    """The best supported language of Accept-Language, None when it names none of ours."""
    for tag, _quality in request.accept_languages:  # already sorted by quality
        if normalise(tag):
            return normalise(tag)
    return None


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
    if current_user.is_authenticated:
        store_language(current_user.id, chosen)
    return redirect(safe_next(request.form.get("next")) or "/")


def store_language(user_id: int, chosen: str | None) -> None:
    """The person's own choice, kept on the account (pages and mail); None: follow the browser
    again (the account keeps the language its mail goes in until the next sign-in)."""
    session_ = db()
    user = session_.get(User, user_id)
    if user is None:
        return
    if chosen is None:
        user.locale_chosen = False
    else:
        user.locale, user.locale_chosen = chosen, True
    session_.commit()


def when(value: datetime | None, style: str = "medium") -> str:
    """'3 Dec 2026, 19:30 Shanghai time' in the reader's zone and the page's language; '—' for
    no value. style "medium" (the default) and "short" read the same; "date": the date only."""
    return format_when(value, str(get_locale() or "en"), reader_zone(), style)


def relative(value: datetime | None) -> str:
    """'in 2 days' / '3 hours ago' in the page's language ('' for no value)."""
    return format_relative(value, str(get_locale() or "en"))


def colon(label: str) -> str:
    """'Due' -> 'Due:' / '截止时间：': the colon each language writes after a label."""
    return gettext("%(label)s:", label=label)


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
    app.add_template_filter(colon, "colon")
    init_time_zone(app)
    app.add_template_global(language_choices, "language_choices")
    app.add_template_global(this_page, "this_page")
    app.context_processor(lambda: {"current_locale": str(get_locale() or "en")})
