"""Response headers every page gets: no framing, no sniffing, no leaking links in Referer.

Task and invitation links carry tokens in their path, so the Referer policy matters here: a
partner clicking out of a task page must not hand the link to another site.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

PRIVATE_LINKS = frozenset({"public.task_link", "auth.set_password"})
CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


def _secure(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_user.is_authenticated or request.endpoint in PRIVATE_LINKS:
        # Private data: never from a shared cache. Public forms stay cacheable by the browser so
        # the back button brings an applicant's typing back.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_headers(app: Flask) -> None:
    app.after_request(_secure)
