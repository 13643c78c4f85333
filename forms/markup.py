"""WTForms' html_params, byte for byte, without Markup.format, and the input widgets using it.

Every attribute of every input WTForms renders goes through html_params, which formats each one
with Markup.format: a pure-Python string.Formatter pass. The application form renders about 30
inputs, and those calls were the largest remaining cost of its page after the country list. This
builds the same string with plain string operations (tests/unit/test_form_markup.py checks it,
and each widget's markup, against WTForms' own).

The widgets are WTForms' own with this html_params in the place their class offers for it
(Input.html_params), used by the forms the schemas build (forms/builder.py). WTForms itself is
left as it is: every other form renders exactly as WTForms renders it.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets import core

wtforms_html_params = core.html_params


def html_params(**kwargs) -> Markup:
    """key="value" pairs, sorted by key; True gives a bare attribute, False none at all."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(core.clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


class _FastParams:
    html_params = staticmethod(html_params)


class TextInput(_FastParams, widgets.TextInput):
    pass


class EmailInput(_FastParams, widgets.EmailInput):
    pass


class NumberInput(_FastParams, widgets.NumberInput):
    pass


class CheckboxInput(_FastParams, widgets.CheckboxInput):
    pass


class RadioInput(_FastParams, widgets.RadioInput):
    pass


class HiddenInput(_FastParams, widgets.HiddenInput):
    pass
