"""jsonschema errors -> messages on the form fields a person can fix."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from jsonschema import ValidationError

from definitions.loader import form_schema, form_validator


def schema_errors(name: str, payload: dict[str, Any]) -> dict[str | None, list[str]]:
    """Field name (None: the whole form) -> translated messages, each message once."""
    schema = form_schema(name)
    out: dict[str | None, list[str]] = {}
    for error in form_validator(name).iter_errors(payload):
        for field, message in _describe(error, schema):
            messages = out.setdefault(field, [])
            if message not in messages:
                messages.append(message)
    return out


def apply_errors(form, errors: dict[str | None, list[str]]) -> None:
    for field, messages in errors.items():
        if field is not None and field in form:
            form[field].errors = [*form[field].errors, *messages]
        else:
            form.form_errors.extend(messages)


def _describe(error: ValidationError, schema: dict[str, Any]):
    props = schema.get("properties", {})
    path = list(error.absolute_path)
    conditional = any(step in ("then", "else") for step in error.schema_path)
    if error.validator == "required":
        for missing in (p for p in error.validator_value if p not in (error.instance or {})):
            yield missing, _custom(schema, missing, conditional=True) or gettext("This field is required.")
        return
    if error.validator == "additionalProperties" and not path:
        yield None, gettext("The form contained fields we do not recognise; reload the page and try again.")
        return
    field = str(path[0]) if path else None
    prop = props.get(field, {}) if field else {}
    custom = _custom(schema, field, conditional) if field else None
    yield field, custom or _generic(error, prop)


def _custom(schema: dict[str, Any], field: str, conditional: bool) -> str | None:
    """x-messages speaks for cross-field rules (if/then); x-error for the field's own rules."""
    text = (schema.get("x-messages") or {}).get(field) if conditional else None
    text = text or schema.get("properties", {}).get(field, {}).get("x-error")
    return gettext(text) if text else None


def _generic(error: ValidationError, prop: dict[str, Any]) -> str:
    v, limit = error.validator, error.validator_value
    if v == "minLength":
        return gettext("Enter at least %(min)d characters.", min=limit)
    if v == "maxLength":
        return gettext("Enter at most %(max)d characters.", max=limit)
    if v == "minimum":
        return gettext("Enter a number of at least %(min)s.", min=limit)
    if v == "maximum":
        return gettext("Enter a number of at most %(max)s.", max=limit)
    if v == "minItems":
        return gettext("Choose at least one option.")
    if v == "format" and limit == "email":
        return gettext("Enter a valid email address.")
    if v in ("enum", "const"):
        return gettext("Choose one of the options.")
    if v == "pattern":
        return gettext("Check the format of this value.")
    return gettext("Check this value.")
