"""WTForms' html_params, byte for byte, without Markup.format.

Every attribute of every input WTForms renders goes through html_params, which formats each one
with Markup.format: a pure-Python string.Formatter pass. The application form renders about 30
inputs, and those calls were the largest remaining cost of its page after the country list. This
builds the same string with plain string operations (tests/unit/test_form_markup.py checks it
against WTForms' own), and use_fast_html_params() puts it where WTForms' widgets look it up.
"""

from __future__ import annotations

from markupsafe import Markup, escape
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


def use_fast_html_params() -> None:
    """Where WTForms' widgets find html_params: <select>, <textarea> and lists call the module's
    function; every <input> widget calls Input.html_params, a class attribute meant to be
    overridden."""
    core.html_params = html_params
    core.Input.html_params = staticmethod(html_params)
