"""Workflow tests: the time-skipping test server, a real worker with real activities, SQLite, SMTP."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from db.models import EnablementItem, EnablementPlan, Notification, Organisation, StoredFile, Task, User
from db.session import make_sessions
from devstack.smtp import SmtpCatcher
from devstack.temporal_server import test_server_binary
from domain import ids
from domain.enablement import EnablementInput
from domain.enablement import EnablementPlan as Plan
from domain.onboarding import OnboardingInput
from domain.screening import normalise_domain, normalise_name
from domain.program import ProgramRules
from db.task_rows import write_hand_on
from domain.tasks import Actor, CompleteTaskInput, HandOnInput, HandOnResult, TaskOutcome
from settings import Settings
from tests.conftest import application
from worker import build_worker
from workflows import PartnerOnboardingWorkflow
from workflows import search
from workflows.client import DATA_CONVERTER
from workflows.start import start_enablement, start_onboarding

MANAGER = Actor(name="Mia Manager", roles=("channel_manager",), user_id=1)
LEAD = Actor(name="Lee Lead", roles=("program_lead",), user_id=2)
COLLEAGUE = Actor(name="Max Manager", roles=("channel_manager",), user_id=3)
# The staff every harness seeds, by the names of the actors above. The database is shared by the
# session, so their user ids are whatever it gave them: Harness.staff() puts the real one in.
STAFF = {"Mia Manager": ("mia@vendor.test", "channel_manager"),
         "Lee Lead": ("lee@vendor.test", "program_lead"),
         "Max Manager": ("max@vendor.test", "channel_manager")}


@pytest_asyncio.fixture
async def time_env():
    """One test server per test: its clock is global, so a skip in one test must not leak."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=test_server_binary(), data_converter=DATA_CONVERTER)
    await search.register(env.client)
    yield env
    await env.shutdown()


@dataclass
class Partner:
    """An active partner organisation with an admin and a user (what activation and a team
    invitation leave behind), for enablement tests that start after recruitment."""
    org_id: str
    company: str
    admin: Actor
    user: Actor
    admin_email: str
    user_email: str


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
            with self.sessions() as s:  # claimed: opened for its owner (issue 9)
                task = s.scalar(select(Task).where(Task.workflow_id == handle.id,
                                                   Task.task_type == task_type,
                                                   Task.status.in_(("open", "claimed"))))
            if task is not None:
                return task
            await asyncio.sleep(0.05)
        raise AssertionError(f"no open {task_type} task for {handle.id}")

    async def decide(self, handle: WorkflowHandle, task: Task, actor: Actor, payload: dict,
                     request_id: str | None = None) -> TaskOutcome:
        request_id = request_id or f"{task.id}/{uuid.uuid4().hex}"
        return await handle.execute_update(
            PartnerOnboardingWorkflow.complete_task,
            CompleteTaskInput(task.id, request_id, self.staff(actor), payload), id=request_id)

    async def hand_on(self, handle: WorkflowHandle, task: Task, actor: Actor,
                      to: Actor) -> HandOnResult:
        """What the task page's "Hand on" does (web/hand_on.py): the update, then the row."""
        actor, to = self.staff(actor), self.staff(to)
        request_id = f"{task.id}/hand-on/{uuid.uuid4().hex}"
        result = await handle.execute_update(
            PartnerOnboardingWorkflow.hand_on_task,
            HandOnInput(task.id, request_id, actor, to.user_id, to.name, to.roles), id=request_id)
        with self.sessions.begin() as s:
            write_hand_on(s, task.id, to.user_id)
        return result

    # -- enablement (issue 10) ------------------------------------------------------------------

    def partner(self, partner_type: str = "reseller") -> Partner:
        org_id = ids.new_org_id()
        app = application(partner_type=partner_type)
        tag = org_id[:8]
        with self.sessions.begin() as s:
            s.add(Organisation(
                id=org_id, reference=ids.application_reference(org_id), name=app["company_name"],
                normalised_name=normalise_name(app["company_name"]),
                domain=normalise_domain(app["website"]), country="CN", partner_type=partner_type,
                status="active", workflow_id=ids.onboarding_workflow_id(org_id), application=app,
                activated_at=datetime.now(timezone.utc)))
            s.flush()
            admin = User(email=f"admin-{tag}@partner.test", name="Li Wei", roles=["partner_admin"],
                         org_id=org_id)
            user = User(email=f"user-{tag}@partner.test", name="Zhang Min",
                        roles=["partner_user"], org_id=org_id)
            s.add_all([admin, user])
            s.flush()
            return Partner(org_id, app["company_name"],
                           Actor(admin.name, ("partner_admin",), admin.id, org_id),
                           Actor(user.name, ("partner_user",), user.id, org_id),
                           admin.email, user.email)

    async def start_enablement(self, partner: Partner, plan: Plan, max_events: int = 0,
                               manager: Actor | None = MANAGER) -> WorkflowHandle:
        now = await self.env.get_current_time()
        return await start_enablement(self.client, self.settings.temporal_task_queue,
                                      EnablementInput(
            partner.org_id, ids.application_reference(partner.org_id), partner.company,
            "reseller", "en", plan, now,
            channel_manager_user_id=self.user_id(manager) if manager else None,
            max_events=max_events))

    async def step(self, handle: WorkflowHandle, key: str, round: int = 1,
                   kind: str = "", timeout: float = 20) -> Task:
        """The open task row of a plan item's step (kind "review" for its review)."""
        step = f"{key}-{kind}" if kind else key
        task_id = ids.task_id(handle.id, step, round)
        for _ in range(int(timeout * 20)):
            task = self.task(task_id)
            if task is not None and task.status in ("open", "claimed"):
                return task
            await asyncio.sleep(0.05)
        raise AssertionError(f"no open task {task_id}")

    async def item(self, org_id: str, key: str, status: str | None = None,
                   timeout: float = 20) -> EnablementItem:
        """The plan item's row, once it has `status` (when given)."""
        for _ in range(int(timeout * 20)):
            with self.sessions() as s:
                row = s.scalar(select(EnablementItem).where(EnablementItem.org_id == org_id,
                                                            EnablementItem.item_key == key))
            if row is not None and (status is None or row.status == status):
                return row
            await asyncio.sleep(0.05)
        raise AssertionError(f"item {key} of {org_id} is {row.status if row else None}, "
                             f"not {status}")

    async def board(self, org_id: str, stage: str | None = None,
                    timeout: float = 20) -> EnablementPlan:
        for _ in range(int(timeout * 20)):
            with self.sessions() as s:
                row = s.get(EnablementPlan, org_id)
            if row is not None and (stage is None or row.stage == stage):
                return row
            await asyncio.sleep(0.05)
        raise AssertionError(f"the plan of {org_id} is at {row.stage if row else None}")

    def stored_file(self, org_id: str, purpose: str = "evidence") -> str:
        """An upload's row, as web/files.py leaves one (the content is not needed here)."""
        file_id = str(uuid.uuid4())
        with self.sessions.begin() as s:
            s.add(StoredFile(id=file_id, sha256="0" * 64, org_id=org_id, purpose=purpose,
                             original_name="evidence.pdf", size=1024,
                             content_type="application/pdf"))
        return file_id

    async def assign(self, handle: WorkflowHandle, task: Task, actor: Actor,
                     to: Actor) -> HandOnResult:
        """What the portal's "Assign" (or "Claim", to=actor) does: the update, then the row."""
        request_id = f"{task.id}/assign/{uuid.uuid4().hex}"
        result = await handle.execute_update(
            PartnerOnboardingWorkflow.hand_on_task,
            HandOnInput(task.id, request_id, actor, to.user_id, to.name, to.roles,
                        to_org_id=to.org_id), id=request_id)
        with self.sessions.begin() as s:
            write_hand_on(s, task.id, to.user_id)
        return result

    def reference(self, org_id: str) -> str:
        return ids.application_reference(org_id)

    def user_id(self, actor: Actor) -> int:
        return self.staff(actor).user_id

    def staff(self, actor: Actor) -> Actor:
        """A seeded staff actor with the user id the database gave them; others as they are."""
        if actor.name not in STAFF or not actor.roles:
            return actor
        with self.sessions() as s:
            user_id = s.scalar(select(User.id).where(User.email == STAFF[actor.name][0]))
        return dataclasses.replace(actor, user_id=user_id)

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
            for name, (email, role) in STAFF.items():
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
