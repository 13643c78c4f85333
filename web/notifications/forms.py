"""The notification settings form: one choice per kind, each mail / daily digest / none."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from domain.notifications import DEFAULT_DELIVERY, Delivery, NotificationKind

KIND_LABELS = {
    NotificationKind.GROUP_TASK: _l("A new task for my group"),
    NotificationKind.MY_TASK: _l("A task assigned to me"),
    NotificationKind.REMINDER: _l("A reminder about a group task"),
    NotificationKind.OVERDUE: _l("An overdue notice"),
    NotificationKind.ESCALATION: _l("A task escalated to my role"),
    NotificationKind.APPLICATION_CLOSED: _l("An application closed without a decision"),
}
KIND_HINTS = {
    NotificationKind.GROUP_TASK: _l("Anyone in the group may claim it."),
    NotificationKind.MY_TASK: _l("A task you hold: when it opens for you, and its reminders."),
    NotificationKind.REMINDER: _l("Half of the time allowed has passed, or the deadline is near."),
    NotificationKind.OVERDUE: _l("The deadline, or the escalation's new one, has passed."),
    NotificationKind.ESCALATION: _l("Nobody decided in time, so it comes to you."),
    NotificationKind.APPLICATION_CLOSED: _l("A deadline passed or the questions reached their limit."),
}
DELIVERY_LABELS = {
    Delivery.EACH: _l("A mail each time"),
    Delivery.DIGEST: _l("In the daily digest"),
    Delivery.NONE: _l("No mail (only here)"),
}


class DeliveryField(SelectField):
    def pre_validate(self, form) -> None:
        if self.data not in {d.value for d in Delivery}:
            raise ValidationError(_l("Choose one of the listed options."))


class _SettingsForm(FlaskForm):
    def schema_fields(self) -> list:
        """The choices in the kinds' order (named as forms/builder.py's forms name theirs, so the
        shared error summary of macros/forms.html serves this form too)."""
        return [self[kind.value] for kind in NotificationKind]

    def choices(self) -> dict[NotificationKind, str]:
        return {kind: self[kind.value].data for kind in NotificationKind}


@lru_cache(maxsize=1)
def settings_form_class() -> type[_SettingsForm]:
    """Built from the kinds, so a new kind appears on the page without touching it."""
    fields = {kind.value: DeliveryField(
        KIND_LABELS[kind], description=KIND_HINTS[kind], default=DEFAULT_DELIVERY[kind].value,
        choices=[SelectChoice(d.value, DELIVERY_LABELS[d]) for d in Delivery]) for kind in NotificationKind}
    return type("NotificationSettingsForm", (_SettingsForm,), fields)
