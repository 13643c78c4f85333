"""Browser fixtures: the real app served over HTTP, a real worker, and Debian's Chromium.

Chain: sqlite_database_url, smtp, dev_server (tests/conftest.py) -> browser_settings ->
browser_worker (its own task queue) -> live_server (werkzeug on a free port, CSRF on as in
production) -> browser (Playwright driving Chromium) -> page contexts in the tests.

Only SQLite here: the browser run is about what a person sees, the database layer is covered on
both backends elsewhere, and one backend keeps this slow test short.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from db.models import User
from db.session import make_sessions
from devstack.ports import free_port
from devstack.worker_thread import WorkerThread
from settings import Settings
from tests.web.conftest import compiled_catalogs  # noqa: F401  (autouse: zh_Hans pages need .mo files)
from web import create_app
from web.passwords import hash_password

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
# No sandbox: CI runs as root in a container. The rest keeps Chromium from calling home or
# updating itself mid-test, which would only add noise and time.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MANAGER_PASSWORD = "manager browser password"
_skipped_because: list[str] = []
_screenshots_in: list[Path] = []

try:  # once for the folder, rather than a guard in every test module
    import playwright.sync_api  # noqa: F401
except ImportError:  # a dev dependency: missing only outside `make test`, and never fine in CI
    if os.environ.get("CI"):
        raise
    collect_ignore_glob = ["test_*.py"]
    _skipped_because.append("the playwright package is not installed (pip install -e '.[dev]')")


def _unavailable(reason: str) -> None:
    """DESIGN.md section 6: skip (saying why) where there is no Chromium, never in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    _skipped_because.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter) -> None:
    """Said at the end of the run: output printed inside a fixture is captured and, on a skip,
    never shown."""
    if _skipped_because:
        terminalreporter.write_line(f"browser tests skipped: {_skipped_because[0]}", yellow=True)
    if _screenshots_in:
        terminalreporter.write_line(f"browser screenshots: {_screenshots_in[0]}")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Checked before any server starts: without a browser there is nothing to serve."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM} (set PLAYWRIGHT_CHROMIUM or install chromium)")
    return CHROMIUM


# Package scope, not session: Playwright's sync API keeps an event loop running on the main thread
# while it lives, and every asyncio test collected after tests/browser/ would then fail to start.
@pytest.fixture(scope="package")
def browser(chromium_executable):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    # A decision waits for a workflow update before the page answers: allow a loaded CI machine
    # more than expect()'s default 5 s. Pages here normally answer in well under a second.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass(frozen=True)
class LiveServer:
    url: str
    settings: Settings
    sessions: object  # sessionmaker on the same database as the app and the worker


@pytest.fixture(scope="session")
def browser_settings(chromium_executable, sqlite_database_url, smtp, dev_server) -> Settings:
    # The port is chosen before the app exists because base_url must be known to the worker:
    # emailed links are built from it, and the test follows them in the browser.
    port = free_port()
    return Settings(
        database_url=sqlite_database_url, temporal_address=dev_server.address,
        temporal_task_queue=f"prm-browser-{uuid.uuid4().hex[:8]}",  # only our worker runs our workflows
        smtp_host="127.0.0.1", smtp_port=smtp.port, secret_key="browser-test-secret",
        base_url=f"http://127.0.0.1:{port}", mailbox_dir="")


@pytest.fixture(scope="session")
def browser_sessions(browser_settings):
    factory = make_sessions(browser_settings.database_url)
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def browser_worker(browser_settings, browser_sessions) -> Iterator[WorkerThread]:
    thread = WorkerThread(browser_settings, browser_sessions).start()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def live_server(browser_settings, browser_sessions, browser_worker) -> Iterator[LiveServer]:
    # No TESTING and no WTF_CSRF_ENABLED override: the browser gets exactly what production serves.
    app = create_app(browser_settings, {"SESSIONS": browser_sessions})
    port = int(browser_settings.base_url.rsplit(":", 1)[1])
    # threaded: the browser fetches the stylesheet while a page is still being served.
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-http", daemon=True)
    thread.start()
    yield LiveServer(browser_settings.base_url, browser_settings, browser_sessions)
    server.shutdown()
    thread.join(10)
    app.extensions["prm.temporal"].close()


@pytest.fixture
def new_context(browser, live_server):
    """A fresh browser profile per person (no shared cookies), closed after the test."""
    contexts = []

    def make(**options):
        options = {"base_url": live_server.url, "locale": "en-GB",
                   "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)  # the same allowance for clicks and page loads
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: BROWSER_SCREENSHOTS if set (CI artefacts), else a temp dir."""
    chosen = os.environ.get("BROWSER_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    _screenshots_in.append(folder)
    return folder


@pytest.fixture
def screenshot(screenshot_dir, request):
    """screenshot(page, "01-apply"): a full-page PNG named after the test and the step."""
    def take(page, step: str) -> Path:
        path = screenshot_dir / f"{request.node.name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


# The README shows these (docs/screenshots/): taken by the browser tests, so they stay current.
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def readme_screenshot():
    """readme_screenshot(page, "home"): the visible part of the page at the test's viewport (or
    all of it), as docs/screenshots/home.png (committed; every browser run refreshes it)."""
    def take(page, name: str, full_page: bool = False) -> Path:
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = README_SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    password: str


@pytest.fixture
def channel_manager(live_server) -> Login:
    """A channel manager with a real argon2 hash: they sign in through the login page."""
    tag = uuid.uuid4().hex[:8]
    login = Login(f"manager-{tag}@prm.example", f"Dana Manager {tag}", MANAGER_PASSWORD)
    with live_server.sessions.begin() as s:
        s.add(User(email=login.email, name=login.name, password_hash=hash_password(login.password),
                   roles=["channel_manager"], locale="en"))
    return login
