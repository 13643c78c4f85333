"""Web fixtures: the real app on a real migrated database (SQLite, and PostgreSQL when configured).

Chain: database_url (tests/conftest.py) -> web_settings -> app -> client -> login helper.
Pages that never reach Temporal use `app`, whose Temporal address refuses connections, so a test
passing there proves the page did not need Temporal. `live_app` runs on the real dev server with a
real worker and SMTP server (tests/conftest.py).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from db.models import Organisation, Task, User
from domain import ids
from settings import Settings
from tests.conftest import application
from web import create_app
from web.passwords import hash_password

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """`make` compiles the catalogs; a bare pytest run must not test stale or missing .mo files."""
    for po in (ROOT / "web" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)


@pytest.fixture(scope="session")
def web_settings(database_url, file_store_dir) -> Settings:
    return Settings(database_url=database_url, temporal_address="127.0.0.1:9",
                    secret_key="web-test-secret", base_url="http://prm.test",
                    file_store_dir=str(file_store_dir))


def _app(settings, sessions, **config):
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions,
                                **config})
    return app


@pytest.fixture
def app(web_settings, sessions):
    app = _app(web_settings, sessions)
    yield app
    app.extensions["prm.temporal"].close()


@pytest.fixture
def csrf_app(web_settings, sessions):
    """CSRF on, as in production."""
    app = _app(web_settings, sessions, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["prm.temporal"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live_app(settings, sessions, worker):
    """The app on the Temporal dev server, with a real worker and SMTP (tests/conftest.py)."""
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    yield app
    app.extensions["prm.temporal"].close()


# -- data helpers (real rows in the real database) ---------------------------------------------

def tag() -> str:
    return uuid.uuid4().hex[:8]


def make_user(sessions, *roles: str, org_id: str | None = None, name: str | None = None,
              password: str = PASSWORD, locale: str = "en") -> User:
    with sessions.begin() as s:
        user = User(email=f"user-{tag()}@example.com", name=name or f"User {tag()}",
                    password_hash=hash_password(password) if password else None,
                    roles=list(roles), org_id=org_id, locale=locale)
        s.add(user)
    return user


def make_org(sessions, name: str | None = None, status: str = "in_review", **app_overrides) -> Organisation:
    org_id = ids.new_org_id()
    data = application(**({"company_name": name} if name else {}), **app_overrides)
    with sessions.begin() as s:
        org = Organisation(id=org_id, reference=ids.application_reference(org_id), name=data["company_name"],
                           normalised_name=data["company_name"].lower(), domain=f"{tag()}.example",
                           country=data["country"], partner_type=data["partner_type"], status=status,
                           workflow_id=ids.onboarding_workflow_id(org_id), application=data)
        s.add(org)
    return org


def make_task(sessions, org: Organisation, *, step: str = "review", task_type: str = "review_application",
              form: str = "review_decision.v1", due_in: timedelta = timedelta(days=2),
              role: str | None = "channel_manager", partner: bool = False, **fields) -> Task:
    with sessions.begin() as s:
        task = Task(id=ids.task_id(org.workflow_id, f"{step}-{tag()}"), workflow_id=org.workflow_id,
                    task_type=task_type, form=form, title=fields.pop("title", f"{task_type} {org.name}"),
                    org_id=org.id, status=fields.pop("status", "open"),
                    assignee_role=None if partner else role,
                    assignee_org_id=org.id if partner else None,
                    assignee_email=org.application["contact_email"] if partner else None,
                    due_at=datetime.now(timezone.utc) + due_in, context=fields.pop("context", {}),
                    **fields)
        s.add(task)
    return task


def login(client, user: User, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def field_block(html: str, name: str) -> str:
    """The HTML of one form field's block (label, input, hint and errors)."""
    found = re.search(rf'<div class="field[^"]*" id="{re.escape(name)}-field">(.*?)\n</div>', html, re.S)
    assert found, f"no field {name} in page"
    return found.group(1)


def nonce_of(html: str) -> str:
    found = re.search(r'name="form_nonce" type="hidden" value="([^"]+)"', html)
    assert found, "no form nonce in page"
    return found.group(1)
