"""Form data -> the JSON payload a workflow receives (the schema decides what is kept)."""

from __future__ import annotations

from typing import Any

from forms.builder import SchemaForm, ordered_properties

_EMPTY = ("", None, [])


def payload_from(form: SchemaForm, schema: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready data: optional fields left empty are omitted rather than sent as ""."""
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    for name in ordered_properties(schema):
        prop = schema["properties"][name]
        value = form[name].data
        if isinstance(value, str):
            value = value.strip()
        if prop.get("type") == "array":
            value = list(dict.fromkeys(value or []))  # uniqueItems: a repeated box counts once
        if prop.get("type") == "boolean":
            value = bool(value)
        elif value in _EMPTY and name not in required:
            continue
        out[name] = "" if value is None and prop.get("type") == "string" else value
    return out


def prefill_data(schema: dict[str, Any], payload: dict[str, Any] | None) -> dict[str, Any]:
    """A stored payload as form data (only the schema's own properties)."""
    props = schema.get("properties", {})
    return {k: v for k, v in (payload or {}).items() if k in props}
