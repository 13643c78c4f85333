"""Friendly error pages: a title, a sentence saying what to do, never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.temporal_bridge import TemporalUnavailable

PAGES = {
    400: (_l("Something in that request was not right"),
          _l("Check the form and try again. If it keeps happening, reload the page first.")),
    403: (_l("You do not have access to this page"),
          _l("Your account does not have the role this page needs. Ask your program lead if you think it should.")),
    404: (_l("Page not found"),
          _l("The link may be mistyped, or the page may belong to another organisation.")),
    405: (_l("That action is not available here"),
          _l("Go back to the previous page and use its buttons.")),
    409: (_l("This could not be done"),
          _l("Someone or something changed this item before your request arrived.")),
    410: (_l("This link is no longer valid"),
          _l("It has been used or has expired.")),
    413: (_l("That upload is too large"),
          _l("The request was larger than this site accepts. Shorten long texts or attach smaller files.")),
    500: (_l("Something went wrong on our side"),
          _l("The problem has been logged. Please try again in a few minutes.")),
    503: (_l("The service is busy or briefly unavailable"),
          _l("Nothing was lost. Please try again in a moment.")),
}


def error_page(code: int, message: str | None = None, title: str | None = None):
    default_title, default_message = PAGES.get(code) or PAGES[500 if code >= 500 else 400]
    return render_template("errors/error.html", code=code, title=title or default_title,
                           message=message or default_message), code


def _handle_http(exc: HTTPException):
    code = exc.code or 500
    # A description passed to abort() on purpose is meant for people; Werkzeug's stock ones are not.
    custom = exc.description if exc.description != type(exc).description else None
    return error_page(code, custom)


def _handle_csrf(_exc: CSRFError):
    return error_page(400, _l("This form has expired or was sent from another page, so nothing was "
                              "changed. Reload the page and send it again."),
                      _l("Please send the form again"))


def _handle_temporal_down(exc: TemporalUnavailable):
    current_app.logger.error("Temporal unavailable: %s", exc)
    return error_page(503)


def _handle_unexpected(exc: Exception):
    # Flask has already logged the exception with its traceback; the person sees a calm page.
    return error_page(500)


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(TemporalUnavailable, _handle_temporal_down)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(500, _handle_unexpected)
