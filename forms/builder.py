"""JSON Schema -> FlaskForm class. Labels, choices and messages come out in the request's locale.

Classes are cached per schema name and locale: a schema file is immutable once versioned, and
building a class means translating every label, so it is worth doing once.
"""

from __future__ import annotations

import threading
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from definitions.loader import form_schema
from forms.choices import current_locale_name, enum_choices
from domain.files import FileRules, is_file_field
from forms.conditions import RequiredWhen, conditional_requirements
from forms.files import UploadField, rules_hint
from forms.fields import (CatalogTranslations, CleanEmailField, CleanStringField, CleanTextAreaField,
                          FixedChoices, FixedSelectField, MultiCheckboxField, OptionalText,
                          RadioGroupField, SearchPattern, VisibleText)

_cache: dict[tuple[str, str], type["SchemaForm"]] = {}
_lock = threading.Lock()


class SchemaForm(FlaskForm):
    """Base of every built form. The nonce makes a double submit recognisable (web/tasks.py)."""

    schema_name: str = ""
    form_nonce = HiddenField()
    # Fields an if/then rule of the schema requires for some answers (forms/conditions.py).
    required_when: dict[str, RequiredWhen] = {}
    # Whether any field takes an upload: the page then posts multipart/form-data.
    has_files: bool = False

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return CatalogTranslations()

    @property
    def schema(self) -> dict[str, Any]:
        return form_schema(self.schema_name)

    def schema_fields(self):
        """The schema's fields in display order (without the CSRF token and the nonce)."""
        return [self[name] for name in ordered_properties(self.schema)]


def translated(text: str | None) -> str:
    """A schema string in the current locale ("" stays "": gettext("") is the catalog header)."""
    return gettext(text) if text else ""


def ordered_properties(schema: dict[str, Any]) -> list[str]:
    props = list(schema.get("properties", {}))
    order = [p for p in schema.get("x-order", []) if p in props]
    return order + [p for p in props if p not in order]


def form_class(name: str) -> type[SchemaForm]:
    """The form class for schema `name` ('partner_application.v1') in the current locale."""
    key = (name, current_locale_name())
    with _lock:
        if key not in _cache:
            _cache[key] = _build(name, key[1])
        return _cache[key]


def conditionally_optional(validator: Optional) -> Optional:
    """The same Optional, but not labelled "(optional)": an if/then rule of the schema may
    require the field (a rejection needs a reason), and jsonschema enforces that after WTForms."""
    validator.field_flags = {}
    return validator


def _conditionally_required(schema: dict[str, Any]) -> set[str]:
    return {name for rule in schema.get("allOf", [])
            for name in rule.get("then", {}).get("required", [])}


def _build(name: str, locale_name: str) -> type[SchemaForm]:
    schema = form_schema(name)
    required = set(schema.get("required", []))
    sometimes = _conditionally_required(schema)
    attrs: dict[str, Any] = {"schema_name": name,
                             "required_when": conditional_requirements(schema, locale_name)}
    for prop_name in ordered_properties(schema):
        field = _field(schema["properties"][prop_name], prop_name in required, locale_name)
        if prop_name in sometimes:
            field.kwargs["validators"] = [conditionally_optional(v) if isinstance(v, Optional) else v
                                          for v in field.kwargs.get("validators", [])]
        attrs[prop_name] = field
    attrs["has_files"] = any(is_file_field(p) for p in schema["properties"].values())
    return type(f"{name.replace('.', '_')}_form", (SchemaForm,), attrs)


def _field(prop: dict[str, Any], required: bool, locale_name: str):
    kwargs: dict[str, Any] = {"label": translated(prop.get("title")),
                              "description": translated(prop.get("description"))}
    custom = translated(prop.get("x-error")) or None
    kind, widget = prop.get("type"), prop.get("x-widget")
    must = [DataRequired(message=custom or gettext("This field is required."))] if required else [Optional()]

    if kind == "array":
        choices = enum_choices(prop, locale_name)
        at_least = prop.get("minItems", 0)
        checks = ([DataRequired(message=custom or gettext("Choose at least one option."))]
                  if required or at_least else [Optional()])
        return MultiCheckboxField(choices=choices, validators=checks, rendered={},
                                  invalid_choice_message=gettext("Choose from the options shown."),
                                  **kwargs)
    if kind == "boolean":
        return BooleanField(validators=must if required else [], **kwargs)
    if kind == "integer":
        checks = [InputRequired(message=custom or gettext("This field is required."))] if required \
            else [Optional()]
        if "minimum" in prop or "maximum" in prop:
            checks.append(NumberRange(prop.get("minimum"), prop.get("maximum"),
                                      message=custom or _range_message(prop)))
        return IntegerField(validators=checks, invalid_value_message=gettext("Enter a whole number."),
                            render_kw={"inputmode": "numeric"}, **kwargs)
    if is_file_field(prop):
        rules = FileRules.of(prop)
        kwargs["description"] = " ".join(filter(None, (kwargs["description"], rules_hint(rules))))
        return UploadField(rules=rules, validators=[DataRequired(message=custom or gettext(
            "Choose a file to upload."))] if required else [Optional()], **kwargs)
    if "enum" in prop:
        choices = enum_choices(prop, locale_name)
        invalid = gettext("Choose one of the options.")
        if widget == "radio":
            return RadioGroupField(choices=choices, validators=must, invalid_choice_message=invalid,
                                   rendered={}, **kwargs)
        blank = SelectChoice("", gettext("Choose…"))
        return FixedSelectField(fixed=FixedChoices([blank, *choices]), validators=must,
                                invalid_choice_message=invalid, **kwargs)
    return _string_field(prop, must, custom, widget, kwargs)


def _string_field(prop, must, custom, widget, kwargs):
    """Text is cleaned before any check (forms/text.py): single-line unless it is a textarea."""
    if isinstance(must[0], Optional):
        checks = [OptionalText()]
    else:
        checks = [VisibleText(gettext("Enter visible text: spaces and invisible characters alone "
                                      "do not count.")), *must]
    low, high = prop.get("minLength"), prop.get("maxLength")
    if low or high:
        checks.append(Length(min=low or -1, max=high or -1, message=custom or _length_message(low, high)))
    if prop.get("pattern"):
        checks.append(SearchPattern(prop["pattern"], custom or gettext("Check the format of this value.")))
    render_kw = {"maxlength": high} if high else {}
    if prop.get("format") == "uri":
        render_kw.update(type="url", inputmode="url")
    if prop.get("format") == "email":
        checks.append(Email(message=custom or gettext("Enter a valid email address."),
                            check_deliverability=False))
        return CleanEmailField(validators=checks, render_kw=render_kw, **kwargs)
    if widget == "textarea":
        return CleanTextAreaField(validators=checks, render_kw=render_kw, **kwargs)
    return CleanStringField(validators=checks, render_kw=render_kw, **kwargs)


def _length_message(low: int | None, high: int | None) -> str:
    if low and high:
        return gettext("Enter between %(min)d and %(max)d characters.", min=low, max=high)
    if low:
        return gettext("Enter at least %(min)d characters.", min=low)
    return gettext("Enter at most %(max)d characters.", max=high)


def _range_message(prop: dict[str, Any]) -> str:
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and high is not None:
        return gettext("Enter a number from %(min)s to %(max)s.", min=low, max=high)
    if low is not None:
        return gettext("Enter a number of at least %(min)s.", min=low)
    return gettext("Enter a number of at most %(max)s.", max=high)
