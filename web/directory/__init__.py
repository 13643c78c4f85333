"""The partners directory and the partner page: every organisation, for staff.

Channel managers, program leads and ops read it (web/manage's pages are for managers only, so it
has a blueprint of its own under the same /manage path). Anyone else signed in, partners first
of all, is told the page does not exist (404): a partner must not learn from a 403 that another
organisation's page is there.
"""

from flask import Blueprint

from web.security import staff_or_not_found

bp = Blueprint("directory", __name__, url_prefix="/manage/partners")


# Checked once for the whole blueprint, so no new view can forget it.
bp.before_request(staff_or_not_found)


from web.directory import enablement, views  # noqa: E402,F401  (routes register on bp)
