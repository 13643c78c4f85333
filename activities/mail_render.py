"""Render a mail template in the recipient's language.

Templates live in activities/mail_templates/<name>.txt: a "Subject:" line, a blank line, the body.
They share the web app's translation catalog (web/translations), so one catalog holds all UI text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain import notes
from domain.phrases import translated

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "mail_templates"
TRANSLATIONS = ROOT / "web" / "translations"
SUPPORTED = ("en", "zh_Hans")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


@lru_cache(maxsize=None)
def _environment(locale: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"],
                      undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    translations = Translations.load(str(TRANSLATIONS), [locale]) if locale != "en" else None
    if translations is not None:
        env.install_gettext_translations(translations, newstyle=True)
    else:
        env.install_null_translations(newstyle=True)
    env.filters["note_text"] = _note_text(translations or NullTranslations())
    return env


def _note_text(translations: NullTranslations):
    """A text the process wrote in English (a rejection reason when nobody reviewed in time)
    in the recipient's language; what a person typed stays as typed."""
    return lambda text: translated(text, notes.NOTES, translations.ugettext)


def supported_locale(locale: str | None) -> str:
    return locale if locale in SUPPORTED else "en"


def render_mail(template: str, context: dict[str, Any], locale: str = "en") -> RenderedMail:
    text = _environment(supported_locale(locale)).get_template(f"{template}.txt").render(**context)
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:"):
        raise ValueError(f"mail template {template} must start with a Subject: line")
    return RenderedMail(subject=head.removeprefix("Subject:").strip(), body=body.strip() + "\n")
