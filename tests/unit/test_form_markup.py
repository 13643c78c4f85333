"""The faster form rendering (forms/markup.py, forms/fields.py) must not change a byte."""

import itertools

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.validators import DataRequired

from forms.fields import FixedChoices, FixedSelectField, MultiCheckboxField, RadioGroupField
from forms.markup import html_params, wtforms_html_params

VALUES = [True, False, None, 0, 40, 2.5, "", "plain", 'say "hi"', "<b>&amp;</b>", "中文",
          Markup('<i class="x">'), Markup("&quot;ok&quot;")]
KEYS = ["id", "name", "class_", "for_", "data_test_id", "aria_describedby", "aria_invalid",
        "required", "maxlength", "value", "type", "checked"]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_html_params_renders_every_kind_of_value_as_wtforms_does(value):
    for key in KEYS:
        assert html_params(**{key: value}) == wtforms_html_params(**{key: value})


def test_html_params_orders_and_joins_attributes_as_wtforms_does():
    for values in itertools.permutations(VALUES[:6], 4):
        kwargs = dict(zip(["type", "id", "aria_invalid", "name"], values))
        assert html_params(**kwargs) == wtforms_html_params(**kwargs)
    kwargs = {"name": "industries", "id": "industries-0", "type": "checkbox", "value": "a&b",
              "checked": True, "required": False, "data_x": '"q"'}
    rendered = html_params(**kwargs)
    assert isinstance(rendered, Markup) and rendered == wtforms_html_params(**kwargs)


CHOICES = [("", "Choose…"), ("CN", "China"), ("CI", "Côte d’Ivoire"), ("X&Y", 'Say "<x>"')]


class Reference(Form):
    country = SelectField(choices=CHOICES, validators=[DataRequired()],
                          invalid_choice_message="Choose one of the options.")


class Fixed(Form):
    country = FixedSelectField(fixed=FixedChoices(CHOICES), validators=[DataRequired()],
                               invalid_choice_message="Choose one of the options.")


@pytest.mark.parametrize("sent", [None, [], [""], ["CN"], ["X&Y"], ["ZZ"], ["cn"]], ids=repr)
def test_a_fixed_select_renders_and_validates_like_a_select(sent):
    formdata = MultiDict({"country": sent}) if sent is not None else None
    reference, fixed = Reference(formdata), Fixed(formdata)
    assert fixed.validate() == reference.validate()
    assert fixed.country.errors == reference.country.errors
    assert fixed.country.type == reference.country.type
    assert fixed.country() == reference.country()
    assert fixed.country(aria_invalid="true") == reference.country(aria_invalid="true")


def test_a_fixed_select_shows_prefilled_data_like_a_select():
    assert Fixed(data={"country": "CI"}).country() == Reference(data={"country": "CI"}).country()


OPTIONS = [("a", "Alpha"), ("b", 'B "&" <b>'), ("c", "中文")]


def _groups(rendered: dict):
    class Groups(Form):
        many = MultiCheckboxField(choices=OPTIONS, validators=[DataRequired()], rendered=rendered)
        one = RadioGroupField(choices=OPTIONS, validators=[DataRequired()], rendered=rendered)
    return Groups


def _as_wtforms_renders(field, **render_kw):
    return [(option(**render_kw), option.label.text) for option in field]


def test_checkbox_and_radio_options_render_once_and_stay_right_for_every_state():
    groups = _groups({})  # one form class, its cache shared by every form made from it
    for many, one in [([], None), (["a", "c"], "b"), (["b"], "a"), ([], None), (["zz"], "zz")]:
        formdata = MultiDict([*(("many", v) for v in many), *([("one", one)] if one else [])])
        form = groups(formdata)
        assert form.many.rendered_options(required=False) == _as_wtforms_renders(form.many,
                                                                                required=False)
        assert form.one.rendered_options() == _as_wtforms_renders(form.one)
        assert form.one.type == "RadioField" and form.many.type == "MultiCheckboxField"
    prefilled = groups(data={"many": ["c"], "one": "c"})
    assert prefilled.many.rendered_options() == _as_wtforms_renders(prefilled.many)
    assert prefilled.one.rendered_options() == _as_wtforms_renders(prefilled.one)


# Each of our widgets against the WTForms widget it stands in for: same field, same markup.
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, RadioField, StringField  # noqa: E402
from wtforms import widgets as wtforms_widgets  # noqa: E402
from wtforms.validators import InputRequired, Length, Optional  # noqa: E402

from forms import markup  # noqa: E402

WIDGET_CASES = [
    (StringField, "TextInput", {"validators": [DataRequired(), Length(max=80)]},
     ["", "Li Wei", 'say "hi" <b>', "中文"]),
    (EmailField, "EmailInput", {"validators": [Optional()]}, ["", "li.wei@acme.example"]),
    (IntegerField, "NumberInput", {"validators": [InputRequired()]}, ["", "40", "x"]),
    (BooleanField, "CheckboxInput", {}, [None, "y"]),
    (HiddenField, "HiddenInput", {}, ["", "nonce-1&2"]),
]


@pytest.mark.parametrize("field_type, widget, options, sent", WIDGET_CASES,
                         ids=[c[1] for c in WIDGET_CASES])
def test_each_widget_renders_as_the_wtforms_widget_it_stands_in_for(field_type, widget, options,
                                                                     sent):
    class Ours(Form):
        f = field_type(widget=getattr(markup, widget)(), render_kw={"maxlength": 80}, **options)

    class Theirs(Form):
        f = field_type(widget=getattr(wtforms_widgets, widget)(), render_kw={"maxlength": 80},
                       **options)

    assert Ours().f() == Theirs().f()
    for value in sent:
        formdata = MultiDict({"f": value} if value is not None else {})
        ours, theirs = Ours(formdata), Theirs(formdata)
        ours.validate(), theirs.validate()
        assert ours.f(aria_invalid="true", class_="x") == theirs.f(aria_invalid="true", class_="x")


def test_radio_options_render_as_wtforms_radio_options():
    class Ours(Form):
        f = RadioGroupField(choices=OPTIONS, validators=[DataRequired()], rendered={})

    class Theirs(Form):
        f = RadioField(choices=OPTIONS, validators=[DataRequired()])

    for sent in [None, "b"]:
        formdata = MultiDict({"f": sent} if sent else {})
        assert [o() for o in Ours(formdata).f] == [o() for o in Theirs(formdata).f]


def test_wtforms_itself_is_left_alone(tmp_path):
    """Only the schema-built forms use these widgets: nothing is patched into WTForms."""
    from wtforms.widgets import core

    from settings import Settings
    from web import create_app
    create_app(Settings(database_url=f"sqlite:///{tmp_path}/app.db"), {"TESTING": True})
    assert core.html_params is wtforms_html_params
    assert core.Input.html_params is not markup.TextInput.html_params
