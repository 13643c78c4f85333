"""`make run`: the whole product on one machine, with its data under var/ kept between runs.

Starts, in order: the Temporal dev server (SQLite file, Web UI on), migrations, demo seed, the SMTP
catcher, the worker and the web app; prints where they are; Ctrl-C (or SIGTERM) stops them in
reverse order. Children get their settings through the environment, like in production.

Overrides (environment): PRM_VAR_DIR, WEB_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, SMTP_PORT, plus
every variable settings.py reads. Setting TEMPORAL_ADDRESS (or SMTP_HOST) uses that server instead
of starting the embedded one.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import wait_for_port
from settings import ROOT, Settings

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Plan:
    """Where everything goes, decided once from the environment."""
    var_dir: Path
    web_port: int
    temporal_port: int
    temporal_ui_port: int
    smtp_port: int
    external_temporal: bool
    external_smtp: bool

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "Plan":
        defaults = Settings()
        return cls(
            var_dir=Path(env.get("PRM_VAR_DIR") or ROOT / "var").resolve(),
            web_port=int(env.get("WEB_PORT") or 5000),
            temporal_port=int(env.get("TEMPORAL_PORT") or 7233),
            temporal_ui_port=int(env.get("TEMPORAL_UI_PORT") or 8233),
            smtp_port=int(env.get("SMTP_PORT") or defaults.smtp_port),
            external_temporal=bool(env.get("TEMPORAL_ADDRESS")),
            external_smtp=bool(env.get("SMTP_HOST")))


def secret_key(env: dict[str, str], var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated on the first run and kept in var/, so
    sessions survive a restart and no two installations share a key."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    path = var_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def child_env(env: dict[str, str], plan: Plan) -> dict[str, str]:
    """The environment the worker and the web app read their Settings from."""
    out = dict(env)
    out.setdefault("DATABASE_URL", f"sqlite:///{plan.var_dir / 'prm.db'}")
    out["SECRET_KEY"] = secret_key(env, plan.var_dir)
    out.setdefault("BASE_URL", f"http://127.0.0.1:{plan.web_port}")
    if not plan.external_temporal:
        out["TEMPORAL_ADDRESS"] = f"127.0.0.1:{plan.temporal_port}"
        out["TEMPORAL_UI_URL"] = f"http://127.0.0.1:{plan.temporal_ui_port}"
    if not plan.external_smtp:
        out["SMTP_HOST"], out["SMTP_PORT"] = "127.0.0.1", str(plan.smtp_port)
        out["MAILBOX_DIR"] = str(plan.var_dir / "mailbox")
    else:
        # Not a directory: there is no ops mailbox page (mail goes to a real SMTP server), not
        # even one showing what an earlier embedded run caught.
        out.setdefault("MAILBOX_DIR", os.devnull)
    out["PYTHONUNBUFFERED"] = "1"
    return out


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _die_with_parent():
    """A preexec_fn: if the launcher is killed outright (SIGKILL), its children get SIGTERM.

    libc is loaded here, in the parent: importing after fork could deadlock on a lock another
    thread (the SMTP catcher's) held at the moment of the fork.
    """
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None  # not Linux/glibc: Ctrl-C still stops everything through the launcher
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def gunicorn_control_args(var_dir: Path) -> list[str]:
    """Newer gunicorn opens a control socket in ~/.gunicorn by default: two stacks on one machine
    (a `make run` beside the tests) would fight over it, so each keeps its own under var/."""
    from gunicorn.config import KNOWN_SETTINGS

    if any(s.name == "control_socket" for s in KNOWN_SETTINGS):
        return ["--control-socket", str(var_dir / "gunicorn.ctl")]
    return []


def wait_for_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return  # it answers; a redirect to the login page or a 404 is fine here
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s")


class Stack:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.base_env = dict(os.environ if env is None else env)
        self.plan = Plan.from_env(self.base_env)
        self.env = {}
        self.settings: Settings | None = None
        self.temporal = None
        self.smtp = None
        self.children: dict[str, subprocess.Popen] = {}

    # -- start ------------------------------------------------------------------------------

    def start(self) -> None:
        plan = self.plan
        plan.var_dir.mkdir(parents=True, exist_ok=True)
        self._check_ports()
        self.env = child_env(self.base_env, plan)
        self.settings = Settings.from_env(self.env)
        if not plan.external_temporal:
            self._start_temporal()
        self._migrate_and_seed()
        if not plan.external_smtp:
            from devstack.smtp import SmtpCatcher

            self.smtp = SmtpCatcher(port=plan.smtp_port, mailbox_dir=plan.var_dir / "mailbox",
                                    keep=False).start()
        self._spawn("worker", [sys.executable, str(ROOT / "worker.py")])
        # One process with threads: a view mostly waits on Temporal (a decision is a workflow
        # update), so threads serve concurrent managers where two sync workers queued them; and on
        # a small box one process's memory is what the web app should cost (make bench, (c), (d)).
        self._spawn("web", [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "16",
                            "--worker-class", "gthread", "--bind",
                            f"127.0.0.1:{plan.web_port}", "--graceful-timeout", "10",
                            "--chdir", str(ROOT), *gunicorn_control_args(plan.var_dir),
                            "web:create_app()"])
        wait_for_http(f"http://127.0.0.1:{plan.web_port}/")
        self._write_pids()

    def _check_ports(self) -> None:
        wanted = {"WEB_PORT": self.plan.web_port}
        if not self.plan.external_temporal:
            wanted |= {"TEMPORAL_PORT": self.plan.temporal_port, "TEMPORAL_UI_PORT": self.plan.temporal_ui_port}
        if not self.plan.external_smtp:
            wanted["SMTP_PORT"] = self.plan.smtp_port
        busy = [f"{name}={port}" for name, port in wanted.items() if not _port_free(port)]
        if busy:
            raise SystemExit(f"port(s) in use: {', '.join(busy)}. Is another `make run` still running? "
                             "Stop it, or choose other ports with these environment variables.")

    def _start_temporal(self) -> None:
        from devstack.temporal_server import DevServer

        print(f"Starting the Temporal dev server (data: {self.plan.var_dir / 'temporal.db'}) ...", flush=True)
        self.temporal = DevServer(db_file=self.plan.var_dir / "temporal.db", port=self.plan.temporal_port,
                                  ui_port=self.plan.temporal_ui_port, ui=True,
                                  log_file=self.plan.var_dir / "temporal.log").start()
        # The UI listens on its own port and comes up a moment after the frontend.
        wait_for_port(self.plan.temporal_ui_port, timeout=60)

    def _migrate_and_seed(self) -> None:
        from db.migrate import upgrade
        from db.session import make_sessions
        from devstack.seed import describe, seed

        upgrade(self.settings.database_url)
        sessions = make_sessions(self.settings.database_url)
        try:
            self.seed_report = describe(*seed(sessions))
        finally:
            sessions.kw["bind"].dispose()

    def _spawn(self, name: str, args: list[str]) -> None:
        # A session of their own: the terminal's Ctrl-C reaches only the launcher, which then stops
        # the children in order (web before worker before servers).
        self.children[name] = subprocess.Popen(args, env=self.env, cwd=ROOT, start_new_session=True,
                                               preexec_fn=_die_with_parent())

    def _write_pids(self) -> None:
        pids = {name: p.pid for name, p in self.children.items()}
        if self.temporal is not None:
            pids["temporal"] = self.temporal.process.pid
        (self.plan.var_dir / "run.pids").write_text(json.dumps(pids))

    def banner(self) -> str:
        s = self.settings
        lines = ["", "PRM is running.",
                 f"  App:          http://127.0.0.1:{self.plan.web_port}/",
                 f"  Ops pages:    http://127.0.0.1:{self.plan.web_port}/ops/",
                 f"  Temporal UI:  {s.temporal_ui_url}",
                 f"  Temporal:     {s.temporal_address} (namespace {s.temporal_namespace})",
                 f"  Mail:         {'caught locally, see /ops/mailbox' if self.smtp else s.smtp_host}",
                 f"  Data:         {self.plan.var_dir}", "", self.seed_report, "",
                 "Press Ctrl-C to stop everything; the next `make run` finds the data again.", ""]
        return "\n".join(lines)

    # -- run and stop -------------------------------------------------------------------------

    def wait(self) -> int:
        """Until a signal arrives (0) or a child dies on its own (1)."""
        while True:
            for name, proc in self.children.items():
                if proc.poll() is not None:
                    print(f"\nThe {name} process exited with code {proc.returncode}; stopping the rest.",
                          file=sys.stderr, flush=True)
                    return 1
            time.sleep(0.5)

    def stop(self) -> bool:
        """Stops the children in order; False if any of them did not end cleanly (exit 0, or the
        SIGTERM it was sent for the servers that do not handle it): `make run` then fails."""
        clean = True
        for name in ("web", "worker"):
            proc = self.children.get(name)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    print(f"The {name} process did not stop within 20 s; killing it.", file=sys.stderr, flush=True)
                    proc.kill()
                    proc.wait(5)
            # Both handle SIGTERM and exit 0 once drained: any other code is a failure to report.
            if proc.returncode != 0:
                clean = False
                print(f"The {name} process ended with code {proc.returncode} (see its output above).",
                      file=sys.stderr, flush=True)
        if self.smtp is not None:
            self.smtp.stop()
        if self.temporal is not None:
            code = self.temporal.stop()
            if code not in (0, -signal.SIGTERM):
                clean = False
                print(f"The Temporal dev server ended with code {code} (see {self.plan.var_dir / 'temporal.log'}).",
                      file=sys.stderr, flush=True)
        (self.plan.var_dir / "run.pids").unlink(missing_ok=True)
        return clean


def _raise_interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Installed explicitly: a shell starting us in the background hands SIGINT down ignored.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _raise_interrupt)
    stack = Stack()
    code = 0
    try:
        stack.start()
        print(stack.banner(), flush=True)
        code = stack.wait()
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # show the cause, then still stop whatever did start
        print(f"make run failed: {exc}", file=sys.stderr, flush=True)
        code = 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave servers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("Stopping ...", flush=True)
        if stack.stop():
            print("Stopped.", flush=True)
        else:
            print("Stopped, but not every process ended cleanly (see above).", file=sys.stderr, flush=True)
            code = code or 1
    return code


if __name__ == "__main__":
    sys.exit(main())
