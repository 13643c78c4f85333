"""Options rendered once (forms/fields.py) must render and validate exactly as WTForms does."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from forms.fields import FixedChoices, FixedSelectField, MultiCheckboxField, RadioGroupField

CHOICES = [SelectChoice("", "Choose…"), SelectChoice("CN", "China"), SelectChoice("CI", "Côte d’Ivoire"),
           SelectChoice("X&Y", 'Say "<x>"')]


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


OPTIONS = [SelectChoice("a", "Alpha"), SelectChoice("b", 'B "&" <b>'), SelectChoice("c", "中文")]


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


def test_radio_options_render_as_wtforms_radio_options():
    class Ours(Form):
        f = RadioGroupField(choices=OPTIONS, validators=[DataRequired()], rendered={})

    class Theirs(Form):
        f = RadioField(choices=OPTIONS, validators=[DataRequired()])

    for sent in [None, "b"]:
        formdata = MultiDict({"f": sent} if sent else {})
        assert [o() for o in Ours(formdata).f] == [o() for o in Theirs(formdata).f]


def test_schema_forms_render_every_input_with_wtforms_own_widgets(tmp_path):
    """No re-implementation of WTForms' rendering to keep in step with it: bench/form_render.py
    measured WTForms' own html_params at about 0.3 ms more CPU per application page."""
    from forms import form_class
    from settings import Settings
    from web import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/app.db", secret_key="unit-test"),
                     {"TESTING": True})
    with app.test_request_context("/apply"):
        form = form_class("partner_application.v1")()
        sign = form_class("sign_agreement.v1")()
    from wtforms.widgets import core

    from forms import fields

    for field in [*form, *sign]:
        if isinstance(field, FixedSelectField):  # options cached, the <select> by WTForms' html_params
            assert fields.html_params is core.html_params
            continue
        assert type(field.widget).__module__.startswith("wtforms.widgets"), field.name
        option_widget = getattr(field, "option_widget", None)
        assert option_widget is None or type(option_widget).__module__.startswith("wtforms."), field.name
