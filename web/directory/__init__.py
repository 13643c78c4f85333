"""The partners directory and the partner page: every organisation, for staff.

Channel managers, program leads and ops read it (web/manage's pages are for managers only, so it
has a blueprint of its own under the same /manage path). Anyone else signed in, partners first
of all, is told the page does not exist (404): a partner must not learn from a 403 that another
organisation's page is there.
"""

from flask import Blueprint, abort, current_app
from flask_login import current_user

bp = Blueprint("directory", __name__, url_prefix="/manage/partners")


@bp.before_request
def _only_staff():
    """Checked once for the whole blueprint, so no new view can forget it."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_staff:
        abort(404)
    return None


from web.directory import views  # noqa: E402,F401  (routes register on bp)
