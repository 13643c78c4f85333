"""The forms of a manager's changes to one partner's plan (the partner page's enablement
section): add an ad-hoc task, waive a task, move a due date, move to another plan version.

Each carries a nonce (the update id's, web/enablement/updates.py) and is CSRF-protected
(Flask-WTF). A due date is a day: it is due at the end of that day in the manager's time zone,
and must be after today there (the workflow's validator checks the moment again).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from domain.dates import zone_or_utc
from domain.enablement import ItemOwner
from web.labels import ROLE_LABELS, label
from web.time_zone import reader_zone

REASON_MAX = 1000


def due_moment(day: date) -> datetime:
    """The end of `day` in the reader's zone, in UTC."""
    local = datetime.combine(day, time(23, 59), tzinfo=zone_or_utc(reader_zone()))
    return local.astimezone(timezone.utc)


def _in_the_future(_form, field) -> None:
    if field.data is not None and due_moment(field.data) <= datetime.now(timezone.utc) + \
            timedelta(minutes=1):
        raise ValidationError(_l("Choose a day after today."))


def _not_blank(_form, field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(_l("Say why."))


def owner_choices() -> list[tuple[str, str]]:
    return [(o.value, label(ROLE_LABELS, o.value)) for o in ItemOwner]


class AddTaskForm(FlaskForm):
    title = StringField(_l("Task"), validators=[DataRequired(message=_l("Name the task.")),
                                                Length(max=200)])
    description = TextAreaField(_l("What to do"), validators=[Optional(), Length(max=REASON_MAX)])
    owner = SelectField(_l("Owner"), validate_choice=True)
    stage = SelectField(_l("Counts towards stage"), validate_choice=True)
    due = DateField(_l("Due on"), validators=[DataRequired(message=_l("Choose the due date.")),
                                              _in_the_future])
    required = BooleanField(_l("Required for the stage"))
    review = BooleanField(_l("A manager reviews the evidence"), default=True)
    form_nonce = HiddenField()


class WaiveForm(FlaskForm):
    """One per open item (prefix "waive-<key>"): the item is the URL's."""
    reason = TextAreaField(_l("Why is it waived?"), validators=[_not_blank,
                                                                Length(max=REASON_MAX)])
    form_nonce = HiddenField()


class MoveDueForm(FlaskForm):
    """One per open item (prefix "due-<key>")."""
    due = DateField(_l("New due date"), validators=[DataRequired(message=_l("Choose the due date.")),
                                                    _in_the_future])
    reason = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=REASON_MAX)])
    form_nonce = HiddenField()


class MovePlanForm(FlaskForm):
    version = SelectField(_l("Move to version"), coerce=int, validate_choice=True)
    form_nonce = HiddenField()
