"""Render a mail in the recipient's language: its subject, its text part and its HTML part.

Templates live in activities/mail_templates/<name>.jinja. Each extends `layout` and fills two
blocks, `subject` and `body`; the body is written with the parts `para`, `quote`, `button` and
`action`, which _parts.text.jinja and _parts.html.jinja write out as text and as HTML. So each of
the three is rendered on its own, from the same fields: nothing a value contains (a blank line in
a company's name, say) can move text from one to another. The subject is made one line, and so
is every value but those a person writes in paragraphs (MULTI_LINE).

The HTML environment autoescapes, so what applicants typed is text in the HTML part too. Mail
templates share the web app's translation catalog (web/translations): one catalog for all UI text.

Dates: `{{ due|when }}`, the pages' filter and format (domain/dates.py), in the recipient's zone
(render_mail's time_zone) and language. A value may be a datetime or its ISO text (what a
datetime becomes on its way through Temporal, from the web app's account mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from domain import notes
from domain.dates import format_when
from domain.phrases import translated

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "mail_templates"
TRANSLATIONS = ROOT / "web" / "translations"
SUPPORTED = ("en", "zh_Hans")
FORMATS = ("subject", "text", "html")
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}
MULTI_LINE = frozenset({"question", "reason"})  # a reviewer's question, a rejection's reason
ZONE_VARIABLE = "reader_time_zone"  # set by render_mail for the `when` filter


@dataclass(frozen=True)
class Brand:
    """What the HTML part is dressed in: the company's name and colour (settings.py)."""

    company: str
    color: str = "#1f4e79"

    @property
    def text_color(self) -> str:
        """White on a dark brand colour, near-black on a light one (WCAG relative luminance)."""
        red, green, blue = (int(self.color[i:i + 2], 16) / 255 for i in (1, 3, 5))

        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
        return "#ffffff" if luminance < 0.4 else "#1f2328"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=None)
def _environment(locale: str, fmt: str, brand: Brand) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"],
                      undefined=StrictUndefined, autoescape=fmt == "html",
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    translations = Translations.load(str(TRANSLATIONS), [locale]) if locale != "en" else None
    if translations is not None:
        env.install_gettext_translations(translations, newstyle=True)
    else:
        env.install_null_translations(newstyle=True)
    env.filters["note_text"] = _note_text(translations or NullTranslations())
    env.filters["when"] = _when(locale)
    env.globals.update(layout=f"_layout.{fmt}.jinja", brand=brand, html_lang=HTML_LANG[locale])
    if fmt != "subject":
        parts = env.get_template(f"_parts.{fmt}.jinja").make_module({"brand": brand})
        env.globals.update(para=parts.para, quote=parts.quote, button=parts.button,
                           action=parts.action)
    return env


def _note_text(translations: NullTranslations):
    """A text the process wrote in English (a rejection reason when nobody reviewed in time)
    in the recipient's language; what a person typed stays as typed."""
    return lambda text: translated(text, notes.NOTES, translations.ugettext)


def _when(locale: str):
    """The `when` filter of one language's environment; the zone is the render's own."""
    @pass_context
    def when(context, value: datetime | str | None, style: str = "medium") -> str:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value  # already words (a mail asked for before this filter existed)
        return format_when(value, locale, context.get(ZONE_VARIABLE), style)
    return when


def supported_locale(locale: str | None) -> str:
    return locale if locale in SUPPORTED else "en"


def one_line(text: str) -> str:
    """Every run of whitespace, line breaks and control characters included, as one space."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def render_mail(template: str, context: dict[str, Any], locale: str = "en",
                brand: Brand = Brand(""), time_zone: str = "UTC") -> RenderedMail:
    """time_zone: the recipient's IANA zone, which every date in the mail is shown in."""
    locale = supported_locale(locale)
    context = {name: one_line(value) if isinstance(value, str) and name not in MULTI_LINE
               else value for name, value in context.items()}

    def render(fmt: str, **extra: Any) -> str:
        env = _environment(locale, fmt, brand)
        return env.get_template(f"{template}.jinja").render(**context, **extra,
                                                            **{ZONE_VARIABLE: time_zone})

    subject = one_line(render("subject"))
    text = render("text").strip() + "\n"
    return RenderedMail(subject=subject, text=text, html=render("html", subject=subject))
