"""Where each kind of user starts, and links that exist only once other modules land."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext
from flask_login import current_user


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def home_for(user) -> str:
    """Staff (managers, leads, ops) start on the staff home; partners in their portal."""
    if user.is_staff:
        return url_for("home.index")
    if user.is_partner:
        return url_for("portal.home")
    return url_for("public.landing")


def nav_items() -> list[tuple[str, str, bool]]:
    """The main navigation for whoever is looking: (endpoint, label, is the current section)."""
    items: list[tuple[str, str, tuple[str, ...]]] = []
    if not current_user.is_authenticated:
        items += [("public.landing", gettext("The program"), ()),
                  ("public.apply", gettext("Apply"), ("public.submitted",))]
    else:
        if current_user.is_partner:
            items += [("portal.home", gettext("Overview"), ("portal.task",)),
                      ("portal.plan", gettext("Enablement plan"), ()),
                      ("portal.own_organisation", gettext("Organisation"),
                       ("portal.organisation", "portal.agreement")),
                      ("portal.team", gettext("Team"), ())]
        if current_user.is_staff:
            items.append(("home.index", gettext("Home"), ()))
        if current_user.has_role("channel_manager"):
            items.append(("manage.inbox", gettext("Inbox"), ("manage.task",)))
            items.append(("manage.enablement_board", gettext("Enablement"), ()))
        if current_user.is_staff:
            items.append(("directory.index", gettext("Partners"), ("directory.partner",)))
        if current_user.has_role("ops", "program_lead"):
            # The ops pages are another module: link to them only once they are registered.
            if has_endpoint("ops.index"):
                items.append(("ops.index", gettext("Workflows"), ("ops.workflow",)))
            if has_endpoint("ops.stuck"):
                items.append(("ops.stuck", gettext("Stuck work"), ()))
            if has_endpoint("ops.outbox"):
                items.append(("ops.outbox", gettext("Outbox"), ("ops.mailbox", "ops.mail")))
    here = request.endpoint or ""
    return [(endpoint, text, here == endpoint or here in also) for endpoint, text, also in items]
