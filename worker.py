"""The Temporal worker: runs every workflow in workflows/ and every activity in activities/.

`python worker.py` reads its settings from the environment (see settings.py).
"""

from __future__ import annotations

import asyncio
import compileall
import logging
import os
import signal
import sys
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.worker import PollerBehaviorAutoscaling, UnsandboxedWorkflowRunner, Worker

from activities import build_activities
from activities.heartbeat import HeartbeatInterceptor
from activities.mailer import Mailer
from activities.people_first import PeopleFirst
from db.session import make_sessions
import workflows
from settings import Settings
from workflows import WORKFLOWS
from workflows.client import connect
from workflows.schedules import ensure_schedules


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
# Workflow-task pollers scale with the server's backlog (PollerBehaviorAutoscaling). With a fixed
# number, only a fifth of them poll the task queue a new workflow's first task is on (the rest
# poll the worker's sticky queue): of 20, four. In `make bench` the 1,000 applications' first
# tasks then waited in Temporal 13 to 35 s on average (read from their histories, bench --trace)
# while the worker's event loop was asleep half of the time; scaled, they wait about a second.
WORKER_TUNING: dict = {"workflow_runner": UnsandboxedWorkflowRunner(),
                       "workflow_task_poller_behavior": PollerBehaviorAutoscaling()}


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


async def serve(worker: Worker, polling: Callable[[], None] = lambda: None) -> None:
    """Runs `worker` until SIGINT or SIGTERM, then lets it drain (graceful_shutdown_timeout).
    `polling()` is called once it polls its task queue."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        logging.info("worker polling task queue %r", worker.task_queue)
        polling()
        await stop.wait()
    logging.info("worker stopped")


async def main() -> None:
    settings = Settings.from_env()
    client = await connect(settings)
    await ensure_schedules(client, settings)  # the daily digest; ops may pause it (/ops/)
    sessions = make_sessions(settings.database_url)
    try:
        await serve(build_worker(client, settings, sessions))
    finally:
        sessions.kw["bind"].dispose()


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def run(entry: Callable[[], Awaitable[None]] = main) -> NoReturn:
    """Runs a worker's `entry` (this one's main, or the benchmark's raw worker) until SIGINT or
    SIGTERM, then ends the process without tearing down the interpreter.

    The Temporal SDK's native (Rust) threads outlive every Python object and nothing can join
    them. Each reply of the SDK's core is handed to the event loop by one of them running Python
    code under the GIL; when one needs the GIL while the main thread finalizes the interpreter,
    CPython makes it exit, and the SDK's GIL guard, unwinding, aborts the whole process ("Fatal
    Python error: PyGILState_Release", exit -6). About one stop in eight did, right after a clean
    shutdown, with the SDK's own slot suppliers as with ours. So once the worker has drained, its
    activities' results reached Temporal and the database pool is closed, the process flushes its
    output and ends with os._exit: interpreter teardown is all it skips."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    code = 0
    # Until main() hands both signals to its event loop, a stop (while connecting) is a stop too.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        asyncio.run(entry())
    except KeyboardInterrupt:
        logging.info("worker stopped before it started polling")
    except BaseException:  # shown, then the same exit path: a failure must not look like a stop
        traceback.print_exc()
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    # Checked before anything connects: the process ends with the message, no traceback.
    Settings.from_env().check_secret_key("worker")
    run()
