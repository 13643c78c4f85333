"""Fields a schema requires only for some answers (an if/then rule: a rejection needs a reason).

WTForms checks each field alone, so such a field is built Optional and jsonschema enforces the rule
after it (forms/submit.py), on the server, whatever the page showed. What this module adds is what
a person reads: the field is not labelled "(optional)" but "required when you choose …", naming
the answers that require it, and web/static/forms.js turns that into "(required)" or "(optional)"
as the answer is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask_babel import gettext

from forms.choices import choice_label


@dataclass(frozen=True)
class RequiredWhen:
    """`field` is required when the property `answer` is one of `values`; `text` says so."""

    answer: str
    values: tuple[str, ...]
    text: str


def conditional_requirements(schema: dict[str, Any], locale_name: str) -> dict[str, RequiredWhen]:
    """Field name -> the answers that require it, for the rules this form understands: `if` one
    property's value is in an enum (or is a const), `then` some fields are required. A rule of
    another shape still holds on the server; its fields are only not explained here."""
    found: dict[str, RequiredWhen] = {}
    for rule in schema.get("allOf", []):
        condition = rule.get("if", {}).get("properties", {})
        required = rule.get("then", {}).get("required", [])
        if len(condition) != 1 or not required:
            continue
        (answer, test), = condition.items()
        values = tuple(test["enum"]) if "enum" in test else (test["const"],) if "const" in test else ()
        prop = schema.get("properties", {}).get(answer)
        if not values or prop is None:
            continue
        shown = [gettext("“%(choice)s”", choice=choice_label(prop, v)) for v in values]
        text = gettext("required when you choose %(choices)s",
                       choices=format_list(shown, style="or", locale=locale_name))
        for name in required:
            found[name] = RequiredWhen(answer, tuple(str(v) for v in values), text)
    return found
