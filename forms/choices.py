"""Choice lists and labels for enum properties, localised for the current request."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale
from flask_babel import get_locale, gettext
from wtforms.fields.choices import SelectChoice

from domain.collation import sort_key


def current_locale_name() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "en"


@lru_cache(maxsize=16)
def _territories(locale_name: str) -> dict[str, str]:
    return dict(Locale.parse(locale_name).territories)


def country_name(code: str, locale_name: str | None = None) -> str:
    return _territories(locale_name or current_locale_name()).get(code, code)


def enum_choices(prop: dict[str, Any], locale_name: str) -> list[SelectChoice]:
    """The options in display order: schema order, or by name for countries."""
    values = prop.get("enum") or prop.get("items", {}).get("enum") or []
    if prop.get("x-choices") == "countries":
        return list(_countries(tuple(values), locale_name))
    return [SelectChoice(v, choice_label(prop, v)) for v in values]


@lru_cache(maxsize=16)
def _countries(codes: tuple[str, ...], locale_name: str) -> tuple[SelectChoice, ...]:
    """Sorted by what the reader sees, as their language sorts it (pinyin in Chinese), so people
    find their country where they expect it. Kept: the apply form and the directory's filter
    show it on every page."""
    names = _territories(locale_name)
    return tuple(sorted((SelectChoice(v, names.get(v, v)) for v in codes),
                        key=lambda c: sort_key(c.label, locale_name)))


def choice_label(prop: dict[str, Any], value: Any) -> str:
    """The translated label of one enum value (schema x-labels are in the message catalog)."""
    if prop.get("x-choices") == "countries":
        return country_name(str(value))
    labels = prop.get("x-labels") or {}
    label = labels.get(str(value))
    return gettext(label) if label else str(value)
