"""`python worker.py` as a child process, configured only through its environment (as in production).

For fault tests (SIGKILL it mid-flight) and benchmarks (its resident memory). The child runs in a
session of its own, so `kill()` reaches it and nothing else; it dies with its parent if the parent
is killed outright (Linux), so an aborted test run leaves no worker polling behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from settings import ROOT, Settings

PR_SET_PDEATHSIG = 1


def settings_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment variables settings.py reads, so the child sees these very settings."""
    env = dict(os.environ if base is None else base)
    env.update({
        "DATABASE_URL": settings.database_url, "TEMPORAL_ADDRESS": settings.temporal_address,
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
        "SMTP_HOST": settings.smtp_host, "SMTP_PORT": str(settings.smtp_port),
        "SECRET_KEY": settings.secret_key, "BASE_URL": settings.base_url,
        "MAIL_FROM": settings.mail_from, "PYTHONUNBUFFERED": "1",
    })
    return env


def _die_with_parent():
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class WorkerProcess:
    READY = "worker polling task queue"  # worker.py logs this once its Worker is running

    def __init__(self, settings: Settings, log_file: Path, extra_env: dict[str, str] | None = None,
                 python: str = sys.executable) -> None:
        self.env = {**settings_env(settings), **(extra_env or {})}
        self.log_file = log_file
        self.python = python
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30.0) -> "WorkerProcess":
        """Starts the child and waits until it says it polls (it logs after connecting)."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with open(self.log_file, "ab") as out:
            self.process = subprocess.Popen(
                [self.python, str(ROOT / "worker.py")], cwd=ROOT, env=self.env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.READY in self.log_text(offset):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.log_text(offset)[-3000:]}")
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"worker not polling after {timeout}s:\n{self.log_text(offset)[-3000:]}")

    def log_text(self, offset: int = 0) -> str:
        try:
            with open(self.log_file, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no goodbye to the server, in-flight work simply vanishes."""
        self._signal(signal.SIGKILL, wait=5.0)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (worker.py drains and exits), then SIGKILL if it does not."""
        if not self._signal(signal.SIGTERM, wait=timeout):
            self.kill()

    def _signal(self, sig: int, wait: float) -> bool:
        if self.process is None or self.process.poll() is not None:
            return True
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return True
        try:
            self.process.wait(wait)
            return True
        except subprocess.TimeoutExpired:
            return False
