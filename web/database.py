"""The web app's access to the app database: one session factory per app, a session per request."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker


def sessions() -> sessionmaker[Session]:
    return current_app.extensions["prm.sessions"]


def db() -> Session:
    """The request's session (read freely; commit explicitly where the web owns the record)."""
    if "db_session" not in g:
        g.db_session = sessions()()
    return g.db_session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
