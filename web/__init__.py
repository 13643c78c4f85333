"""The Flask app: create_app() wires settings, database, Temporal, auth, i18n and blueprints."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from activities.files import FileStore
from db.session import make_sessions
from forms.builder import translated
from settings import Settings
from web.badges import init_badges
from web.body_limit import init_body_limit
from web.database import close_db
from web.errors import register_error_pages
from web.headers import init_headers
from web.i18n import init_i18n
from web.limits import init_limits
from web.notes import init_notes
from web.labels import init_labels
from web.security import init_login
from web.temporal_bridge import TemporalBridge
from web.urls import has_endpoint, home_for, nav_items

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, test_config: dict | None = None) -> Flask:
    """`create_app()` (gunicorn's call) reads the environment and refuses the built-in
    SECRET_KEY; a caller passing its own Settings (the tests) chose its key itself."""
    settings = settings or Settings.from_env().check_secret_key("web app")
    config = dict(test_config or {})
    app = Flask(__name__)
    if settings.trusted_proxies:  # the client address the limits count by, through the proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="prm_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        # Long forms take time to fill in: a token valid for a working day, not Flask-WTF's hour.
        WTF_CSRF_TIME_LIMIT=int(timedelta(hours=12).total_seconds()),
    )
    sessions = config.pop("SESSIONS", None) or make_sessions(settings.database_url)
    app.config.update(config)

    app.extensions["prm.settings"] = settings
    app.extensions["prm.sessions"] = sessions
    app.extensions["prm.temporal"] = TemporalBridge(settings)
    app.teardown_appcontext(close_db)

    csrf.init_app(app)
    init_i18n(app)
    init_login(app)
    init_labels(app)
    init_badges(app)
    init_notes(app)
    register_error_pages(app)
    init_headers(app)
    init_body_limit(app, form_limit=settings.max_content_length,
                    upload_limit_setting=settings.max_upload_length)
    app.extensions["prm.files"] = FileStore(settings.file_store_dir)
    _register_blueprints(app)
    init_limits(app)
    app.add_template_global(has_endpoint, "has_endpoint")
    app.add_template_global(home_for, "home_for")
    app.add_template_global(nav_items, "nav_items")
    app.add_template_filter(translated, "schema_text")
    app.jinja_env.add_extension("jinja2.ext.do")
    return app


def _register_blueprints(app: Flask) -> None:
    from web.agreement_pdf import bp as agreements
    from web.auth import bp as auth
    from web.directory import bp as directory
    from web.files import bp as files
    from web.home import bp as home
    from web.manage import bp as manage
    from web.notifications import bp as notifications
    from web.ops import bp as ops
    from web.portal import bp as portal
    from web.public import bp as public

    for blueprint in (public, auth, portal, home, manage, directory, notifications, ops,
                      agreements, files):
        app.register_blueprint(blueprint)
