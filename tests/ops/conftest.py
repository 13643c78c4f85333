"""Ops fixtures: the shared dev server (tests/conftest.py), a probe worker on its own task queue,
and probe workflows in the three states the ops pages care about."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.worker import Worker

from settings import Settings
from tests.ops.probe import (TASK_QUEUE, OpsProbeWorkflow, ProbeDecision, ProbeInput, prepare_probe,
                             send_probe_mail)
from workflows.client import DATA_CONVERTER
from workflows.search import PARTNER_NAME, PARTNER_ORG


class LoopThread:
    """An event loop in a thread: the probe worker keeps running while sync Flask tests block."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ops-probe", daemon=True)
        self._thread.start()

    def run(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@dataclass
class Probe:
    handle: WorkflowHandle
    org_id: str
    company: str


@dataclass
class ProbeWorld:
    client: Client
    loop: LoopThread
    waiting: Probe     # running, waiting on the decision timer
    decided: Probe     # completed through the `decide` update
    failing: Probe     # running, its mail activity failing attempt after attempt
    wedged: Probe      # running, its workflow task failing attempt after attempt

    def run(self, coro, timeout: float = 60):
        return self.loop.run(coro, timeout)


async def _start(client: Client, fail: bool = False, wedge: bool = False) -> Probe:
    org_id = str(uuid.uuid4())
    company = f"Probe {uuid.uuid4().hex[:6]} 有限公司"
    handle = await client.start_workflow(
        OpsProbeWorkflow.run, ProbeInput(org_id, company, fail, wedge), id=f"ops-probe-{org_id}",
        task_queue=TASK_QUEUE, static_summary=f"Partner application from {company}",
        static_details="Submitted through the ops probe",
        search_attributes=TypedSearchAttributes([SearchAttributePair(PARTNER_ORG, org_id),
                                                 SearchAttributePair(PARTNER_NAME, company)]))
    return Probe(handle, org_id, company)


async def _wait_for(predicate, timeout: float = 30.0) -> None:
    for _ in range(int(timeout * 10)):
        if await predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


@pytest.fixture(scope="session")
def probes(dev_server) -> Iterator[ProbeWorld]:
    loop = LoopThread()
    stop = asyncio.Event()
    ready = threading.Event()

    async def serve(client: Client) -> None:
        async with Worker(client, task_queue=TASK_QUEUE, workflows=[OpsProbeWorkflow],
                          activities=[prepare_probe, send_probe_mail]):
            ready.set()
            await stop.wait()

    client = loop.run(Client.connect(dev_server.address, data_converter=DATA_CONVERTER))
    serving = asyncio.run_coroutine_threadsafe(serve(client), loop.loop)
    assert ready.wait(30), "probe worker did not start"

    async def setup() -> ProbeWorld:
        waiting, decided, failing = await _start(client), await _start(client), await _start(client, True)
        wedged = await _start(client, wedge=True)

        def timer_started(handle: WorkflowHandle):
            async def check() -> bool:
                history = await handle.fetch_history()
                return any(e.HasField("timer_started_event_attributes") for e in history.events)
            return check

        async def retried() -> bool:
            desc = await failing.handle.describe()
            return any(p.attempt > 2 for p in desc.raw_description.pending_activities)

        # Decide only once the decision timer runs, so the history shows the timer and its cancel.
        await _wait_for(timer_started(decided.handle))
        await decided.handle.execute_update(OpsProbeWorkflow.decide, ProbeDecision(
            "probe-task-1", "req-1", actor={"name": "Mia Manager", "roles": ["channel_manager"]},
            payload={"decision": "approve"}))
        await decided.handle.result()
        async def wedged_twice() -> bool:
            desc = await wedged.handle.describe()
            return desc.raw_description.pending_workflow_task.attempt > 1

        await _wait_for(retried)
        await _wait_for(wedged_twice)
        await _wait_for(timer_started(waiting.handle))
        return ProbeWorld(client, loop, waiting, decided, failing, wedged)

    world = loop.run(setup())
    yield world

    async def teardown() -> None:
        for p in (world.waiting, world.failing, world.wedged):
            try:
                await p.handle.terminate("ops tests finished")
            except Exception:
                pass
        stop.set()

    loop.run(teardown())
    serving.result(30)
    loop.close()


@pytest.fixture(scope="session")
def ops_settings(dev_server, sqlite_database_url, tmp_path_factory) -> Settings:
    mailbox = tmp_path_factory.mktemp("mailbox")
    return Settings(database_url=sqlite_database_url, temporal_address=dev_server.address,
                    temporal_task_queue=TASK_QUEUE, secret_key="ops-test-secret",
                    base_url="http://prm.test", mailbox_dir=str(mailbox),
                    temporal_ui_url="http://127.0.0.1:8233")
