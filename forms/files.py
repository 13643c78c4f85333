"""The form field of a schema property that takes an upload ("format": "file-id", x-file).

Its data is what the payload carries: the id of a stored_file row (a UUID string), or None. The
bytes never pass through the form: web/files.save_uploads stores the posted file before the
form is validated and puts the new id in the field, or a message when the file is refused. Once
stored, the page carries the id in a hidden input of the same name, so a mistake in another
field never costs the upload: the person sees "report.pdf (120 KB) — replace".
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal, gettext
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from wtforms import Field
from wtforms.validators import StopValidation
from wtforms.widgets import html_params

from domain.files import FileRules


@dataclass(frozen=True)
class KeptFile:
    """What the page shows of an upload already stored (web/files.py fills it in)."""
    id: str
    name: str
    size: int


def format_size(size: int) -> str:
    """Bytes as people read them, in the request's locale: 980 bytes, 120 KB, 9.5 MB."""
    if size < 1024:
        return gettext("%(n)s bytes", n=format_decimal(size))
    if size < 1024 * 1024:
        return gettext("%(n)s KB", n=format_decimal(round(size / 1024), format="#,##0"))
    return gettext("%(n)s MB", n=format_decimal(size / 1024 / 1024, format="#,##0.#"))


def rules_hint(rules: FileRules) -> str:
    return gettext("Accepted: %(types)s; up to %(size)s.", types=", ".join(rules.labels()),
                   size=format_size(rules.max_bytes))


class UploadWidget:
    def __call__(self, field: "UploadField", **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.pop("required", None)  # a kept upload satisfies the field without a new file
        parts = []
        if field.kept is not None:  # read out with the picker: it replaces this file
            kwargs["aria_describedby"] = " ".join(
                filter(None, (f"{kwargs['id']}-kept", kwargs.get("aria_describedby"))))
            parts.append(Markup('<input type="hidden" name="%s" value="%s">')
                         % (field.name, field.kept.id))
            replace = Markup('<label class="upload__replace" for="%s">%s</label>') % (
                kwargs["id"], gettext("replace"))
            parts.append(Markup('<p class="upload__kept" id="%s-kept">%s</p>') % (
                kwargs["id"], Markup(gettext("%(name)s (%(size)s) — %(replace)s",
                                             name=escape(field.kept.name),
                                             size=format_size(field.kept.size), replace=replace))))
        params = html_params(type="file", name=field.name, accept=field.rules.accept_attribute(),
                             **kwargs)
        parts.append(Markup(f"<input {params}>"))
        return Markup("").join(parts)


class UploadField(Field):
    """data: the stored file's id or None. `upload`: the file just posted, until it is stored."""

    widget = UploadWidget()

    def __init__(self, label=None, validators=None, *, rules: FileRules, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.rules = rules
        self.upload: FileStorage | None = None
        self.kept: KeptFile | None = None
        self.upload_error: str | None = None

    def process_data(self, value) -> None:
        self.data = value if isinstance(value, str) and value else None

    def process_formdata(self, valuelist) -> None:
        self.upload = next((v for v in valuelist if isinstance(v, FileStorage) and v.filename), None)
        self.data = next((v for v in valuelist if isinstance(v, str) and v.strip()), None)

    def pre_validate(self, form) -> None:
        if self.upload_error:
            raise StopValidation(self.upload_error)
