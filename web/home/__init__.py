"""The staff home: where channel managers, program leads and ops land after signing in.

Partners by stage, what is overdue, what is mine, and the last week's decisions, each a number
that links to the list it counts (the partners directory, the inbox). Like the directory it is for
all staff, so it has a blueprint of its own under /manage (web/manage is for managers only);
anyone else signed in is told the page does not exist (404), as the directory tells them.
"""

from flask import Blueprint

from web.security import staff_or_not_found

bp = Blueprint("home", __name__, url_prefix="/manage/home")


# Checked once for the whole blueprint, so no new view can forget it.
bp.before_request(staff_or_not_found)


from web.home import views  # noqa: E402,F401  (routes register on bp)
