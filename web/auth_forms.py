"""The account forms: sign in, set, change and reset a password (fixed forms, so plain WTForms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from web.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address."))],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least %(n)d characters. A short sentence is easy to remember and hard to guess.",
                       n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(message=_l("Choose a password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=1000,
                           message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(message=_l("Type the password again.")),
                    EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(SetPasswordForm):
    """The new password follows the set-password rules; the current one proves it is the owner."""
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(message=_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email address."))],
                       filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       render_kw={"autocomplete": "username"})
