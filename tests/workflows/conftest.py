"""Workflow tests: the time-skipping test server, a real worker with real activities, SQLite, SMTP."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from db.models import Notification, Task, User
from db.session import make_sessions
from devstack.smtp import SmtpCatcher
from devstack.temporal_server import test_server_binary
from domain import ids
from domain.onboarding import OnboardingInput
from domain.program import ProgramRules
from domain.tasks import Actor, CompleteTaskInput, TaskOutcome
from settings import Settings
from tests.conftest import application
from worker import build_worker
from workflows import PartnerOnboardingWorkflow
from workflows import search
from workflows.client import DATA_CONVERTER
from workflows.start import start_onboarding

MANAGER = Actor(name="Mia Manager", roles=("channel_manager",), user_id=1)
LEAD = Actor(name="Lee Lead", roles=("program_lead",), user_id=2)


@pytest_asyncio.fixture
async def time_env():
    """One test server per test: its clock is global, so a skip in one test must not leak."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_binary(), data_converter=DATA_CONVERTER)
    await search.register(env.client)
    yield env
    await env.shutdown()


@dataclass
class Harness:
    env: WorkflowEnvironment
    client: Client
    settings: Settings
    sessions: sessionmaker[Session]
    smtp: SmtpCatcher

    async def start(self, program: ProgramRules | None = None, **app_overrides):
        org_id = ids.new_org_id()
        app = application(**app_overrides)
        handle = await start_onboarding(
            self.client, self.settings.temporal_task_queue,
            OnboardingInput(org_id, ids.application_reference(org_id), app,
                            program or ProgramRules(), "en"))
        return handle, org_id, app

    async def open_task(self, handle: WorkflowHandle, task_type: str, timeout: float = 20) -> Task:
        """The open task row of this type, once the workflow has projected it."""
        for _ in range(int(timeout * 20)):
            with self.sessions() as s:
                task = s.scalar(select(Task).where(Task.workflow_id == handle.id,
                                                   Task.task_type == task_type,
                                                   Task.status == "open"))
            if task is not None:
                return task
            await asyncio.sleep(0.05)
        raise AssertionError(f"no open {task_type} task for {handle.id}")

    async def decide(self, handle: WorkflowHandle, task: Task, actor: Actor, payload: dict,
                     request_id: str | None = None) -> TaskOutcome:
        request_id = request_id or f"{task.id}/{uuid.uuid4().hex}"
        return await handle.execute_update(
            PartnerOnboardingWorkflow.complete_task,
            CompleteTaskInput(task.id, request_id, actor, payload), id=request_id)

    async def closed_task(self, task_id: str, timeout: float = 20) -> Task:
        """The row once closed: with no web app here, the workflow's next activity closes it."""
        for _ in range(int(timeout * 20)):
            task = self.task(task_id)
            if task.status not in ("open", "claimed"):
                return task
            await asyncio.sleep(0.05)
        raise AssertionError(f"task {task_id} is still open")

    @staticmethod
    async def stop(handle: WorkflowHandle) -> None:
        """Terminate a workflow the test is done with, unless it has finished by itself."""
        try:
            await handle.terminate("test done")
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:  # "Completed workflow"
                raise

    def task(self, task_id: str) -> Task:
        with self.sessions() as s:
            return s.get(Task, task_id)

    def notices(self, task_id: str, email: str) -> list[tuple[str, str]]:
        """(kind, delivery) of what this staff member was told about the task (issue 9)."""
        with self.sessions() as s:
            return [tuple(r) for r in s.execute(
                select(Notification.kind, Notification.delivery)
                .join(User, User.id == Notification.user_id)
                .where(Notification.task_id == task_id, User.email == email)
                .order_by(Notification.id))]

    def seed_staff(self) -> None:
        with self.sessions.begin() as s:
            for email, name, role in [("mia@vendor.test", "Mia Manager", "channel_manager"),
                                      ("lee@vendor.test", "Lee Lead", "program_lead")]:
                if s.scalar(select(User).where(User.email == email)) is None:
                    s.add(User(email=email, name=name, roles=[role]))


async def signed_by_both(harness, handle, org_id, app) -> None:
    """Approve, sign and countersign: what a real partner and manager do before activation."""
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    partner = Actor(name=app["contact_name"], org_id=org_id)
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"), partner,
                         {"full_name": app["contact_name"], "accept": True})
    await harness.decide(handle, await harness.open_task(handle, "countersign"), MANAGER,
                         {"full_name": "Mia Manager", "accept": True})


async def asked_until_the_round_limit(harness):
    """Two rounds of questions on a program that allows two: the second question is the last."""
    handle, org_id, app = await harness.start(ProgramRules(max_review_rounds=2))
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "more_info", "reason": "Which cities do you cover?"})
    await harness.decide(handle, await harness.open_task(handle, "edit_application"),
                         Actor(name="Li Wei", org_id=org_id),
                         {**app, "message": "Shanghai and Suzhou"})
    last = await harness.open_task(handle, "review_application")
    await harness.decide(handle, last, MANAGER,
                         {"decision": "more_info", "reason": "What is your VAT number?"})
    return handle, org_id, app, last


@contextlib.asynccontextmanager
async def running_harness(env: WorkflowEnvironment, database_url: str, smtp: SmtpCatcher):
    """A worker on `env` whose mail goes to `smtp` (a test may bring its own, to stop it)."""
    settings = Settings(database_url=database_url, smtp_port=smtp.port,
                        temporal_task_queue=f"wf-{uuid.uuid4().hex[:8]}", secret_key="test-secret",
                        base_url="http://prm.test", mailbox_dir="",
                        # No waiting for a quiet after decisions (real time, while the test
                        # server skips time): tests/workflows/test_people_first.py covers it.
                        worker_yield_max_s=0)
    sessions = make_sessions(database_url)
    h = Harness(env, env.client, settings, sessions, smtp)
    h.seed_staff()
    # The sandbox as a guard: a non-deterministic call in workflow code fails here (worker.py).
    async with build_worker(env.client, settings, sessions,
                            workflow_runner=SandboxedWorkflowRunner()):
        yield h


@pytest_asyncio.fixture
async def harness(time_env, sqlite_database_url, smtp):
    async with running_harness(time_env, sqlite_database_url, smtp) as h:
        yield h
