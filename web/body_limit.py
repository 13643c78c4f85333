"""A chunked request body is held to MAX_CONTENT_LENGTH as a body of declared length is.

Werkzeug refuses a declared Content-Length over the limit before reading a byte (413). A chunked
body has no length: Werkzeug reads it up to the limit and then stops without a word, so the form
is parsed from the first megabyte and the request fails on truncated fields (400) instead of
saying it was too large. Here such a body is read, before the app sees it, up to one byte past
the limit and no further. Within the limit it reaches the app as a body of known length; past it,
the request declares the length read so far, so Werkzeug answers 413 as it does for any body over
the limit. The rest is never read: the server drops the connection instead (gunicorn drains at
most 64 KiB of an unread body before closing).
"""

from __future__ import annotations

import io

from flask import Flask
from werkzeug.http import parse_set_header

_READ = 64 * 1024


def _read_at_most(stream, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        part = stream.read(min(_READ, size - len(data)))
        if not part:
            break
        data += part
    return bytes(data)


class ChunkedBodyLimit:
    """WSGI middleware around the Flask app's own wsgi_app (so Flask's error pages still apply)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ, start_response):
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and "chunked" in parse_set_header(environ.get("HTTP_TRANSFER_ENCODING")):
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]  # the body is now one of known length
        return self.wsgi_app(environ, start_response)


def init_body_limit(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app)
