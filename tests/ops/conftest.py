"""Ops fixtures: real PartnerOnboardingWorkflows on the shared dev server (tests/conftest.py), run
by the product's worker with its real activities, in the states the ops pages care about.

Two workers on two task queues of their own: one whose SMTP server is up (the real aiosmtpd
catcher), one whose SMTP server is down (a port nobody listens on), so an application sent there
fails its first activity attempt after attempt, as in a mail outage.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from db.session import make_sessions
from devstack.ports import free_port
from devstack.seed import seed
from domain import ids
from domain.onboarding import OnboardingInput
from domain.program import ProgramRules
from domain.tasks import Actor, CompleteTaskInput
from settings import Settings
from tests.conftest import application, cancel_the_rest
from worker import build_worker
from workflows import PartnerOnboardingWorkflow
from workflows.client import DATA_CONVERTER
from workflows.search import PARTNER_NAME, PARTNER_ORG
from workflows.start import start_onboarding
from web import create_app

MANAGER = Actor(name="Mia Manager", roles=("channel_manager",), user_id=1)
REJECTION = "No coverage in our regions"


class LoopThread:
    """An event loop in a thread: the workers keep running while sync Flask tests block."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ops-workers", daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Ends the loop as asyncio.run does: what still waits on it is cancelled first (the
        mailer's closer then closes its idle SMTP sessions), then the loop is closed (an open
        loop or socket is a ResourceWarning, an error under filterwarnings)."""
        self.run(cancel_the_rest(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()



@dataclass
class Onboarding:
    handle: WorkflowHandle
    org_id: str
    reference: str
    company: str

    @property
    def review_title(self) -> str:
        return f"Review application {self.reference}: {self.company}"  # workflows/onboarding.py


@dataclass
class OpsWorld:
    client: Client
    loop: LoopThread
    smtp_down_port: int
    waiting: Onboarding    # running: its review task open, the review's reminder timer running
    decided: Onboarding    # completed: rejected by Mia Manager through the complete_task update
    failing: Onboarding    # running: accept_application failing attempt after attempt (SMTP down)
    wedged: Onboarding     # running: started with an input the workflow cannot read

    def run(self, coro, timeout: float = 60):
        return self.loop.run(coro, timeout)


async def _start(client: Client, task_queue: str) -> Onboarding:
    org_id = ids.new_org_id()
    reference = ids.application_reference(org_id)
    app = application(company_name=f"Ops {uuid.uuid4().hex[:6]} 有限公司")
    handle = await start_onboarding(client, task_queue,
                                    OnboardingInput(org_id, reference, app, ProgramRules(), "en"))
    return Onboarding(handle, org_id, reference, app["company_name"])


async def _start_unreadable(client: Client, task_queue: str) -> Onboarding:
    """A start whose input the workflow code cannot decode (a client on an older input shape):
    every workflow task fails, and the workflow cannot move until someone fixes it."""
    org_id = ids.new_org_id()
    company = f"Ops {uuid.uuid4().hex[:6]} Wedged Ltd"
    handle = await client.start_workflow(
        "PartnerOnboardingWorkflow", {"org_id": org_id, "company": company},
        id=ids.onboarding_workflow_id(org_id), task_queue=task_queue,
        static_summary=f"Partner application from {company}",
        search_attributes=TypedSearchAttributes([SearchAttributePair(PARTNER_ORG, org_id),
                                                 SearchAttributePair(PARTNER_NAME, company)]))
    return Onboarding(handle, org_id, "", company)


async def wait_for(predicate, timeout: float = 30.0) -> None:
    for _ in range(int(timeout * 10)):
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


def timer_started(handle: WorkflowHandle):
    async def check() -> bool:
        history = await handle.fetch_history()
        return any(e.HasField("timer_started_event_attributes") for e in history.events)
    return check


def activity_retried(handle: WorkflowHandle, more_than: int = 2):
    async def check() -> bool:
        desc = await handle.describe()
        return any(p.attempt > more_than for p in desc.raw_description.pending_activities)
    return check


@pytest.fixture(scope="session")
def ops_settings(dev_server, smtp, sqlite_database_url, tmp_path_factory) -> Settings:
    mailbox = tmp_path_factory.mktemp("mailbox")
    return Settings(database_url=sqlite_database_url, temporal_address=dev_server.address,
                    temporal_task_queue=f"ops-{uuid.uuid4().hex[:8]}", secret_key="ops-test-secret",
                    smtp_host="127.0.0.1", smtp_port=smtp.port,
                    base_url="http://prm.test", mailbox_dir=str(mailbox),
                    temporal_ui_url="http://127.0.0.1:8233")


@pytest.fixture(scope="session")
def onboardings(ops_settings) -> Iterator[OpsWorld]:
    loop = LoopThread()
    stop = asyncio.Event()
    ready = threading.Event()
    sessions = make_sessions(ops_settings.database_url)
    seed(sessions)  # the managers the review notices go to
    smtp_down = dataclasses.replace(ops_settings, smtp_port=free_port(),  # nobody listens there
                                    temporal_task_queue=f"{ops_settings.temporal_task_queue}-smtp-down")

    async def serve(client: Client) -> None:
        async with build_worker(client, ops_settings, sessions), build_worker(client, smtp_down, sessions):
            ready.set()
            await stop.wait()

    client = loop.run(Client.connect(ops_settings.temporal_address, data_converter=DATA_CONVERTER))
    serving = asyncio.run_coroutine_threadsafe(serve(client), loop.loop)
    assert ready.wait(30), "ops workers did not start"

    async def setup() -> OpsWorld:
        queue = ops_settings.temporal_task_queue
        waiting, decided = await _start(client, queue), await _start(client, queue)
        failing = await _start(client, smtp_down.temporal_task_queue)
        wedged = await _start_unreadable(client, queue)

        # Decide once the review waits on its deadline, so the history shows the timer's cancel.
        await wait_for(timer_started(decided.handle))
        task_id = ids.task_id(decided.handle.id, "review", 1)
        request_id = f"{task_id}/ops-test"
        await decided.handle.execute_update(
            PartnerOnboardingWorkflow.complete_task,
            CompleteTaskInput(task_id, request_id, MANAGER,
                              {"decision": "reject", "reason": REJECTION}), id=request_id)
        await decided.handle.result()

        async def wedged_twice() -> bool:
            desc = await wedged.handle.describe()
            return desc.raw_description.pending_workflow_task.attempt > 1

        await wait_for(activity_retried(failing.handle))
        await wait_for(wedged_twice)
        await wait_for(timer_started(waiting.handle))
        return OpsWorld(client, loop, smtp_down.smtp_port, waiting, decided, failing, wedged)

    world = loop.run(setup(), timeout=90)
    yield world

    async def teardown() -> None:
        for o in (world.waiting, world.failing, world.wedged):
            try:
                await o.handle.terminate("ops tests finished")
            except Exception:
                pass
        stop.set()

    loop.run(teardown())
    serving.result(30)
    loop.close()
    sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def app(ops_settings):
    """The web app on the ops stack, with the demo staff seeded (a module's tests share it)."""
    sessions = make_sessions(ops_settings.database_url)
    seed(sessions)
    app = create_app(ops_settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    yield app
    app.extensions["prm.temporal"].close()
