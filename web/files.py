"""Uploads in, downloads out: the web side of the file store (activities/files.py).

save_uploads stores the files of a posted schema form before the form is validated, so a
mistake in another field keeps the upload (the page carries its id from then on); a refused file
becomes a message on its own field. GET /files/<id> hands a stored file to the people allowed
to see it (the owner organisation's users, and staff) and to nobody else: anyone else gets 404,
whether the file exists or not. A file always leaves as an attachment, with the type its bytes
were found to be, never one a browser would render as a page.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, abort, current_app, send_file, url_for
from flask_babel import gettext
from flask_login import current_user

from activities.files import FileStore, store_upload
from db.models import StoredFile
from domain.files import SUPPORTED, Rejection, UploadRejected
from forms.files import KeptFile, UploadField, format_size
from web.database import db

log = logging.getLogger(__name__)
bp = Blueprint("files", __name__, url_prefix="/files")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def file_store() -> FileStore:
    return current_app.extensions["prm.files"]


def upload_fields(form) -> list[UploadField]:
    return [f for f in form if isinstance(f, UploadField)]


def _usable(row: StoredFile | None, field: UploadField, org_id: str | None) -> bool:
    """A kept id from the page is taken only for a file of the same owner that fits the field:
    a hidden input is whatever the browser sends, so it must not fetch another's file."""
    return (row is not None and row.org_id == org_id and row.purpose == field.rules.purpose
            and field.rules.accepts(row.content_type) == row.content_type
            and row.size <= field.rules.max_bytes)


def keep_stored(form, *, org_id: str | None) -> None:
    """Show the uploads a form already holds (prefilled or posted back) by name and size."""
    session = db()
    for field in upload_fields(form):
        row = session.get(StoredFile, field.data) if field.data and _UUID.match(field.data) else None
        if _usable(row, field, org_id):
            field.kept = KeptFile(row.id, row.original_name, row.size)
        elif field.data:
            field.data = None
            field.upload_error = gettext("The file chosen earlier is no longer available here. "
                                         "Choose it again.")


def save_uploads(form, *, org_id: str | None) -> bool:
    """Store each posted file (the owner: `org_id`; the uploader: the signed-in person, if any).
    True when every upload was kept; a refused one leaves a message on its field and the file
    that field held before, if any."""
    keep_stored(form, org_id=org_id)
    session, stored, ok = db(), False, True
    uploader = current_user.id if current_user.is_authenticated else None
    for field in upload_fields(form):
        if field.upload is None:
            continue
        try:
            row = store_upload(session, file_store(), field.upload.stream, field.upload.filename,
                               field.rules, org_id=org_id, uploaded_by_id=uploader)
        except UploadRejected as refused:
            field.upload_error, ok = rejection_message(refused, field), False
            continue
        field.data, field.kept, field.upload_error, stored = (
            row.id, KeptFile(row.id, row.original_name, row.size), None, True)
    if stored:
        session.commit()  # before validation: the page carries these ids whatever comes next
    return ok


def rejection_message(refused: UploadRejected, field: UploadField) -> str:
    rules = field.rules
    if refused.reason is Rejection.TOO_LARGE:
        return gettext("This file is larger than %(size)s. Choose a smaller file.",
                       size=format_size(rules.max_bytes))
    if refused.reason is Rejection.EMPTY:
        return gettext("This file is empty. Choose the file again.")
    if refused.reason is Rejection.MARKUP:
        return gettext("Web pages, SVG and XML files cannot be uploaded. Accepted: %(types)s.",
                       types=", ".join(rules.labels()))
    if refused.reason is Rejection.MACROS:
        return gettext("Office documents with macros cannot be uploaded. Save it without "
                       "macros (for example as .docx) and upload that.")
    found = SUPPORTED.get(refused.detected or "")
    if found is not None:
        return gettext("This file is a %(found)s file, which this field does not take. "
                       "Accepted: %(types)s.", found=found.label, types=", ".join(rules.labels()))
    return gettext("This file is not one of the accepted types (%(types)s). We check the file's "
                   "content, not its name.", types=", ".join(rules.labels()))


@dataclass(frozen=True)
class FileLink:
    name: str
    size: str
    url: str


def file_link(file_id: str) -> FileLink | None:
    """How a stored file is shown where a payload names it: its name, size and download link."""
    row = db().get(StoredFile, file_id) if isinstance(file_id, str) and _UUID.match(file_id) else None
    if row is None:
        return None
    return FileLink(row.original_name, format_size(row.size),
                    url_for("files.download", file_id=row.id))


def may_download(user, row: StoredFile) -> bool:
    return user.is_staff or (row.org_id is not None and user.org_id == row.org_id)


@bp.get("/<file_id>")
def download(file_id: str):
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    row = db().get(StoredFile, file_id) if _UUID.match(file_id) else None
    if row is None or not may_download(current_user, row):
        abort(404)  # never 403: that would tell a partner another organisation's file exists
    store = file_store()
    if not store.has(row.sha256):
        log.error("stored_file %s: its bytes %s are missing from %s", row.id, row.sha256, store.root)
        abort(404)
    mimetype = row.content_type if row.content_type in SUPPORTED else "application/octet-stream"
    response = send_file(store.path_of(row.sha256), mimetype=mimetype, conditional=True,
                         etag=row.sha256, last_modified=row.created_at, max_age=None)
    response.headers["Content-Disposition"] = content_disposition(row.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"  # revalidated: access may be revoked
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def content_disposition(name: str) -> str:
    """attachment, with an ASCII fallback and the real name as RFC 5987 filename* (UTF-8)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem, ext = _ascii(stem).strip(" ."), _ascii(ext).strip(" ._")
    fallback = (stem if stem.strip("_ ") else "download") + (f".{ext}" if ext else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9 ._()+-]", "_", text)
