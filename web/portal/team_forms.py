"""The team page's invitation form (a fixed form, so plain WTForms, like web/auth_forms.py)."""

from __future__ import annotations

from flask_babel import get_locale, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from domain.roles import Role
from forms.fields import RadioGroupField
from web.i18n import LANGUAGE_NAMES, SUPPORTED
from web.labels import ROLE_LABELS


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def role_choices() -> list[tuple[str, str]]:
    return [(r.value, str(ROLE_LABELS[r.value])) for r in (Role.PARTNER_USER, Role.PARTNER_ADMIN)]


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip],
                       validators=[DataRequired(message=_l("Enter your colleague's name.")),
                                   Length(max=200, message=_l("Use at most %(max)d characters."))],
                       render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email"), filters=[_strip],
                       validators=[DataRequired(message=_l("Enter your colleague's email address.")),
                                   Length(max=254, message=_l("Use at most %(max)d characters.")),
                                   Email(message=_l("Enter an email address such as name@example.com."),
                                         check_deliverability=False)],
                       render_kw={"autocomplete": "off"})
    role = RadioGroupField(_l("Role"), default=Role.PARTNER_USER.value, rendered={},
                      description=_l("Administrators manage the team; users work on the "
                                     "organisation's tasks."))
    language = SelectField(_l("Language of the invitation"),
                           description=_l("The invitation mail and, until they choose, their pages."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
        self.role.rendered = {}  # its labels are in this request's language: cache per form
        self.language.choices = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED]
        if not self.language.data:  # the page's language, until the admin picks another
            self.language.data = str(get_locale() or "en")
