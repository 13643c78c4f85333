"""What an upload may be, and the name it is shown under: pure rules of the file store.

A form field that takes a file says so in its JSON Schema (`"format": "file-id"`) with an
`x-file` object: its purpose, the content types it accepts and its size limit. The types are
checked against the bytes (activities/file_types.py), never against the name or the browser's
claim. Only types that are safe to hand back as an attachment can be allowed at all: HTML, SVG
and XML are not on the list, so no definition can ask for them.

The name the uploader gave is kept for display and for the download's Content-Disposition only;
it never reaches the filesystem (bytes are stored by SHA-256).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Any

MB = 1000 * 1000
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # "10 MB" as the convention writes it (10485760)


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str                  # what a person calls it ("PDF"): the same in every language
    extensions: tuple[str, ...]  # the first is the one a download gets when the name lacks one


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Every type a definition may allow: each one a browser will not run when sent as an
# attachment with nosniff. Ordered as hints list them.
SUPPORTED: dict[str, FileType] = {t.mime: t for t in (
    FileType("application/pdf", "PDF", (".pdf",)),
    FileType("image/png", "PNG", (".png",)),
    FileType("image/jpeg", "JPEG", (".jpg", ".jpeg", ".jpe", ".jfif")),
    FileType("image/gif", "GIF", (".gif",)),
    FileType("image/webp", "WebP", (".webp",)),
    FileType("text/plain", "TXT", (".txt", ".text", ".log", ".md")),
    FileType("text/csv", "CSV", (".csv",)),
    FileType(DOCX, "DOCX", (".docx",)),
    FileType(XLSX, "XLSX", (".xlsx",)),
    FileType(PPTX, "PPTX", (".pptx",)),
)}

DEFAULT_TYPES: dict[str, tuple[str, ...]] = {
    "evidence": ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
                 "text/plain", DOCX, XLSX, PPTX),
    "logo": ("image/png", "image/jpeg", "image/webp"),
}
TEXT_TYPES = frozenset({"text/plain", "text/csv"})


class Rejection(str, Enum):
    """Why an upload was refused; the web layer words it for people (web/files.py)."""
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    MARKUP = "markup"            # HTML, SVG or XML: never served back, whatever the definition says
    MACROS = "macros"            # an Office document carrying macros
    GONE = "gone"                # a kept upload's id that is not (or no longer) usable here


class UploadRejected(Exception):
    def __init__(self, reason: Rejection, detected: str | None = None) -> None:
        super().__init__(f"{reason.value}" + (f" ({detected})" if detected else ""))
        self.reason = reason
        self.detected = detected


class FileRuleError(ValueError):
    """A definition's x-file asks for something the store will not do."""


@dataclass(frozen=True)
class FileRules:
    purpose: str
    types: tuple[str, ...]
    max_bytes: int

    @classmethod
    def of(cls, prop: dict[str, Any]) -> "FileRules":
        """The rules of a schema property with "format": "file-id" (defaults per purpose)."""
        spec = prop.get("x-file") or {}
        purpose = spec.get("purpose", "evidence")
        types = tuple(spec.get("types") or DEFAULT_TYPES.get(purpose) or DEFAULT_TYPES["evidence"])
        unknown = [t for t in types if t not in SUPPORTED]
        if unknown:
            raise FileRuleError(f"x-file types {unknown} are not supported; the store accepts only "
                                f"{sorted(SUPPORTED)}")
        max_bytes = int(spec.get("max_bytes", DEFAULT_MAX_BYTES))
        if max_bytes <= 0:
            raise FileRuleError(f"x-file max_bytes must be positive, not {max_bytes}")
        return cls(purpose, types, max_bytes)

    def accepts(self, detected: str) -> str | None:
        """The type to record for content detected as `detected`, or None when not allowed.
        Text is text: a CSV is accepted where plain text is, and plain text where CSV is."""
        if detected in self.types:
            return detected
        if detected in TEXT_TYPES:
            return next((t for t in self.types if t in TEXT_TYPES), None)
        return None

    def labels(self) -> list[str]:
        return list(dict.fromkeys(SUPPORTED[t].label for t in self.types))

    def accept_attribute(self) -> str:
        """The file input's `accept`: a hint for the browser's picker, never a check."""
        return ",".join([*self.types, *(e for t in self.types for e in SUPPORTED[t].extensions)])


def is_file_field(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "string" and prop.get("format") == "file-id"


NAME_MAX = 120
_STRIPPED = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # controls, bidi overrides, zero-width...


def display_name(raw: str | None, content_type: str) -> str:
    """The uploader's name for the file, made safe to show and to send in a header.

    Only the last path part is kept ("../../x" and "C:\\x" lose their folders), control and
    invisible characters (NUL, RTL overrides, zero-width) go, whitespace collapses, leading and
    trailing dots and spaces go, the length is capped keeping the extension. The extension must
    fit the detected type: "invoice.html" holding a PNG becomes "invoice.html.png", so a saved
    download never opens as something it is not.
    """
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _STRIPPED)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = " ".join(text.split()).strip(" .")
    kind = SUPPORTED.get(content_type)
    if kind is not None:
        stem, dot, ext = text.rpartition(".")
        if not (dot and stem and f".{ext.lower()}" in kind.extensions):
            text = f"{text or 'file'}{kind.extensions[0]}"
    text = text or "file"
    if len(text) > NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        ext = f".{ext}" if dot and len(ext) <= 10 else ""
        stem = text[:len(text) - len(ext)] if ext else text
        text = stem[:NAME_MAX - len(ext) - 1].rstrip(" .") + "…" + ext
    return text
