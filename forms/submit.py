"""One call for a POSTed schema form: WTForms (with CSRF), then the schema itself."""

from __future__ import annotations

from typing import Any

from forms.builder import SchemaForm
from forms.errors import apply_errors, schema_errors
from forms.payload import payload_from


def validated_payload(form: SchemaForm) -> dict[str, Any] | None:
    """The payload when the form is valid; otherwise None with the messages on the fields.

    The schema check runs even when WTForms is satisfied: it is the contract the workflow
    relies on (additionalProperties false, formats, the if/then rules WTForms cannot express).
    """
    if not form.validate_on_submit():
        return None
    payload = payload_from(form, form.schema)
    errors = schema_errors(form.schema_name, payload)
    if errors:
        apply_errors(form, errors)
        return None
    return payload
