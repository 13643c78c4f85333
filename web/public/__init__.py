"""Pages anyone may open: the program, the application form, and emailed task links."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from web.public import apply, health, task_links  # noqa: E402,F401  (routes register on bp)
