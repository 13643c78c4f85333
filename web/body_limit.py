"""A chunked request body is held to MAX_CONTENT_LENGTH as a body of declared length is.

Werkzeug refuses a declared Content-Length over the limit before reading a byte (413). A chunked
body has no length: Werkzeug reads it up to the limit and then stops without a word, so the form
is parsed from the first megabyte and the request fails on truncated fields (400) instead of
saying it was too large. Here such a body is read, before the app sees it, up to one byte past
the limit and no further. Within the limit it reaches the app as a body of known length; past it,
the request declares the length read so far, so Werkzeug answers 413 as it does for any body over
the limit. The rest is never read: the server drops the connection instead (gunicorn drains at
most 64 KiB of an unread body before closing).

Two limits: a form with files (multipart/form-data) may be as large as its uploads need
(MAX_UPLOAD_LENGTH, raised by itself to what the largest form's file fields allow plus 1 MiB for
its other fields, so a file over its field's limit gets that field's message, never a 413); any
other body keeps the small MAX_CONTENT_LENGTH, since Werkzeug reads a url-encoded body whole into
memory. Werkzeug spools the file parts of a multipart body to disk, and so does this middleware
with a chunked body past 1 MiB.
"""

from __future__ import annotations

import tempfile

from flask import Flask, Request, current_app
from werkzeug.http import parse_options_header, parse_set_header
from werkzeug.wsgi import ClosingIterator

from definitions.loader import FORMS, form_schema
from domain.files import FileRules, is_file_field

_READ = 64 * 1024
_IN_MEMORY = 1024 * 1024
FORM_ROOM = 1024 * 1024  # a form's fields beside its files
FORM_LIMIT = "PRM_FORM_BODY_LIMIT"


def _read_at_most(stream, size: int):
    """Up to `size` bytes of `stream`, in a file that stays in memory only while it is small."""
    body, read = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY), 0
    while read < size:
        part = stream.read(min(_READ, size - read))
        if not part:
            break
        body.write(part)
        read += len(part)
    body.seek(0)
    return body, read


def is_multipart(content_type: str | None) -> bool:
    return parse_options_header(content_type or "")[0] == "multipart/form-data"


def limit_for(config, content_type: str | None) -> int | None:
    """The body limit of a request of this content type (see the module's docstring)."""
    if is_multipart(content_type):
        return config.get("MAX_CONTENT_LENGTH")
    return config.get(FORM_LIMIT, config.get("MAX_CONTENT_LENGTH"))


class LimitedRequest(Request):
    """Flask's request, its body limit chosen by content type before anything reads the body."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        return limit_for(current_app.config, self.content_type) if current_app else None

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def upload_limit(configured: int) -> int:
    """The multipart limit: the setting, or what the most demanding form needs if that is more."""
    needed = 0
    for path in FORMS.glob("*.schema.json"):
        schema = form_schema(path.name.removesuffix(".schema.json"))
        files = [FileRules.of(p).max_bytes for p in schema.get("properties", {}).values()
                 if is_file_field(p)]
        if files:
            needed = max(needed, sum(files) + FORM_ROOM)
    return max(configured, needed)


class ChunkedBodyLimit:
    """WSGI middleware around the Flask app's own wsgi_app (so Flask's error pages still apply)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ, start_response):
        limit = limit_for(self.app.config, environ.get("CONTENT_TYPE"))
        if limit is not None and "chunked" in parse_set_header(environ.get("HTTP_TRANSFER_ENCODING")):
            body, read = _read_at_most(environ["wsgi.input"], limit + 1)
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(read)
            del environ["HTTP_TRANSFER_ENCODING"]  # the body is now one of known length
            return ClosingIterator(self.wsgi_app(environ, start_response), body.close)
        return self.wsgi_app(environ, start_response)


def init_body_limit(app: Flask, *, form_limit: int, upload_limit_setting: int) -> None:
    app.request_class = LimitedRequest
    app.config[FORM_LIMIT] = form_limit
    app.config["MAX_CONTENT_LENGTH"] = upload_limit(upload_limit_setting)
    app.wsgi_app = ChunkedBodyLimit(app)
