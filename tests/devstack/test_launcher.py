"""`python -m devstack` (what `make run` runs) starts the whole stack, answers on /, stops every
child on SIGINT, and a second start finds the data of the first."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.service import RPCError

from devstack.ports import free_port
from settings import ROOT

pytestmark = pytest.mark.slow

# Variables that would point the launcher at outside servers instead of its own embedded ones.
OUTSIDE = ("TEMPORAL_ADDRESS", "TEMPORAL_UI_URL", "SMTP_HOST", "DATABASE_URL", "MAILBOX_DIR",
           "SECRET_KEY", "BASE_URL")


def _env(var_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE}
    env.update({"PRM_VAR_DIR": str(var_dir), **{k: str(v) for k, v in ports.items()}})
    return env


def _processes_of(var_dir: Path) -> list[int]:
    """Every live process started for this stack: they all inherit PRM_VAR_DIR in their environment."""
    marker = f"PRM_VAR_DIR={var_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(proc.name))
        except OSError:
            continue
    return found


class Launch:
    def __init__(self, var_dir: Path, ports: dict[str, int], log: Path) -> None:
        self.var_dir, self.ports, self.log = var_dir, ports, log
        with log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=ROOT,
                                         env=_env(var_dir, ports), stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_running(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while "PRM is running." not in self.output():
            assert self.proc.poll() is None, f"launcher exited early:\n{self.output()[-4000:]}"
            assert time.monotonic() < deadline, f"launcher not up in {timeout}s:\n{self.output()[-4000:]}"
            time.sleep(0.5)

    def stop(self, timeout: float = 90) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"launcher did not stop on SIGINT:\n{self.output()[-4000:]}")


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status


async def _start_marker(address: str, workflow_id: str) -> None:
    """A workflow nobody runs: it stays open, so finding it later proves the Temporal data persisted."""
    client = await Client.connect(address)
    await client.start_workflow("PersistenceMarker", id=workflow_id, task_queue="nobody-polls-this")


async def _describe_marker(address: str, workflow_id: str) -> str:
    client = await Client.connect(address)
    return (await client.get_workflow_handle(workflow_id).describe()).status.name


async def _digest_schedule_created(address: str) -> bool:
    """The worker creates the daily digest's schedule when it starts (workflows/schedules.py)."""
    client = await Client.connect(address)
    try:
        await client.get_schedule_handle("prm-daily-digest").describe()
    except RPCError:
        return False
    return True


def test_launcher_starts_serves_stops_and_keeps_data(tmp_path):
    var_dir = tmp_path / "var"
    ports = {"WEB_PORT": free_port(), "TEMPORAL_PORT": free_port(), "TEMPORAL_UI_PORT": free_port(),
             "SMTP_PORT": free_port()}
    web = f"http://127.0.0.1:{ports['WEB_PORT']}"
    temporal = f"127.0.0.1:{ports['TEMPORAL_PORT']}"

    first = Launch(var_dir, ports, tmp_path / "first.log")
    try:
        first.wait_until_running()
        out = first.output()
        assert f"{web}/" in out and f"http://127.0.0.1:{ports['TEMPORAL_UI_PORT']}" in out
        assert "ops@prm.example" in out and "DEMO ONLY" in out
        assert _get(f"{web}/") == 200
        assert _get(f"http://127.0.0.1:{ports['TEMPORAL_UI_PORT']}/") == 200
        pids = json.loads((var_dir / "run.pids").read_text())
        assert set(pids) == {"worker", "web", "temporal"}
        assert len(_processes_of(var_dir)) >= 4  # launcher, dev server, worker, gunicorn (+ its workers)
        asyncio.run(_start_marker(temporal, "persistence-marker"))
        deadline = time.monotonic() + 60  # the worker starts after the banner's checks
        while not asyncio.run(_digest_schedule_created(temporal)):
            assert time.monotonic() < deadline, f"no digest schedule:\n{first.output()[-4000:]}"
            time.sleep(0.5)
        secret = (var_dir / "secret_key").read_text()
    finally:
        code = first.stop()
    assert code == 0, first.output()[-4000:]
    assert "Stopped." in first.output()
    assert _processes_of(var_dir) == [], "children outlived the launcher"

    second = Launch(var_dir, ports, tmp_path / "second.log")
    try:
        second.wait_until_running()
        assert "already there" in second.output()  # the same users, not new ones
        assert asyncio.run(_describe_marker(temporal, "persistence-marker")) == "RUNNING"
        assert (var_dir / "secret_key").read_text() == secret
        assert _get(f"{web}/") == 200
    finally:
        assert second.stop() == 0, second.output()[-4000:]
    assert _processes_of(var_dir) == []


def test_launcher_refuses_busy_ports(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        ports = {"WEB_PORT": busy.getsockname()[1], "TEMPORAL_PORT": free_port(),
                 "TEMPORAL_UI_PORT": free_port(), "SMTP_PORT": free_port()}
        launch = Launch(tmp_path / "var", ports, tmp_path / "busy.log")
        code = launch.proc.wait(60)
    assert code != 0
    assert f"WEB_PORT={ports['WEB_PORT']}" in launch.output()
    assert _processes_of(tmp_path / "var") == []
