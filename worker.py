"""The Temporal worker: runs every workflow in workflows/ and every activity in activities/.

`python worker.py` reads its settings from the environment (see settings.py).
"""

from __future__ import annotations

import asyncio
import compileall
import logging
import signal
from datetime import timedelta
from pathlib import Path
from types import ModuleType

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner, Worker

from activities import build_activities
from activities.heartbeat import HeartbeatInterceptor
from activities.mailer import Mailer
from activities.people_first import PeopleFirst
from db.session import make_sessions
import workflows
from settings import Settings
from workflows import WORKFLOWS
from workflows.client import connect


def ensure_bytecode(*modules: ModuleType) -> None:
    """The sandbox imports a workflow's module afresh for every workflow it starts. Without a
    current .pyc (PYTHONDONTWRITEBYTECODE is set on many machines, and any edit makes it stale)
    that import compiles the source each time (a third of the worker's CPU per application when
    the product worker still ran sandboxed). Only sandboxed workers need it: the workflow tests.
    Compiled here once; where the files cannot be written, nothing changes."""
    for module in modules:
        path = Path(module.__file__)
        try:
            if path.name == "__init__.py":
                compileall.compile_dir(path.parent, quiet=2)
            else:
                compileall.compile_file(path, quiet=2)
        except OSError:
            pass  # a read-only install: pip compiled it there already


# Worker options shared with the benchmark's raw worker (bench/raw_worker.py), so `make bench`
# compares the product against the engine under the same worker configuration.
#
# Workflows run unsandboxed. The sandbox re-imports a workflow's module for every workflow it
# starts and wraps every activation: in `make bench` that was a fifth of the worker's CPU per
# application and 70 MB of its memory with 1,000 workflows waiting. What the sandbox guards
# against (non-deterministic calls, state shared between workflows) is guarded instead by the
# rules of DESIGN.md section 4 (workflow modules import only domain types, use workflow.now()
# and keep no module state), by the workflow tests, which run under the sandbox
# (tests/workflows/conftest.py), and by replaying saved histories (tests/histories/).
#
# Twenty workflow-task pollers instead of five: with the default split (one in five polls the
# task queue, the rest the worker's sticky queue) a single poller fetched every new workflow's
# first task, and in `make bench` new applications waited seconds for it (from the event times
# of their histories), with the worker's CPU to spare.
WORKER_TUNING: dict = {"workflow_runner": UnsandboxedWorkflowRunner(),
                       "workflow_task_poller_behavior": PollerBehaviorSimpleMaximum(20)}


def build_worker(client: Client, settings: Settings, sessions: sessionmaker[Session] | None = None,
                 mailer: Mailer | None = None, people_first: PeopleFirst | None = None,
                 **options) -> Worker:
    sessions = sessions or make_sessions(settings.database_url)
    people_first = people_first or PeopleFirst(settings.worker_yield_max_s)
    # On SIGTERM (deploys, scaling down) running activities get time to finish first.
    options = {"graceful_shutdown_timeout": timedelta(seconds=20), **WORKER_TUNING, **options}
    if not isinstance(options["workflow_runner"], UnsandboxedWorkflowRunner):
        ensure_bytecode(workflows)  # the sandbox (the workflow tests) imports them per workflow
    # Every activity is async (its SQL goes to asyncio.to_thread), so no activity_executor.
    return Worker(client, task_queue=settings.temporal_task_queue, workflows=WORKFLOWS,
                  activities=build_activities(settings, sessions, mailer),
                  interceptors=[HeartbeatInterceptor(), people_first],
                  tuner=people_first.tuner(), **options)


async def main(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    client = await connect(settings)
    worker = build_worker(client, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logging.info("worker polling task queue %r on %s", settings.temporal_task_queue,
                 settings.temporal_address)
    async with worker:
        await stop.wait()


if __name__ == "__main__":
    # Checked before anything connects: the process ends with the message, no traceback.
    asyncio.run(main(Settings.from_env().check_secret_key("worker")))
