"""A signed-in person's settings: the time zone dates are shown in, and the language (their own
choice, or the browser's). Pages and mail both follow them (web/time_zone.py, web/i18n.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError

from db.models import User
from domain.dates import zone, zone_choices
from web.auth import bp
from web.database import db
from web.i18n import LANGUAGE_NAMES, SUPPORTED, store_language
from web.time_zone import reader_zone

BROWSER = ""  # the language choice "follow my browser"


def _real_zone(_form, field) -> None:
    if zone(field.data) is None:
        raise ValidationError(gettext("Choose a time zone from the list."))


class SettingsForm(FlaskForm):
    time_zone = SelectField(_l("Time zone"), validators=[_real_zone],
                            description=_l("Dates and times on every page and in your mail."),
                            validate_choice=False)  # _real_zone says it better than WTForms
    language = SelectField(_l("Language"), validate_choice=True)


def _form() -> SettingsForm:
    form = SettingsForm()
    form.time_zone.choices = list(zone_choices(str(get_locale() or "en")))
    form.language.choices = ([(BROWSER, gettext("The browser's language"))]
                             + [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED])
    return form


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def account_settings():
    form = _form()
    if not form.is_submitted():
        form.time_zone.data = reader_zone()
        form.language.data = current_user.locale if current_user.locale_chosen else BROWSER
    if not form.validate_on_submit():
        return render_template("auth/settings.html", form=form), 400 if form.is_submitted() else 200
    s = db()
    s.get(User, current_user.id).time_zone = form.time_zone.data
    s.commit()
    chosen = form.language.data or None
    store_language(current_user.id, chosen)
    if chosen:
        session["lang"] = chosen
    else:
        session.pop("lang", None)
    flash(gettext("Your settings are saved."), "success")
    return redirect(url_for("auth.account_settings"))
