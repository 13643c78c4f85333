"""Fault-test fixtures: every test gets its own stack (app database, SMTP, dev server, workers),
because the faults break things on purpose. Every child process is killed in teardown.

Workers run as `python worker.py` subprocesses configured through the environment, like in
production, so a fault can SIGKILL one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowHandle

from db.migrate import upgrade
from db.session import make_sessions
from devstack.gated_smtp import GatedSmtpCatcher
from devstack.temporal_server import DevServer
from devstack.worker_process import WorkerProcess
from domain import ids
from domain.onboarding import OnboardingInput
from domain.program import ProgramRules
from settings import Settings
from tests.conftest import application
from tests.waiting import wait_until  # noqa: F401 (the fault tests import it from here)
from workflows.client import connect
from workflows import start

def run(coro_fn: Callable[..., object], settings: Settings, *args):
    """`await coro_fn(client, *args)` on a short-lived client: it must not outlive a dev server
    that a test restarts."""
    async def go():
        return await coro_fn(await connect(settings), *args)
    return asyncio.run(go())


@pytest.fixture
def app_db(tmp_path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """A migrated SQLite file of this test's own (the worker subprocess opens it too)."""
    url = f"sqlite:///{tmp_path / 'prm.db'}"
    upgrade(url)
    sessions = make_sessions(url)
    yield url, sessions
    sessions.kw["bind"].dispose()


@pytest.fixture
def mail_server() -> Iterator[GatedSmtpCatcher]:
    catcher = GatedSmtpCatcher().start()
    yield catcher
    catcher.release()  # let held sessions finish so the controller stops promptly
    catcher.stop()


class Processes:
    """Every dev server and worker a test starts, stopped in teardown whatever happened."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.servers: list[DevServer] = []
        self.workers: list[WorkerProcess] = []

    def dev_server(self, **kw) -> DevServer:
        n = len(self.servers) + 1
        server = DevServer(log_file=self.tmp / f"temporal-{n}.log", **kw)
        self.servers.append(server)  # registered before start: a half-started one is stopped too
        return server.start()

    def worker(self, settings: Settings) -> WorkerProcess:
        n = len(self.workers) + 1
        worker = WorkerProcess(settings, self.tmp / f"worker-{n}.log")
        self.workers.append(worker)
        return worker.start()

    def logs(self) -> str:
        parts = []
        for path in sorted(self.tmp.glob("*.log")):
            parts.append(f"--- {path.name} (last 3000 chars)\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.kill()
        for server in self.servers:
            server.stop()


@pytest.fixture
def processes(tmp_path, request) -> Iterator[Processes]:
    procs = Processes(tmp_path)
    try:
        yield procs
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(procs.logs())  # shown with the failure: what the server and workers said
        procs.stop_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def fault_settings(database_url: str, server: DevServer, smtp: GatedSmtpCatcher) -> Settings:
    return Settings(
        database_url=database_url, temporal_address=server.address,
        temporal_task_queue=f"prm-faults-{uuid.uuid4().hex[:8]}", smtp_host="127.0.0.1",
        smtp_port=smtp.port, secret_key="fault-test-secret", base_url="http://prm.test", mailbox_dir="")


async def start_application(client: Client, settings: Settings, rules: ProgramRules) -> WorkflowHandle:
    """Starts an application the way web/public/apply.py does, but pinned to `rules`
    (the web always uses the default program, whose SLAs are days long)."""
    org_id = ids.new_org_id()
    reference = ids.application_reference(org_id)
    payload = application()
    inp = OnboardingInput(org_id=org_id, reference=reference, application=payload, program=rules,
                          locale="en")
    return await start.start_onboarding(client, settings.temporal_task_queue, inp)
