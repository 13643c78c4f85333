"""/healthz for load balancers and the compose healthcheck: the process serves and its database
answers. Temporal is deliberately not checked: a Temporal outage should show as 503 on the pages
that need it, not take every web container out of rotation."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import text

from web.database import db
from web.public import bp


@bp.get("/healthz")
def healthz():
    try:
        db().execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        return jsonify(status="unavailable", database=type(exc).__name__), 503
    return jsonify(status="ok", database="ok")
