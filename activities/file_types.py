"""What a received file is, judged by its bytes alone (the name and the browser's claim are not
asked). puremagic reads the signatures; this module adds what signatures cannot say:

- markup: HTML, SVG and XML are recognised as a browser would sniff them (the WHATWG MIME
  sniffing patterns), so a web page renamed report.pdf or notes.txt is called what it is;
- Office documents: a .docx/.xlsx/.pptx is a zip whose [Content_Types].xml declares the main
  part of that kind; a zip without it is a zip, and one with macros is refused as such;
- text: valid UTF-8 with no control characters but tab and line breaks (CSV when its first
  lines split into the same number of columns).
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from pathlib import Path

import puremagic

from domain.files import DOCX, PPTX, TEXT_TYPES, XLSX

MARKUP = "text/html"
SVG = "image/svg+xml"
XML = "application/xml"
ZIP = "application/zip"
MACRO_OFFICE = "application/vnd.ms-office.macroenabled"
UNKNOWN = "application/octet-stream"

_SIGNED = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")
_HEAD = 64 * 1024
_CHUNK = 64 * 1024

# WHATWG MIME Sniffing, "identifying a resource with an unknown MIME type": tags that make a
# browser treat bytes as HTML, after leading whitespace, followed by a space or ">".
_HTML_TAGS = re.compile(rb"<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|"
                        rb"title|b|body|br|p|!--|meta|object|embed|link|form|img|svg)[ \t\n\f\r>/]",
                        re.I)
_OFFICE_MAIN = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
_MACRO_MAIN = re.compile(rb"macroEnabled|vnd\.ms-office\.vbaProject", re.I)


def sniff(path: Path) -> str:
    """The content type of the file at `path` (a MIME type; UNKNOWN when nothing fits)."""
    with path.open("rb") as f:
        head = f.read(_HEAD)
    markup = _markup(head)
    if markup:
        return markup
    found = _signatures(path)
    for mime in found:
        if mime in _SIGNED:
            return mime
    if head.startswith(b"PK\x03\x04") or ZIP in found or any(m in _OFFICE_MAIN for m in found):
        return _zip_kind(path)
    if _is_text(path):
        return "text/csv" if _looks_like_csv(head) else "text/plain"
    return found[0] if found else UNKNOWN


def _signatures(path: Path) -> list[str]:
    try:  # text is ours to judge: puremagic calls a UTF-16 BOM "text/plain"
        return [m.mime_type for m in puremagic.magic_file(str(path))
                if m.mime_type and m.mime_type not in TEXT_TYPES]
    except (puremagic.PureError, ValueError):  # nothing matched (or an empty file)
        return []


def _markup(head: bytes) -> str | None:
    text = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\n\r\f")
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):  # UTF-16 markup would pass no text check either; name it anyway
            text = head[2:].decode(codec, "ignore").lstrip().encode("ascii", "ignore")
    if text[:5].lower() == b"<?xml":
        return SVG if b"<svg" in text[:4096].lower() else XML
    if _HTML_TAGS.match(text):
        return SVG if text[:5].lower() == b"<svg " or text[:5].lower() == b"<svg>" else MARKUP
    return None


def _zip_kind(path: Path) -> str:
    """An OOXML document only when its structure says so; otherwise a plain zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
                return ZIP
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:  # a real one is a few KB; do not inflate a bomb
                return ZIP
            types = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return ZIP
    if _MACRO_MAIN.search(types) or any(n.lower().endswith("vbaproject.bin") for n in names):
        return MACRO_OFFICE
    for mime, main in _OFFICE_MAIN.items():
        if re.search(rb"ContentType\s*=\s*[\"']" + re.escape(main.encode()) + rb"[\"']", types):
            return mime
    return ZIP


_BAD_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _is_text(path: Path) -> bool:
    """Strict UTF-8 throughout (read in chunks: a file is never held whole), no controls."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    any_text = False
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                text = decoder.decode(chunk)
                if _BAD_CONTROLS.search(text):
                    return False
                any_text = any_text or bool(text.strip())
            tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return any_text and not _BAD_CONTROLS.search(tail)


def _looks_like_csv(head: bytes) -> bool:
    lines = head.decode("utf-8-sig", "ignore").splitlines()[:20]
    if len(head) == _HEAD:
        lines = lines[:-1]  # the last line may be cut off where the head ends
    lines = [line for line in lines if line.strip()]
    if len(lines) < 2:
        return False
    for delimiter in ",;\t":
        widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        if len(widths) == 1 and widths.pop() > 1:
            return True
    return False
