"""Field types the schema builder needs beyond WTForms' own, and translated built-in messages."""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext, ngettext
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

# WTForms' own messages, routed through our catalog so they read the same as ours in every locale.
_BUILTIN = {
    "Not a valid choice.": lazy_gettext("Choose one of the options."),
    "Not a valid integer value.": lazy_gettext("Enter a whole number."),
    "This field is required.": lazy_gettext("This field is required."),
    "Invalid email address.": lazy_gettext("Enter a valid email address."),
    "Invalid input.": lazy_gettext("Check this value."),
}


class CatalogTranslations:
    """What WTForms calls for messages it writes itself (see SchemaForm.Meta)."""

    def gettext(self, string: str) -> str:
        found = _BUILTIN.get(string)
        if found is not None:
            return str(found)
        return gettext(string) if string else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class MultiCheckboxField(SelectMultipleField):
    """An array of enum values shown as a group of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SearchPattern:
    """JSON Schema `pattern` semantics: re.search, unanchored unless the pattern anchors itself."""

    def __init__(self, pattern: str, message: str) -> None:
        self.regex = re.compile(pattern)
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data and not self.regex.search(field.data):
            raise ValidationError(self.message)
