"""The agreement's text in the partner's language, as it is stored, hashed, shown and signed.

The language is the one the applicant used the site in when they applied (Organisation.locale),
when the program's template has a text in it; English otherwise. The words filled into the text
(the country, the partner type, the products) are in that language too, so the SHA-256 of the
stored body covers exactly what the signer reads: the page and the PDF show that body unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations
from jinja2 import Environment, StrictUndefined, Template

from definitions.loader import agreement_locale, agreement_template, form_schema
from domain.phrases import N_

TRANSLATIONS = Path(__file__).resolve().parent.parent / "web" / "translations"
APPLICATION_FORM = "partner_application.v1"
# How the filled-in lists read in each language: "a, b" in English, "a、b" in Chinese.
LIST_SEPARATORS = {"en": ", ", "zh_Hans": "、"}
ALL_PRODUCTS = N_("all products")  # babel.cfg extracts this module for the catalog


def language_for(template: str, partner_locale: str | None) -> str:
    return agreement_locale(template, partner_locale or "en")


def render_agreement(template: str, locale: str, *, program_name: str, company_legal_name: str,
                     application: dict[str, Any], reference: str) -> str:
    """The body of `template` in `locale` (a language language_for chose)."""
    gettext = translations_for(locale).ugettext
    props = form_schema(APPLICATION_FORM)["properties"]
    product_labels = props["products"]["x-labels"]
    country = Locale.parse(locale).territories.get(application["country"], application["country"])
    separator = LIST_SEPARATORS.get(locale, ", ")
    partner_type = gettext(props["partner_type"]["x-labels"][application["partner_type"]])
    return _compiled(template, locale).render(
        program_name=program_name, company_legal_name=company_legal_name, partner=application,
        country_name=country, reference=reference,
        partner_type_label=partner_type.lower() if locale == "en" else partner_type,
        products=separator.join(gettext(product_labels[p]) for p in application.get("products", []))
        or gettext(ALL_PRODUCTS),
        territory=separator.join(x for x in (application.get("region"), country) if x))


@lru_cache(maxsize=32)
def _compiled(template: str, locale: str) -> Template:
    """Compiled once per template and language: compiling cost more than the rest of the activity."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True)
    return env.from_string(agreement_template(template, locale))


@lru_cache(maxsize=8)
def translations_for(locale: str) -> NullTranslations:
    """The web app's catalog (one catalog for all UI text): the form's labels are translated there."""
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])
