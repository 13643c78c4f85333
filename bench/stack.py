"""The stack under test, started the way `make run` starts it, plus the raw worker.

devstack.run.Stack does the real thing: the Temporal dev server on a SQLite file with the WAL
pragmas, migrations and seed, the SMTP catcher, `python worker.py` and gunicorn, each a process of
its own. The bench only gives it a fresh var directory and free ports.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from devstack.ports import free_port
from devstack.run import Stack
from devstack.temporal_server import temporal_binary
from settings import ROOT


def start_stack(var_dir: Path, database_url: str = "") -> Stack:
    shutil.rmtree(var_dir, ignore_errors=True)  # every run starts from empty databases
    var_dir.mkdir(parents=True)
    env = dict(os.environ)
    for name in ("TEMPORAL_ADDRESS", "SMTP_HOST", "DATABASE_URL", "BASE_URL", "MAILBOX_DIR"):
        env.pop(name, None)  # the embedded stack, never somebody's real servers
    env.update(PRM_VAR_DIR=str(var_dir), WEB_PORT=str(free_port()), TEMPORAL_PORT=str(free_port()),
               TEMPORAL_UI_PORT=str(free_port()), SMTP_PORT=str(free_port()))
    # The bench's thousand applications come from one address: the abuse limits (web/limits.py)
    # would stop them, and they are not what the bench measures.
    env["RATELIMIT_DISABLED"] = "1"
    if database_url:  # the app on PostgreSQL, as in production (bench --database-url)
        env["DATABASE_URL"] = database_url
    stack = Stack(env)
    try:
        stack.start()
    except BaseException:
        stack.stop()
        raise
    return stack


def start_raw_worker(stack: Stack) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "bench.raw_worker"], env=stack.env, cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline()
    if "ready" not in line:
        proc.kill()
        raise RuntimeError(f"the raw worker did not start: {line!r}")
    return proc


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- resident memory -------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    """VmRSS from /proc/<pid>/status, in MB (MiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children_of(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids += [int(k) for k in text]
    return kids


def web_rss_mb(master_pid: int) -> tuple[float, list[float]]:
    """gunicorn master plus its workers, summed; and each one's (master first)."""
    each = [rss_mb(p) for p in [master_pid, *children_of(master_pid)]]
    return sum(each), each


# -- the machine -------------------------------------------------------------------------------

def machine_info() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    server = subprocess.run([temporal_binary(), "--version"], capture_output=True, text=True).stdout
    return {"cpu_model": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 ** 2, 1),
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "temporalio": metadata.version("temporalio"),
            "gunicorn": metadata.version("gunicorn"), "dev_server": server.strip(),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
            "cpu_busy_before_start": cpu_busy_fraction()}


def cpu_busy_fraction(seconds: float = 2.0) -> float:
    """How busy the CPUs were over a short quiet wait (0..1): other work skews every figure.
    The load average cannot tell: it still carries the minute before, a previous run included."""
    def totals() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields), idle
    total0, idle0 = totals()
    time.sleep(seconds)
    total1, idle1 = totals()
    return round(1 - (idle1 - idle0) / max(1, total1 - total0), 2)


# -- CPU time, to see where a phase's cycles went ---------------------------------------------

def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_by_component(stack, raw_worker: subprocess.Popen | None = None) -> dict[str, float]:
    web = stack.children["web"].pid
    me = os.times()
    cpu = {"temporal_server": cpu_s(stack.temporal.process.pid),
           "worker": cpu_s(stack.children["worker"].pid),
           "web": sum(cpu_s(p) for p in [web, *children_of(web)]),
           "bench_clients_and_smtp": me.user + me.system}
    if raw_worker is not None:
        cpu["raw_worker"] = cpu_s(raw_worker.pid)
    return cpu


def cpu_spent(before: dict[str, float], after: dict[str, float], per: int = 1,
              scale: float = 1.0) -> dict[str, float]:
    """CPU between two readings, by component, divided by `per` (items) and times `scale`."""
    spent = {k: round((after[k] - before[k]) * scale / per, 1) for k in after}
    spent["total"] = round(sum(v for k, v in spent.items()), 1)
    return spent
