"""Shared fixtures: real databases, a real SMTP server, real Temporal servers, a real worker.

Chain: database url -> settings -> worker (on the dev server) -> Flask app (tests/web).
SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
import pytest_asyncio
from sqlalchemy import text

from db.migrate import downgrade, upgrade
from db.session import make_engine, make_sessions
from devstack.smtp import SmtpCatcher
from devstack.temporal_server import DevServer
from devstack.worker_thread import WorkerThread
from settings import Settings

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgres"]


@pytest_asyncio.fixture(scope="session", loop_scope="session", autouse=True)
async def _session_loop_ends_like_asyncio_run():
    """The async tests share one event loop for the session. pytest-asyncio closes it without
    cancelling what still waits on it, as asyncio.run would: the SMTP mailer's closer of idle
    sessions (activities/mailer.py) then never runs and its sockets are left to the garbage
    collector (a ResourceWarning, an error here). Set up first, so torn down last."""
    yield
    await cancel_the_rest()


async def cancel_the_rest() -> None:
    """What asyncio.run does before it closes its loop: every other task cancelled and awaited."""
    rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'prm-test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_database_url() -> str:
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set TEST_DATABASE_URL (see .ci/run)")
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped on this machine")
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:  # a clean slate: the test database is ours alone
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_database_url")


@pytest.fixture(scope="session")
def sessions(database_url):
    factory = make_sessions(database_url)
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher().start()
    yield catcher
    catcher.stop()


@pytest.fixture(scope="session")
def dev_server() -> Iterator[DevServer]:
    server = DevServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def file_store_dir(tmp_path_factory):
    """The file store's directory for the session's apps and worker (never the checkout's var/)."""
    return tmp_path_factory.mktemp("files")


@pytest.fixture(scope="session")
def settings(database_url, smtp, dev_server, file_store_dir) -> Settings:
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    return Settings(
        database_url=database_url, temporal_address=dev_server.address,
        temporal_task_queue=f"prm-test-{backend}", smtp_host="127.0.0.1", smtp_port=smtp.port,
        secret_key="test-secret", base_url="http://prm.test", mailbox_dir="",
        file_store_dir=str(file_store_dir))


@pytest.fixture(scope="session")
def worker(settings, sessions) -> Iterator[WorkerThread]:
    thread = WorkerThread(settings, sessions).start()
    yield thread
    thread.stop()


def unique_email(prefix: str = "contact") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example-{uuid.uuid4().hex[:6]}.com"


def application(**overrides) -> dict:
    """A valid partner_application.v1 payload with unique company, domain and email."""
    tag = uuid.uuid4().hex[:8]
    data = {
        "company_name": f"Acme {tag} Ltd", "website": f"https://www.acme-{tag}.com",
        "country": "CN", "region": "Shanghai", "partner_type": "reseller",
        "contact_name": "Li Wei", "contact_email": f"li.wei@acme-{tag}.com",
        "contact_phone": "+86 21 5555 0100", "employees": 40, "annual_revenue_band": "1m_10m",
        "industries": ["manufacturing"], "products": ["platform"], "message": "Hello",
    }
    data.update(overrides)
    return data
