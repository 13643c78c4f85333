"""The agreement as a PDF: its text exactly as stored (and hashed), then a page of signatures.

Text in, bytes out, no I/O: the page's download (web/agreement_pdf.py) and the executed
agreement's mail (activities/agreement_mail.py) both call `agreement_pdf`, each with the reader's
language and time format. The agreement's own text is never translated or rewrapped in words:
each stored line starts a line of the PDF (a line too long for the page continues on the next),
so what the PDF shows is what the SHA-256 on every page covers.

Chinese is set in reportlab's built-in CID font STSong-Light (Adobe-GB1): no font file to ship
or install (the Docker image, CI and a fresh `make run` have none; the Debian Noto CJK fonts are
CFF-based, which reportlab cannot embed), a PDF of a few kilobytes to attach to mail, and its
text stays searchable and copyable (pypdf extracts it, as the tests do). PDF viewers draw it with
their own Song/Ming typeface. What it gives up: the exact look is the viewer's, and an archival
PDF/A (which embeds every font) would need a TrueType CJK font file deployed with the app.
Latin text is set in Helvetica, run by run, so a Chinese company name in an English agreement
(or an English one in a Chinese agreement) reads right.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from domain import notes
from domain.onboarding import AGREEMENT_TITLE
from domain.phrases import N_, translated

CJK_FONT = "STSong-Light"
LATIN_FONT, LATIN_BOLD = "Helvetica", "Helvetica-Bold"
PARTIES = ("partner", "company")

PARTY_LABELS = {"partner": N_("Partner"), "company": N_("Company")}
DRAFT = N_("Not signed yet. Sign it on the signing page; this copy is for reading and keeping.")
PARTLY_SIGNED = N_("Signed by the partner; awaiting the company's countersignature.")
EXECUTED = N_("Executed: signed by both parties.")
SIGNATURES = N_("Signatures")
SIGNED_TEXT = N_("Each signature is recorded with the SHA-256 of the agreement text above:")
NOT_SIGNED = N_("not signed yet")
PAGE = N_("Page %(number)s")
SHA_LINE = N_("SHA-256 of the agreement text: %(sha256)s")
SIGNED_AT = N_("Signed %(when)s")

# Latin-script runs (cp1252, what Helvetica encodes) and the rest, which the CID font sets.
_LATIN_RUN = re.compile(r"[\x20-\x7e\xa0-\xff\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u20ac]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True)
class SignatureLine:
    party: str                # "partner" or "company"
    full_name: str
    signed_at: datetime
    sha256: str


def stored_agreement_pdf(agreement, gettext: Callable[[str], str],
                         format_time: Callable[[datetime], str]) -> bytes:
    """The PDF of a stored agreement (db.models.Agreement: its title, body, SHA-256, signatures)."""
    return agreement_pdf(
        title=agreement.title, body=agreement.body, sha256=agreement.sha256,
        signatures=[SignatureLine(s.party, s.full_name, s.signed_at, s.sha256)
                    for s in agreement.signatures],
        gettext=gettext, format_time=format_time)


def pdf_filename(reference: str) -> str:
    return f"{reference}-partner-agreement.pdf"


def agreement_pdf(*, title: str, body: str, sha256: str, signatures: Iterable[SignatureLine],
                  gettext: Callable[[str], str], format_time: Callable[[datetime], str]) -> bytes:
    """`title` as stored (a phrase, shown in the reader's language); `gettext` the reader's
    catalog; `format_time` a time in the reader's format with its zone named."""
    _register_fonts()
    signed = {s.party: s for s in signatures}
    shown_title = translated(title, (AGREEMENT_TITLE,), gettext)
    styles = _styles()
    status = (EXECUTED if set(PARTIES) <= set(signed)
              else PARTLY_SIGNED if "partner" in signed else DRAFT)
    story = [Paragraph(_runs(shown_title, bold=True), styles["title"]),
             Paragraph(_runs(gettext(status)), styles["note"]), Spacer(1, 4 * mm)]
    story += [Paragraph(_runs(line, keep_spaces=True) or "&nbsp;",
                        styles["body_cjk" if _CJK.search(line) else "body"])
              for line in body.rstrip("\n").split("\n")]
    story += [PageBreak(), Paragraph(_runs(gettext(SIGNATURES), bold=True), styles["title"]),
              Paragraph(_runs(gettext(SIGNED_TEXT)), styles["note"]),
              Paragraph(_runs(sha256), styles["mono"]), Spacer(1, 6 * mm)]
    for party in PARTIES:
        story.append(Paragraph(_runs(gettext(PARTY_LABELS[party]), bold=True), styles["label"]))
        s = signed.get(party)
        if s is None:
            story.append(Paragraph(_runs(gettext(NOT_SIGNED)), styles["note"]))
            continue
        name = translated(s.full_name, notes.ACTORS, gettext)
        when = gettext(SIGNED_AT) % {"when": format_time(s.signed_at)}
        story += [Paragraph(_runs(name), styles["signature"]),
                  Paragraph(_runs(when), styles["note"]), Spacer(1, 4 * mm)]

    footer = gettext(SHA_LINE) % {"sha256": sha256}
    out = io.BytesIO()

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        _draw(canvas, 20 * mm, 12 * mm, footer, 7)
        page = gettext(PAGE) % {"number": doc.page}
        _draw(canvas, A4[0] - 20 * mm - _width(page, 7), 12 * mm, page, 7)
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=20 * mm, bottomMargin=22 * mm, title=shown_title,
                            author="", subject=footer, creator="PRM", invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=10, leading=14)
    return {
        "title": ParagraphStyle("title", base, fontName=LATIN_BOLD, fontSize=14, leading=19,
                                spaceAfter=4),
        "note": ParagraphStyle("note", base, fontSize=9, leading=13, textColor="#444444"),
        "body": base,
        "body_cjk": ParagraphStyle("body_cjk", base, wordWrap="CJK"),
        "mono": ParagraphStyle("mono", base, fontName="Courier", fontSize=9, leading=12),
        "label": ParagraphStyle("label", base, fontName=LATIN_BOLD, spaceBefore=4),
        "signature": ParagraphStyle("signature", base, fontSize=12, leading=16),
    }


def _runs(text: str, bold: bool = False, keep_spaces: bool = False) -> str:
    """Paragraph markup: each run of Latin text in Helvetica, every other run in the CID font;
    everything escaped (what applicants typed is text, never markup)."""
    return "".join(_font(LATIN_BOLD if bold and font == LATIN_FONT else font, piece, keep_spaces)
                   for font, piece in _pieces(text))


def _font(name: str, text: str, keep_spaces: bool) -> str:
    shown = escape(text)
    if keep_spaces:  # an indented line stays indented, as on the page
        stripped = shown.lstrip(" ")
        shown = "&nbsp;" * (len(shown) - len(stripped)) + stripped
    return f'<font name="{name}">{shown}</font>'


def _pieces(text: str) -> list[tuple[str, str]]:
    """(font, text) runs: Latin script in Helvetica, the rest in the CID font."""
    pieces, at = [], 0
    for found in _LATIN_RUN.finditer(text):
        if found.start() > at:
            pieces.append((CJK_FONT, text[at:found.start()]))
        pieces.append((LATIN_FONT, found.group()))
        at = found.end()
    if at < len(text):
        pieces.append((CJK_FONT, text[at:]))
    return pieces


def _width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, font, size) for font, t in _pieces(text))


def _draw(canvas, x: float, y: float, text: str, size: float) -> None:
    for font, piece in _pieces(text):
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, font, size)
