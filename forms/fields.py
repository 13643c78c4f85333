"""Field types the schema builder needs beyond WTForms' own, and translated built-in messages."""

from __future__ import annotations

import re

from flask_babel import gettext, lazy_gettext, ngettext
from markupsafe import Markup
from wtforms import EmailField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

from forms.text import multi_line, single_line, without_controls

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


class OptionsRenderedOnce:
    """For checkbox and radio groups: each option's markup, rendered by WTForms once and kept.

    Iterating such a field builds and renders a throwaway WTForms field per option, on every page
    (15 on the application form, about 0.2 ms). What an option renders depends only on its form
    class (one per schema and locale, which owns `rendered`), the option, whether it is checked
    and the arguments, so each variant is rendered the first time it is needed.
    """

    def __init__(self, *args, rendered: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rendered = rendered

    def rendered_options(self, **render_kw) -> list[tuple[Markup, str]]:
        """(input, label text) per option: what `option(**render_kw)` and `option.label.text`
        give for each option of `for option in field`."""
        extra = tuple(sorted(render_kw.items()))
        keys = [(self.id, self.name, i, choice.value, choice.selected, extra)
                for i, choice in enumerate(self.iter_choices())]
        if any(key not in self.rendered for key in keys):
            for key, option in zip(keys, self):
                self.rendered[key] = (option(**render_kw), option.label.text)
        return [self.rendered[key] for key in keys]


class MultiCheckboxField(OptionsRenderedOnce, SelectMultipleField):
    """An array of enum values shown as a group of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RadioGroupField(OptionsRenderedOnce, RadioField):
    """An enum shown as radio buttons."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type = "RadioField"  # the form macro and the stylesheet key on the type name


class FixedChoices:
    """A select's options, fixed when its form class is built (once per schema and locale).

    WTForms rebuilds, renders and scans every option on every request: for the ~250 countries
    that was the largest part of the application form's cost. Here each <option> tag is rendered
    once, by WTForms' own Select.render_option so the markup is the same, and a submitted value
    is looked up in a set. Values are strings (the field's coerce stays `str`).
    """

    def __init__(self, choices: list[SelectChoice]) -> None:
        self.choices = list(choices)
        self.values = frozenset(choice.value for choice in self.choices)
        self._tags = [(c.value, _option_tag(c.value, c.label, False), _option_tag(c.value, c.label, True))
                      for c in self.choices]

    def options_html(self, data) -> str:
        return "".join(chosen if value == data else plain for value, plain, chosen in self._tags)


def _option_tag(value: str, label: str, selected: bool) -> str:
    return str(Select.render_option(Choice(value, label, selected, {})))


class FixedSelect(Select):
    """Select.__call__ with the options taken from the field's FixedChoices."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        params = html_params(name=field.name, **kwargs)
        return Markup(f"<select {params}>{field.fixed.options_html(field.data)}</select>")


# WTForms' own fallback text (SelectField.pre_validate), which _BUILTIN above translates.
_NOT_A_VALID_CHOICE = "Not a valid choice."


class FixedSelectField(SelectField):
    """A SelectField over FixedChoices: same markup, same messages, less work per request."""

    widget = FixedSelect()

    def __init__(self, label=None, validators=None, *, fixed: FixedChoices, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.choices = fixed.choices  # the setter shares the list: no copy, no legacy check
        self.fixed = fixed
        self.type = "SelectField"  # the form macro and the stylesheet key on the type name

    def pre_validate(self, form) -> None:
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in self.fixed.values:
            raise ValidationError(self.invalid_choice_message or self.gettext(_NOT_A_VALID_CHOICE))


class SearchPattern:
    """JSON Schema `pattern` semantics: re.search, unanchored unless the pattern anchors itself."""

    def __init__(self, pattern: str, message: str) -> None:
        self.regex = re.compile(pattern)
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data and not self.regex.search(field.data):
            raise ValidationError(self.message)


class CleanText:
    """A text field whose data is the cleaned text (forms/text.py): what validators check and what
    is stored. A field refused by a validator shows what the person typed, so they see what the
    message is about; any other field shows the cleaned text, as it will be stored."""

    clean = staticmethod(single_line)

    def __init__(self, *args, filters=(), **kwargs) -> None:
        super().__init__(*args, filters=(self._cleaned, *filters), **kwargs)

    def _cleaned(self, value):
        return self.clean(value) if isinstance(value, str) else value

    def _value(self) -> str:
        if self.errors and self.raw_data and isinstance(self.raw_data[0], str):
            return without_controls(self.raw_data[0])
        return super()._value()


class CleanStringField(CleanText, StringField):
    pass


class CleanEmailField(CleanText, EmailField):
    pass


class CleanTextAreaField(CleanText, TextAreaField):
    clean = staticmethod(multi_line)


class VisibleText:
    """Required text that was typed but is empty once cleaned (only spaces, zero-width or control
    characters): refused with a message saying so, before the plain "required" check."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        typed = field.raw_data[0] if field.raw_data else ""
        if not field.data and isinstance(typed, str) and typed.strip(" "):
            raise StopValidation(self.message)


class OptionalText(Optional):
    """Optional for cleaned text: empty once cleaned is empty, whatever invisible text was typed."""

    def __call__(self, form, field) -> None:
        if not field.data:
            field.errors[:] = []
            raise StopValidation()
