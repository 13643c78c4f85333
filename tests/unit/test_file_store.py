"""The file store on a real directory: types judged by content, names cleaned, limits kept,
content stored once, nothing of a refused upload left behind."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from activities.file_types import sniff
from activities.files import FileStore
from domain.files import (DEFAULT_MAX_BYTES, DOCX, PPTX, XLSX, FileRuleError, FileRules,
                          Rejection, UploadRejected, display_name)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"\n  <!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
EVIDENCE = FileRules.of({"x-file": {"purpose": "evidence"}})


def office(kind: str, *, macros: bool = False) -> bytes:
    main = {DOCX: ("word/document.xml", "wordprocessingml.document.main+xml"),
            XLSX: ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
            PPTX: ("ppt/presentation.xml", "presentationml.presentation.main+xml")}[kind]
    content_type = ("application/vnd.ms-word.document.macroEnabled.main+xml" if macros
                    else f"application/vnd.openxmlformats-officedocument.{main[1]}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   f'2006/content-types"><Override PartName="/{main[0]}" '
                   f'ContentType="{content_type}"/></Types>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr(main[0], "<document/>")
        if macros:
            z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return buffer.getvalue()


def _sniffed(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "probe"
    path.write_bytes(data)
    return sniff(path)


@pytest.mark.parametrize("data,expected", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"),
    (WEBP, "image/webp"), (office(DOCX), DOCX), (office(XLSX), XLSX), (office(PPTX), PPTX),
    ("Meeting notes\nAttendees: 李伟, Anna\n".encode(), "text/plain"),
    (b"\xef\xbb\xbfname,email\nLi,li@example.com\nAnna,anna@example.com\n", "text/csv"),
    (HTML, "text/html"), (b"<p>hello</p>", "text/html"), (SVG, "image/svg+xml"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
])
def test_types_are_judged_by_the_bytes(tmp_path, data, expected):
    assert _sniffed(tmp_path, data) == expected


def test_a_zip_without_the_office_structure_is_a_zip_and_macros_are_named(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<document/>")  # looks like a .docx by its part names only
    assert _sniffed(tmp_path, buffer.getvalue()) == "application/zip"
    assert _sniffed(tmp_path, office(DOCX, macros=True)) == "application/vnd.ms-office.macroenabled"


@pytest.mark.parametrize("data", [EXE, b"text with a NUL\x00 inside", b"\xff\xfe\xfa broken utf-8",
                                  b"escape \x1b[31m sequences"])
def test_binary_and_broken_text_is_not_text(tmp_path, data):
    assert _sniffed(tmp_path, data) not in ("text/plain", "text/csv")


def _accept(store: FileStore, data: bytes, rules: FileRules = EVIDENCE):
    return store.accept(io.BytesIO(data), rules)


def _refused(store: FileStore, data: bytes, rules: FileRules = EVIDENCE) -> UploadRejected:
    with pytest.raises(UploadRejected) as refused:
        _accept(store, data, rules)
    return refused.value


def _blobs(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"]


def test_content_is_kept_once_by_sha256_read_only_under_fan_out_dirs(tmp_path):
    store = FileStore(tmp_path)
    first, second = _accept(store, PDF), _accept(store, PDF)
    assert first == second and first.content_type == "application/pdf" and first.size == len(PDF)
    [blob] = _blobs(tmp_path)
    assert blob == tmp_path / first.sha256[:2] / first.sha256[2:4] / first.sha256
    assert blob.read_bytes() == PDF
    assert not os.stat(blob).st_mode & 0o222  # nobody may write it again
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("data,reason", [
    (HTML, Rejection.MARKUP), (SVG, Rejection.MARKUP), (EXE, Rejection.TYPE_NOT_ALLOWED),
    (office(DOCX, macros=True), Rejection.MACROS), (b"", Rejection.EMPTY),
])
def test_refused_content_leaves_nothing_behind(tmp_path, data, reason):
    store = FileStore(tmp_path)
    assert _refused(store, data).reason is reason
    assert _blobs(tmp_path) == [] and list((tmp_path / "tmp").iterdir()) == []


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.handed_out = 0
        self.largest_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.handed_out += len(chunk)
        self.largest_read = max(self.largest_read, len(chunk))
        return chunk


def test_the_limit_is_kept_reading_one_byte_past_it_and_no_more(tmp_path):
    store, rules = FileStore(tmp_path), FileRules("evidence", ("text/plain",), 100_000)
    stream = CountingStream(b"a" * 5_000_000)
    with pytest.raises(UploadRejected) as refused:
        store.accept(stream, rules)
    assert refused.value.reason is Rejection.TOO_LARGE
    assert stream.handed_out == rules.max_bytes + 1 and stream.largest_read <= 64 * 1024
    exactly = CountingStream(b"a" * rules.max_bytes)
    assert store.accept(exactly, rules).size == rules.max_bytes


def test_a_png_claimed_as_pdf_passes_only_where_png_is_allowed(tmp_path):
    store = FileStore(tmp_path)
    pdf_only = FileRules.of({"x-file": {"types": ["application/pdf"]}})
    refused = _refused(store, PNG, pdf_only)
    assert refused.reason is Rejection.TYPE_NOT_ALLOWED and refused.detected == "image/png"
    assert _accept(store, PNG).content_type == "image/png"  # the evidence default allows PNG


def test_rules_default_per_purpose_and_never_allow_markup():
    logo = FileRules.of({"x-file": {"purpose": "logo"}})
    assert logo.types == ("image/png", "image/jpeg", "image/webp")
    assert logo.max_bytes == EVIDENCE.max_bytes == DEFAULT_MAX_BYTES == 10485760
    assert "application/pdf" in EVIDENCE.types and "text/plain" in EVIDENCE.types
    for forbidden in ("image/svg+xml", "text/html", "application/x-msdownload"):
        with pytest.raises(FileRuleError):
            FileRules.of({"x-file": {"types": ["image/png", forbidden]}})
    text_only = FileRules("evidence", ("text/plain",), 10)
    assert text_only.accepts("text/csv") == "text/plain"  # a CSV is text
    assert text_only.accepts("image/png") is None


@pytest.mark.parametrize("raw,kind,shown", [
    ("../../etc/passwd", "text/plain", "passwd.txt"),
    ("/var/www/report.pdf", "application/pdf", "report.pdf"),
    ("C:\\Users\\li\\Desktop\\报告.pdf", "application/pdf", "报告.pdf"),
    ("evil\x00.pdf", "application/pdf", "evil.pdf"),
    ("invoice\u202efdp.exe", "application/pdf", "invoicefdp.exe.pdf"),  # RTL override shown as "exe.pdf"
    ("photo.html", "image/png", "photo.html.png"),
    ("scan.JPG", "image/jpeg", "scan.JPG"),
    ("  ..  ", "image/png", "file.png"),
    ("..", "application/pdf", "file.pdf"),
    ("line\r\nbreak.pdf", "application/pdf", "linebreak.pdf"),
    ("zero\u200bwidth.docx", DOCX, "zerowidth.docx"),
])
def test_names_are_cleaned_for_display(raw, kind, shown):
    assert display_name(raw, kind) == shown


def test_a_very_long_name_is_capped_keeping_its_extension():
    name = display_name("a" * 5000 + ".pdf", "application/pdf")
    assert len(name) <= 120 and name.endswith("….pdf")
