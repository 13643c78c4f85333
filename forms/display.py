"""A stored payload as label/value rows for people to read (review pages, the partner profile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from definitions.loader import form_schema
from domain.files import is_file_field
from forms.builder import ordered_properties, translated
from forms.choices import choice_label


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    value: str
    multiline: bool = False
    href: str | None = None  # a stored file's download link: value is then its name and size


def readable(name: str, data: dict[str, Any] | None) -> list[Row]:
    schema = form_schema(name)
    rows: list[Row] = []
    for prop_name in ordered_properties(schema):
        if prop_name not in (data or {}):
            continue
        prop = schema["properties"][prop_name]
        if is_file_field(prop):
            rows.append(_file_row(prop_name, translated(prop.get("title")) or prop_name,
                                  data[prop_name]))
            continue
        rows.append(Row(prop_name, translated(prop.get("title")) or prop_name,
                        _text(prop, data[prop_name]), prop.get("x-widget") == "textarea"))
    return rows


def _file_row(name: str, label: str, file_id: Any) -> Row:
    from web.files import file_link  # the stored file's row: read where a page is rendered

    link = file_link(file_id)
    if link is None:
        return Row(name, label, gettext("File no longer available"))
    return Row(name, label, gettext("%(name)s (%(size)s)", name=link.name, size=link.size),
               href=link.url)


def _text(prop: dict[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        items = prop.get("items", {})
        labelled = {**items, "x-labels": prop.get("x-labels") or items.get("x-labels")}
        return ", ".join(choice_label(labelled, v) for v in value)
    if "enum" in prop:
        return choice_label(prop, value)
    return str(value)
