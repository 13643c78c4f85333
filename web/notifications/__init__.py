"""Staff notifications in the app: the header's count of what is new, the list that marks it
seen, and each person's settings (per kind: each mail, a daily digest or none).

For staff only: partners are told what to do by mail and on their portal's home, and have no
notifications here; anyone else signed in is told the pages do not exist (404), as the directory
tells them. The rows are written by the sending activities (activities/notifications.py).
"""

from flask import Blueprint

from web.security import staff_or_not_found

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

bp.before_request(staff_or_not_found)


from web.notifications import views  # noqa: E402,F401  (routes register on bp)
