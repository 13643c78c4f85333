"""Channel managers' area: the inbox and the task pages (channel_manager; program leads too)."""

from flask import Blueprint

from web.security import roles_required

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
@roles_required("channel_manager")
def _only_managers() -> None:
    """Checked once for the whole blueprint, so no new view can forget it."""


from web.manage import bulk, enablement_board, inbox, task_pages  # noqa: E402,F401  (routes register on bp)
